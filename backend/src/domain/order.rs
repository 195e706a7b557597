//! Orders and their payment attempts, and the one rule of what status an order shows.

use super::ids::{AttemptId, MerchantId, OrderId};
use paydesk_shared::api::WidgetMode;
use paydesk_shared::bank::CardKind;
use paydesk_shared::payment::{AttemptStatus, OrderStatus};
use paydesk_shared::{Currency, Money};

use super::time::Millis;

/// A line item with its gateway-computed total.
pub type Item = paydesk_shared::order::DraftItem;

/// The status an order shows at `now`: an unpaid order past its expiry is expired even
/// before the expirer has recorded it.
pub fn status_at(stored: OrderStatus, expires_at: Millis, now: Millis) -> OrderStatus {
    if !stored.is_final() && now >= expires_at {
        OrderStatus::Expired
    } else {
        stored
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: OrderId,
    pub merchant_id: MerchantId,
    /// As stored; [`Order::status_at`] is what the order shows.
    pub status: OrderStatus,
    pub currency: Currency,
    pub items: Vec<Item>,
    pub total: Money,
    pub merchant_reference: String,
    pub return_url: String,
    pub client_token: String,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub paid_at: Option<Millis>,
    /// The attempt whose payment the order kept.
    pub paid_attempt_id: Option<AttemptId>,
    /// Oldest first.
    pub attempts: Vec<Attempt>,
}

impl Order {
    pub fn status_at(&self, now: Millis) -> OrderStatus {
        status_at(self.status, self.expires_at, now)
    }

    pub fn latest_attempt(&self) -> Option<&Attempt> {
        self.attempts.last()
    }

    pub fn attempt(&self, id: &str) -> Option<&Attempt> {
        self.attempts.iter().find(|a| a.id == id)
    }

    /// Whether a bank has yet to decide one of the attempts.
    pub fn awaiting_bank(&self) -> bool {
        self.attempts
            .iter()
            .any(|a| a.status == AttemptStatus::Pending)
    }

    /// A payment the order could not keep: a success other than the one that paid it
    /// (a second payment, or one after the order expired or was cancelled). The
    /// gateway refunds each such payment when its verdict is applied.
    pub fn extra_payment(&self) -> Option<&Attempt> {
        self.attempts.iter().find(|a| {
            a.status == AttemptStatus::Succeeded && self.paid_attempt_id.as_ref() != Some(&a.id)
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub id: AttemptId,
    pub order_id: OrderId,
    pub bank_code: String,
    pub card_kind: CardKind,
    pub mode: WidgetMode,
    pub status: AttemptStatus,
    pub amount: Money,
    pub failure_reason: Option<String>,
    pub bank_transaction_id: Option<String>,
    pub created_at: Millis,
    pub decided_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub id: OrderId,
    pub merchant_id: MerchantId,
    pub currency: Currency,
    pub items: Vec<Item>,
    pub total: Money,
    pub merchant_reference: String,
    pub return_url: String,
    pub client_token: String,
    pub created_at: Millis,
    pub expires_at: Millis,
}

impl NewOrder {
    /// The order as it reads back right after it is stored.
    pub fn to_order(&self) -> Order {
        Order {
            id: self.id.clone(),
            merchant_id: self.merchant_id.clone(),
            status: OrderStatus::Created,
            currency: self.currency,
            items: self.items.clone(),
            total: self.total,
            merchant_reference: self.merchant_reference.clone(),
            return_url: self.return_url.clone(),
            client_token: self.client_token.clone(),
            created_at: self.created_at,
            expires_at: self.expires_at,
            paid_at: None,
            paid_attempt_id: None,
            attempts: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt {
    pub id: AttemptId,
    pub order_id: OrderId,
    pub bank_code: String,
    pub card_kind: CardKind,
    pub mode: WidgetMode,
    pub amount: Money,
    pub idempotency_key: String,
    pub created_at: Millis,
    /// When to first ask the bank if no notification has come by then.
    pub first_query_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartAttemptOutcome {
    Started(Attempt),
    /// The same Pay click arrived again: the attempt it already made.
    Existing(Attempt),
    /// The order is in a status that cannot start an attempt.
    NotPayable(OrderStatus),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    Cancelled,
    /// The order had moved on: its status now.
    NotCancellable(OrderStatus),
}

/// Which orders `GET /v1/orders` lists, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    /// Created at or after.
    pub created_from: Option<Millis>,
    /// Created before.
    pub created_before: Option<Millis>,
    pub merchant_reference: Option<String>,
    /// Only orders older than this one.
    pub starting_after: Option<OrderId>,
}

/// A pending attempt whose bank is due to be asked where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptToQuery {
    pub attempt_id: AttemptId,
    pub order_id: OrderId,
    pub bank_code: String,
    pub amount: Money,
    pub order_expires_at: Millis,
    pub queries: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unpaid_order_past_its_expiry_shows_expired() {
        for open in [
            OrderStatus::Created,
            OrderStatus::Pending,
            OrderStatus::Failed,
        ] {
            assert_eq!(status_at(open, 1_000, 999), open);
            assert_eq!(status_at(open, 1_000, 1_000), OrderStatus::Expired);
        }
        for done in [
            OrderStatus::Paid,
            OrderStatus::Cancelled,
            OrderStatus::Expired,
        ] {
            assert_eq!(status_at(done, 1_000, 5_000), done);
        }
    }

    /// `order` with `attempts`, kept by `paid_by`.
    fn order_with(attempts: Vec<Attempt>, paid_by: Option<&str>) -> Order {
        Order {
            paid_attempt_id: paid_by.map(Into::into),
            ..fixtures::order(OrderStatus::Created, attempts)
        }
    }

    fn attempt(id: &str, status: AttemptStatus) -> Attempt {
        fixtures::attempt(id, status, None)
    }

    #[test]
    fn a_pending_attempt_keeps_the_bank_awaited() {
        use AttemptStatus::*;
        assert!(!order_with(vec![], None).awaiting_bank());
        let both = vec![attempt("att_1", Pending), attempt("att_2", Succeeded)];
        assert!(order_with(both, Some("att_2")).awaiting_bank());
        let decided = vec![attempt("att_1", Failed), attempt("att_2", Succeeded)];
        assert!(!order_with(decided, Some("att_2")).awaiting_bank());
    }

    #[test]
    fn only_a_success_the_order_did_not_keep_is_extra() {
        use AttemptStatus::*;
        let kept = vec![attempt("att_1", Failed), attempt("att_2", Succeeded)];
        assert!(order_with(kept, Some("att_2")).extra_payment().is_none());
        let twice = vec![attempt("att_1", Succeeded), attempt("att_2", Succeeded)];
        let paid = order_with(twice, Some("att_2"));
        assert_eq!(paid.extra_payment().map(|a| a.id.as_str()), Some("att_1"));
        // Paid after the order expired: none was kept.
        let late = order_with(vec![attempt("att_1", Succeeded)], None);
        assert!(late.extra_payment().is_some());
    }
}

/// Orders and attempts for the domain's unit tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    /// The tests' "now": orders were created a minute before, attempts half a minute.
    pub(crate) const NOW: i64 = 1_800_000_000_000;

    pub(crate) fn order(status: OrderStatus, attempts: Vec<Attempt>) -> Order {
        let total = Money::parse("25.00", Currency::Cny).unwrap();
        Order {
            id: "ord_1".into(),
            merchant_id: "mer_1".into(),
            status,
            currency: Currency::Cny,
            items: Vec::new(),
            total,
            merchant_reference: "r".into(),
            return_url: "https://shop.example/done".into(),
            client_token: "ct".into(),
            created_at: NOW - 60_000,
            expires_at: NOW + 60_000,
            paid_at: None,
            paid_attempt_id: None,
            attempts,
        }
    }

    pub(crate) fn attempt(id: &str, status: AttemptStatus, txn: Option<&str>) -> Attempt {
        Attempt {
            id: id.into(),
            order_id: "ord_1".into(),
            bank_code: "ICBC".into(),
            card_kind: CardKind::Debit,
            mode: WidgetMode::Embedded,
            status,
            amount: Money::parse("25.00", Currency::Cny).unwrap(),
            failure_reason: None,
            bank_transaction_id: txn.map(Into::into),
            created_at: NOW - 30_000,
            decided_at: None,
        }
    }
}
