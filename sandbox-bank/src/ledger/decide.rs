//! Deciding an attempt: debit or decline, log the transaction, record the decision
//! and queue its notification, all in one database transaction.

use paydesk_shared::Money;
use paydesk_shared::bank_protocol::{DeclineReason, PaymentNotification, PaymentOutcome};
use sqlx::SqliteConnection;

use super::attempts::{amount_of, request_from};
use super::deliveries::{self, DeliveryPlan, PendingDelivery};
use super::{Ledger, LedgerError, cards, ids, notification};
use crate::cards::CardNumber;

/// What the bank is asked to do with an attempt's payment.
#[derive(Debug, Clone)]
pub(crate) enum Verdict {
    /// Take the money from this card, or decline for insufficient funds.
    Debit(CardNumber),
    Decline {
        card: Option<CardNumber>,
        reason: DeclineReason,
    },
}

/// The result of [`Ledger::decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decided {
    /// This call decided the attempt: the gateway must be told, by these deliveries.
    New {
        notification: PaymentNotification,
        deliveries: Vec<PendingDelivery>,
    },
    /// The attempt was decided before (a resubmitted form, a second tab, a status
    /// query that expired it): nothing changed and nothing must be sent again.
    Already(PaymentNotification),
}

impl Ledger {
    /// Decides the attempt once. `plan` says how its notification is delivered.
    pub(crate) async fn decide(
        &self,
        attempt_id: &str,
        verdict: Verdict,
        now: i64,
        plan: DeliveryPlan,
    ) -> Result<Decided, LedgerError> {
        let mut tx = self.write.begin().await?;
        let decided: Option<String> =
            sqlx::query_scalar("SELECT notification FROM decisions WHERE attempt_id = ?")
                .bind(attempt_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(json) = decided {
            return Ok(Decided::Already(notification(&json)?));
        }
        let request: Option<String> =
            sqlx::query_scalar("SELECT request FROM attempts WHERE attempt_id = ?")
                .bind(attempt_id)
                .fetch_optional(&mut *tx)
                .await?;
        let request = request_from(&request.ok_or(LedgerError::AttemptNotFound)?)?;
        let amount = amount_of(&request)?;
        let (card, outcome) = match verdict {
            Verdict::Debit(card) => {
                let outcome = debit(&mut tx, &card, amount).await?;
                (Some(card), outcome)
            }
            Verdict::Decline { card, reason } => (card, PaymentOutcome::Failed { reason }),
        };
        let (kind, reason) = match &outcome {
            PaymentOutcome::Succeeded => ("payment", None),
            PaymentOutcome::Failed { reason } => ("decline", Some(reason.as_str())),
        };
        let transaction_id = ids::transaction_id();
        sqlx::query(
            "INSERT INTO transactions (id, kind, attempt_id, merchant_id, order_id, bank_code,
                 merchant_name, card, amount_minor, currency, reason, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&transaction_id)
        .bind(kind)
        .bind(&request.attempt_id)
        .bind(&request.merchant_id)
        .bind(&request.order_id)
        .bind(&request.bank_code)
        .bind(&request.merchant_name)
        .bind(card.as_ref().map(CardNumber::as_str))
        .bind(amount.minor())
        .bind(amount.currency().code())
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let notification = PaymentNotification {
            attempt_id: request.attempt_id.clone(),
            order_id: request.order_id.clone(),
            bank_code: request.bank_code.clone(),
            bank_transaction_id: transaction_id.clone(),
            amount: amount.to_string(),
            currency: amount.currency(),
            outcome,
            decided_at: now,
            card_last4: card.as_ref().map(|c| c.last4().to_owned()),
        };
        let json = serde_json::to_string(&notification)
            .map_err(|_| LedgerError::Corrupt("notification"))?;
        sqlx::query(
            "INSERT INTO decisions (attempt_id, transaction_id, merchant_id, notification)
             VALUES (?, ?, ?, ?)",
        )
        .bind(&request.attempt_id)
        .bind(&transaction_id)
        .bind(&request.merchant_id)
        .bind(&json)
        .execute(&mut *tx)
        .await?;
        let deliveries =
            deliveries::insert(&mut tx, attempt_id, &request.notify_url, &json, plan).await?;
        tx.commit().await?;
        Ok(Decided::New {
            notification,
            deliveries,
        })
    }
}

/// Takes `amount` from the card if it holds enough.
async fn debit(
    conn: &mut SqliteConnection,
    card: &CardNumber,
    amount: Money,
) -> Result<PaymentOutcome, LedgerError> {
    cards::open_account(conn, card, amount.currency()).await?;
    let moved = sqlx::query(
        "UPDATE accounts SET balance_minor = balance_minor - ?1
         WHERE card = ?2 AND currency = ?3 AND balance_minor >= ?1",
    )
    .bind(amount.minor())
    .bind(card.as_str())
    .bind(amount.currency().code())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(if moved == 1 {
        PaymentOutcome::Succeeded
    } else {
        PaymentOutcome::Failed {
            reason: DeclineReason::InsufficientFunds,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cards::{POOR_DEBIT, RICH_DEBIT};
    use crate::ledger::Opened;
    use crate::ledger::testing::temp_ledger;
    use crate::payment_request::VerifiedRequest;
    use paydesk_shared::Currency;
    use paydesk_shared::bank::CardKind;
    use paydesk_shared::bank_protocol::PaymentRequest;

    const NOW: i64 = 1_800_000_000;
    const ONCE: DeliveryPlan = DeliveryPlan {
        copies: 1,
        not_before_ms: 0,
    };

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

    fn card(c: crate::cards::TestCard) -> CardNumber {
        CardNumber::parse(c.number).unwrap()
    }

    async fn open(ledger: &Ledger, request: VerifiedRequest) -> Opened {
        ledger.open_session(request, NOW).await.unwrap()
    }

    #[tokio::test]
    async fn debits_once_per_attempt_across_sessions() {
        let ledger = temp_ledger().await;
        assert!(matches!(
            open(&ledger, verified("att_1", "25.00")).await,
            Opened::Session(_)
        ));
        assert!(matches!(
            open(&ledger, verified("att_1", "25.00")).await,
            Opened::Session(_)
        ));
        let rich = card(RICH_DEBIT);

        let Decided::New {
            notification,
            deliveries,
        } = ledger
            .decide("att_1", Verdict::Debit(rich.clone()), NOW, ONCE)
            .await
            .unwrap()
        else {
            panic!("first decision must be new");
        };
        assert_eq!(notification.outcome, PaymentOutcome::Succeeded);
        assert_eq!(notification.amount, "25.00");
        assert_eq!(notification.decided_at, NOW);
        assert_eq!(notification.card_last4.as_deref(), Some("0001"));
        assert_eq!(deliveries.len(), 1);
        assert_eq!(deliveries[0].url, "http://127.0.0.1:1/notify");
        assert_eq!(
            serde_json::from_str::<PaymentNotification>(&deliveries[0].body).unwrap(),
            notification
        );

        let again = ledger
            .decide("att_1", Verdict::Debit(rich.clone()), NOW, ONCE)
            .await
            .unwrap();
        assert_eq!(again, Decided::Already(notification.clone()));
        assert_eq!(
            ledger
                .balance(&rich, Currency::Cny)
                .await
                .unwrap()
                .to_string(),
            "99975.00"
        );
        assert_eq!(ledger.transactions().await.unwrap().len(), 1);
        assert_eq!(ledger.pending_deliveries().await.unwrap(), deliveries);
        assert_eq!(
            ledger.decision("att_1").await.unwrap(),
            Some(notification.clone())
        );
        match open(&ledger, verified("att_1", "25.00")).await {
            Opened::Decided(decided) => assert_eq!(decided, notification),
            other => panic!("expected the decision, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn declines_insufficient_funds_without_moving_money() {
        let ledger = temp_ledger().await;
        open(&ledger, verified("att_2", "10.01")).await;
        let poor = card(POOR_DEBIT);
        let decided = ledger
            .decide("att_2", Verdict::Debit(poor.clone()), NOW, ONCE)
            .await
            .unwrap();
        let Decided::New { notification, .. } = decided else {
            panic!("expected a new decision");
        };
        assert_eq!(
            notification.outcome,
            PaymentOutcome::Failed {
                reason: DeclineReason::InsufficientFunds
            }
        );
        // A decline names the card that was tried.
        assert_eq!(notification.card_last4.as_deref(), Some("0002"));
        assert_eq!(
            ledger
                .balance(&poor, Currency::Cny)
                .await
                .unwrap()
                .to_string(),
            "10.00"
        );
    }

    #[tokio::test]
    async fn exact_balance_can_be_spent() {
        let ledger = temp_ledger().await;
        open(&ledger, verified("att_3", "10.00")).await;
        let poor = card(POOR_DEBIT);
        ledger
            .decide("att_3", Verdict::Debit(poor.clone()), NOW, ONCE)
            .await
            .unwrap();
        assert!(
            ledger
                .balance(&poor, Currency::Cny)
                .await
                .unwrap()
                .is_zero()
        );
    }

    #[tokio::test]
    async fn dropped_and_duplicated_plans_queue_that_many_copies() {
        let ledger = temp_ledger().await;
        for (attempt, copies) in [("att_4", 0), ("att_5", 3)] {
            open(&ledger, verified(attempt, "1.00")).await;
            let plan = DeliveryPlan {
                copies,
                not_before_ms: 42,
            };
            let verdict = Verdict::Decline {
                card: None,
                reason: DeclineReason::CancelledByShopper,
            };
            let Decided::New {
                deliveries,
                notification,
            } = ledger.decide(attempt, verdict, NOW, plan).await.unwrap()
            else {
                panic!("expected a new decision");
            };
            // No card was named.
            assert_eq!(notification.card_last4, None);
            assert_eq!(deliveries.len(), copies as usize);
            assert!(deliveries.iter().all(|d| d.not_before_ms == 42));
        }
        assert_eq!(ledger.pending_deliveries().await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn unknown_attempts_cannot_be_decided() {
        let ledger = temp_ledger().await;
        let verdict = Verdict::Debit(card(RICH_DEBIT));
        assert!(matches!(
            ledger.decide("att_never", verdict, NOW, ONCE).await,
            Err(LedgerError::AttemptNotFound)
        ));
    }
}
