//! Attempts the bank has seen and the pay-page sessions opened for them.

use paydesk_shared::Money;
use paydesk_shared::bank_protocol::{PaymentNotification, PaymentRequest};
use sqlx::Row;

use super::ids::SessionId;
use super::{Ledger, LedgerError, Session, notification};
use crate::payment_request::VerifiedRequest;

/// How long a session outlives its request's expiry, so a shopper who submits a
/// moment too late still gets a clear "expired" decision instead of "not found".
const SESSION_GRACE_SECS: i64 = 3600;

/// The result of [`Ledger::open_session`].
#[derive(Debug)]
pub(crate) enum Opened {
    Session(Session),
    /// The attempt is decided: the page explains instead of offering to pay again.
    Decided(PaymentNotification),
    /// An earlier request for the same attempt named a different payment (merchant,
    /// order, bank, card kind, amount or currency): the bank keeps the first.
    Conflict,
}

impl Ledger {
    /// Records the attempt on first sight and opens a session for it, unless it is
    /// decided already.
    pub(crate) async fn open_session(
        &self,
        verified: VerifiedRequest,
        now: i64,
    ) -> Result<Opened, LedgerError> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(now.saturating_sub(SESSION_GRACE_SECS))
            .execute(&mut *tx)
            .await?;
        let attempt_id = verified.request.attempt_id.clone();
        let decided: Option<String> =
            sqlx::query_scalar("SELECT notification FROM decisions WHERE attempt_id = ?")
                .bind(&attempt_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(json) = decided {
            tx.commit().await?;
            return Ok(Opened::Decided(notification(&json)?));
        }
        let first = sqlx::query("SELECT request, limit_minor FROM attempts WHERE attempt_id = ?")
            .bind(&attempt_id)
            .fetch_optional(&mut *tx)
            .await?;
        let (request, amount, limit) = match first {
            Some(row) => {
                let first = request_from(&row.try_get::<String, _>("request")?)?;
                if !same_payment(&first, &verified.request) {
                    return Ok(Opened::Conflict);
                }
                let limit = Money::from_minor(row.try_get("limit_minor")?, first.currency)
                    .map_err(|_| LedgerError::Corrupt("limit"))?;
                let amount = amount_of(&first)?;
                (first, amount, limit)
            }
            None => {
                let json = serde_json::to_string(&verified.request)
                    .map_err(|_| LedgerError::Corrupt("request"))?;
                sqlx::query(
                    "INSERT INTO attempts (attempt_id, merchant_id, request, limit_minor, expires_at, seen_at)
                     VALUES (?, ?, ?, ?, ?, ?)",
                )
                .bind(&attempt_id)
                .bind(&verified.request.merchant_id)
                .bind(json)
                .bind(verified.limit.minor())
                .bind(verified.request.expires_at)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                (verified.request, verified.amount, verified.limit)
            }
        };
        let id = SessionId::generate();
        sqlx::query(
            "INSERT INTO sessions (id, attempt_id, expires_at, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(id.as_str())
        .bind(&attempt_id)
        .bind(request.expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Opened::Session(Session {
            id,
            request,
            amount,
            limit,
        }))
    }

    pub(crate) async fn session(&self, id: &SessionId) -> Result<Option<Session>, LedgerError> {
        let row = sqlx::query(
            "SELECT a.request, a.limit_minor FROM sessions s JOIN attempts a USING (attempt_id)
             WHERE s.id = ?",
        )
        .bind(id.as_str())
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let request = request_from(&row.try_get::<String, _>("request")?)?;
        let limit = Money::from_minor(row.try_get("limit_minor")?, request.currency)
            .map_err(|_| LedgerError::Corrupt("limit"))?;
        Ok(Some(Session {
            id: id.clone(),
            amount: amount_of(&request)?,
            request,
            limit,
        }))
    }

    /// The request the bank first verified for an attempt, if it saw the attempt.
    pub(crate) async fn attempt(
        &self,
        attempt_id: &str,
    ) -> Result<Option<PaymentRequest>, LedgerError> {
        let json: Option<String> =
            sqlx::query_scalar("SELECT request FROM attempts WHERE attempt_id = ?")
                .bind(attempt_id)
                .fetch_optional(&self.read)
                .await?;
        json.as_deref().map(request_from).transpose()
    }

    /// The decision on an attempt, if there is one yet.
    pub(crate) async fn decision(
        &self,
        attempt_id: &str,
    ) -> Result<Option<PaymentNotification>, LedgerError> {
        let json: Option<String> =
            sqlx::query_scalar("SELECT notification FROM decisions WHERE attempt_id = ?")
                .bind(attempt_id)
                .fetch_optional(&self.read)
                .await?;
        json.as_deref().map(notification).transpose()
    }
}

/// The fields that say who pays whom how much; a later redirect for the same attempt
/// may differ in nothing else that matters (URLs and expiry stay the first ones).
fn same_payment(a: &PaymentRequest, b: &PaymentRequest) -> bool {
    a.merchant_id == b.merchant_id
        && a.order_id == b.order_id
        && a.bank_code == b.bank_code
        && a.card_kind == b.card_kind
        && a.amount == b.amount
        && a.currency == b.currency
}

pub(super) fn request_from(json: &str) -> Result<PaymentRequest, LedgerError> {
    serde_json::from_str(json).map_err(|_| LedgerError::Corrupt("request"))
}

pub(super) fn amount_of(request: &PaymentRequest) -> Result<Money, LedgerError> {
    Money::parse(&request.amount, request.currency).map_err(|_| LedgerError::Corrupt("amount"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::testing::temp_ledger;
    use paydesk_shared::Currency;
    use paydesk_shared::bank::CardKind;

    const NOW: i64 = 1_800_000_000;

    fn verified(attempt: &str, amount: &str) -> VerifiedRequest {
        VerifiedRequest {
            request: PaymentRequest {
                merchant_id: "mer_test".into(),
                attempt_id: attempt.into(),
                order_id: "ord_1".into(),
                merchant_name: "Demo Shop".into(),
                bank_code: "ICBC".into(),
                card_kind: CardKind::Debit,
                amount: amount.into(),
                currency: Currency::Cny,
                notify_url: "http://127.0.0.1:1/notify".into(),
                return_url: "http://127.0.0.1:1/return".into(),
                expires_at: NOW + 900,
            },
            amount: Money::parse(amount, Currency::Cny).unwrap(),
            limit: Money::parse("50000.00", Currency::Cny).unwrap(),
        }
    }

    fn session(opened: Opened) -> Session {
        match opened {
            Opened::Session(session) => session,
            other => panic!("expected a session, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn sessions_are_read_back_and_pruned_an_hour_after_expiry() {
        let ledger = temp_ledger().await;
        let opened = session(
            ledger
                .open_session(verified("att_1", "1.00"), NOW)
                .await
                .unwrap(),
        );
        let read = ledger.session(&opened.id).await.unwrap().unwrap();
        assert_eq!(read.request, opened.request);
        assert_eq!(read.amount.to_string(), "1.00");
        assert_eq!(read.limit.to_string(), "50000.00");

        let later = NOW + 900 + SESSION_GRACE_SECS;
        ledger
            .open_session(verified("att_2", "1.00"), later)
            .await
            .unwrap();
        assert!(ledger.session(&opened.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_later_request_for_another_payment_conflicts() {
        let ledger = temp_ledger().await;
        session(
            ledger
                .open_session(verified("att_1", "1.00"), NOW)
                .await
                .unwrap(),
        );
        assert!(matches!(
            ledger
                .open_session(verified("att_1", "2.00"), NOW)
                .await
                .unwrap(),
            Opened::Conflict
        ));
        // Another expiry or return URL is the same payment: the first request stays.
        let mut relinked = verified("att_1", "1.00");
        relinked.request.expires_at = NOW + 5;
        relinked.request.return_url = "http://127.0.0.1:2/other".into();
        let again = session(ledger.open_session(relinked, NOW).await.unwrap());
        assert_eq!(again.request.expires_at, NOW + 900);
        assert_eq!(again.request.return_url, "http://127.0.0.1:1/return");
    }
}
