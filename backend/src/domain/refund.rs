//! Refunds: asked for by a merchant, or started by the gateway for a payment it cannot
//! keep; sent to the bank until it gives its final word. Refunds of an attempt never
//! add up to more than it paid.

use paydesk_shared::Money;
use paydesk_shared::webhook::EventType;

use super::alert::{self, NewAlert};
use super::event::NewEvent;
use super::ids::{AlertId, AttemptId, OrderId, RefundId};
use super::ledger::Posting;
use super::time::Millis;

/// Why the gateway gives a payment back; kept in the shared crate, where merchants'
/// code reads them too.
pub use paydesk_shared::refund_reason::{
    DUPLICATE_PAYMENT, LATE_PAYMENT, ORDER_CANCELLED, ORDER_NOT_PAYABLE, is_automatic,
};

/// A refund to send to the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    pub id: RefundId,
    pub order_id: OrderId,
    pub attempt_id: AttemptId,
    pub amount: Money,
    pub reason: String,
    pub created_at: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    Pending,
    Succeeded,
    Failed,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Succeeded => "succeeded",
            RefundStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Succeeded, Self::Failed]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    pub id: RefundId,
    pub order_id: OrderId,
    pub attempt_id: AttemptId,
    pub bank_code: String,
    /// The payment being refunded.
    pub bank_transaction_id: Option<String>,
    pub amount: Money,
    pub reason: String,
    pub status: RefundStatus,
    pub bank_refund_id: Option<String>,
    /// While pending, the last retry's error (the operator's, not the merchant's).
    pub failure_reason: Option<String>,
    pub created_at: Millis,
    pub decided_at: Option<Millis>,
    pub tries: u32,
}

impl Refund {
    /// The refund once the bank gave its final word (`Ok` with the bank's refund id,
    /// or `Err` with its reason), the event that reports it and, when the money could
    /// not go back, an alert.
    pub fn decided(
        mut self,
        result: Result<String, String>,
        now: Millis,
    ) -> (Refund, EventType, Option<NewAlert>) {
        self.decided_at = Some(now);
        match result {
            Ok(bank_refund_id) => {
                self.status = RefundStatus::Succeeded;
                self.bank_refund_id = Some(bank_refund_id);
                self.failure_reason = None;
                (self, EventType::RefundSucceeded, None)
            }
            Err(reason) => {
                let alert = NewAlert {
                    id: AlertId::generate(),
                    kind: alert::REFUND_FAILED.into(),
                    message: format!(
                        "refund {} of {} {} for attempt {} failed at the bank: {reason}",
                        self.id,
                        self.amount,
                        self.amount.currency(),
                        self.attempt_id
                    ),
                    order_id: Some(self.order_id.clone()),
                    attempt_id: Some(self.attempt_id.clone()),
                    created_at: now,
                };
                self.status = RefundStatus::Failed;
                self.failure_reason = Some(reason);
                (self, EventType::RefundFailed, Some(alert))
            }
        }
    }
}

/// What is left to refund of `paid` after refunds of `refunded_minor` minor units.
pub fn refundable(paid: Money, refunded_minor: i64) -> Option<Money> {
    Money::from_minor(paid.minor() - refunded_minor, paid.currency()).ok()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    Created,
    /// The order's refunds would exceed its payment: this much is left to refund.
    Exceeds {
        refundable: Money,
    },
}

/// The bank's final word on a refund, with the event that reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundDecision {
    pub refund_id: RefundId,
    pub status: RefundStatus,
    pub bank_refund_id: Option<String>,
    pub failure_reason: Option<String>,
    pub decided_at: Millis,
    pub event: NewEvent,
    /// Raised when the bank refused to give money back.
    pub alert: Option<NewAlert>,
    /// When it failed: the refund's money back where it came from.
    pub reversal: Option<Posting>,
}

#[cfg(test)]
mod tests {
    use paydesk_shared::Currency;

    use super::*;

    fn pending() -> Refund {
        Refund {
            id: "rfd_1".into(),
            order_id: "ord_1".into(),
            attempt_id: "att_1".into(),
            bank_code: "ICBC".into(),
            bank_transaction_id: Some("T1".into()),
            amount: Money::parse("5.00", Currency::Cny).expect("money"),
            reason: "requested_by_customer".into(),
            status: RefundStatus::Pending,
            bank_refund_id: None,
            failure_reason: Some("timed out".into()),
            created_at: 1,
            decided_at: None,
            tries: 2,
        }
    }

    #[test]
    fn success_clears_the_retry_error_and_failure_raises_an_alert() {
        let (done, kind, alert) = pending().decided(Ok("R1".into()), 9);
        assert_eq!(
            (done.status, kind, alert),
            (RefundStatus::Succeeded, EventType::RefundSucceeded, None)
        );
        assert_eq!(
            (
                done.bank_refund_id.as_deref(),
                done.failure_reason,
                done.decided_at
            ),
            (Some("R1"), None, Some(9))
        );

        let (failed, kind, alert) = pending().decided(Err("account closed".into()), 9);
        assert_eq!(
            (failed.status, kind),
            (RefundStatus::Failed, EventType::RefundFailed)
        );
        assert_eq!(failed.failure_reason.as_deref(), Some("account closed"));
        let alert = alert.expect("an alert");
        assert_eq!(alert.kind, alert::REFUND_FAILED);
        assert!(
            alert.message.contains("account closed"),
            "{}",
            alert.message
        );
    }

    #[test]
    fn refundable_is_what_the_payment_has_left() {
        let paid = Money::parse("25.00", Currency::Cny).expect("money");
        assert_eq!(refundable(paid, 500).map(|m| m.minor()), Some(2000));
        assert_eq!(refundable(paid, 2500).map(|m| m.minor()), Some(0));
    }
}
