//! Refunds: money back to the card of a successful payment, each refund id executed
//! at most once.

use paydesk_shared::Money;
use paydesk_shared::bank_protocol::{RefundAnswer, RefundFailure, RefundOutcome};
use sqlx::{Row, SqliteConnection};

use super::{Ledger, LedgerError, card, cards, currency, ids};

/// A refund request whose fields were checked.
#[derive(Debug, Clone)]
pub(crate) struct RefundOrder {
    pub(crate) refund_id: String,
    pub(crate) attempt_id: String,
    pub(crate) bank_code: String,
    /// The payment's bank transaction id.
    pub(crate) payment_id: String,
    pub(crate) amount: Money,
}

impl Ledger {
    /// Executes the refund unless its id was seen before; either way answers what
    /// the first request for this refund id was answered.
    pub(crate) async fn refund(
        &self,
        order: &RefundOrder,
        now: i64,
    ) -> Result<RefundAnswer, LedgerError> {
        let mut tx = self.write.begin().await?;
        let first: Option<String> =
            sqlx::query_scalar("SELECT answer FROM refunds WHERE refund_id = ?")
                .bind(&order.refund_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(json) = first {
            return serde_json::from_str(&json).map_err(|_| LedgerError::Corrupt("refund answer"));
        }
        let outcome = match execute(&mut tx, order, now).await? {
            Ok(bank_refund_id) => RefundOutcome::Succeeded { bank_refund_id },
            Err(reason) => RefundOutcome::Failed { reason },
        };
        let succeeded = matches!(outcome, RefundOutcome::Succeeded { .. });
        let answer = RefundAnswer {
            refund_id: order.refund_id.clone(),
            outcome,
            decided_at: now,
        };
        let json =
            serde_json::to_string(&answer).map_err(|_| LedgerError::Corrupt("refund answer"))?;
        sqlx::query(
            "INSERT INTO refunds (refund_id, payment_id, amount_minor, answer) VALUES (?, ?, ?, ?)",
        )
        .bind(&order.refund_id)
        .bind(succeeded.then_some(order.payment_id.as_str()))
        .bind(order.amount.minor())
        .bind(json)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(answer)
    }
}

/// Credits the payment's card and logs the refund, or says why not. Runs inside the
/// caller's transaction, so the refunded total it reads cannot change under it.
async fn execute(
    conn: &mut SqliteConnection,
    order: &RefundOrder,
    now: i64,
) -> Result<Result<String, RefundFailure>, LedgerError> {
    let payment = sqlx::query(
        "SELECT attempt_id, merchant_id, order_id, bank_code, merchant_name, card, amount_minor,
             currency
         FROM transactions WHERE id = ? AND kind = 'payment'",
    )
    .bind(&order.payment_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(payment) = payment else {
        return Ok(Err(RefundFailure::UnknownTransaction));
    };
    let attempt_id: String = payment.try_get("attempt_id")?;
    let bank_code: String = payment.try_get("bank_code")?;
    if attempt_id != order.attempt_id || bank_code != order.bank_code {
        return Ok(Err(RefundFailure::UnknownTransaction));
    }
    if currency(&payment.try_get::<String, _>("currency")?)? != order.amount.currency() {
        return Ok(Err(RefundFailure::CurrencyMismatch));
    }
    let paid: i64 = payment.try_get("amount_minor")?;
    let refunded: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(amount_minor), 0) FROM refunds WHERE payment_id = ?",
    )
    .bind(&order.payment_id)
    .fetch_one(&mut *conn)
    .await?;
    if refunded.saturating_add(order.amount.minor()) > paid {
        return Ok(Err(RefundFailure::ExceedsPayment));
    }
    let card = card(payment.try_get("card")?)?.ok_or(LedgerError::Corrupt("payment card"))?;
    if card.test_card().is_some_and(|test| !test.takes_refunds) {
        return Ok(Err(RefundFailure::AccountClosed));
    }
    cards::open_account(conn, &card, order.amount.currency()).await?;
    sqlx::query(
        "UPDATE accounts SET balance_minor = balance_minor + ? WHERE card = ? AND currency = ?",
    )
    .bind(order.amount.minor())
    .bind(card.as_str())
    .bind(order.amount.currency().code())
    .execute(&mut *conn)
    .await?;
    let bank_refund_id = ids::refund_transaction_id();
    sqlx::query(
        "INSERT INTO transactions (id, kind, attempt_id, merchant_id, order_id, bank_code,
             merchant_name, card, amount_minor, currency, refund_id, at)
         VALUES (?, 'refund', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&bank_refund_id)
    .bind(&attempt_id)
    .bind(payment.try_get::<String, _>("merchant_id")?)
    .bind(payment.try_get::<String, _>("order_id")?)
    .bind(&bank_code)
    .bind(payment.try_get::<String, _>("merchant_name")?)
    .bind(card.as_str())
    .bind(order.amount.minor())
    .bind(order.amount.currency().code())
    .bind(&order.refund_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(Ok(bank_refund_id))
}
