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
}
