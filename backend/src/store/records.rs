//! Rows as the rest of the gateway sees them: already typed, money in `Money`.

use paydesk_shared::api::WidgetMode;
use paydesk_shared::bank::CardKind;
use paydesk_shared::payment::{AttemptStatus, OrderStatus};
use paydesk_shared::{Currency, Money};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    pub id: String,
    pub name: String,
    pub secret_key_hash: String,
    pub return_urls: Vec<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub id: String,
    pub merchant_id: String,
    pub currency: Currency,
    pub items: Vec<ItemRecord>,
    pub total: Money,
    pub merchant_reference: String,
    pub return_url: String,
    pub client_token: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A line item with its gateway-computed total.
pub type ItemRecord = paydesk_shared::order::DraftItem;

/// The first successful answer to a request with an `Idempotency-Key`, stored with
/// the change it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAnswer {
    pub merchant_id: String,
    pub key: String,
    /// SHA-256 of method, path and body, hex.
    pub request_hash: String,
    pub status: u16,
    pub body: Vec<u8>,
    pub created_at: i64,
}

/// What a request with an `Idempotency-Key` may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyClaim {
    /// Nobody used the key (in the last 24 hours): this request runs, and holds the key
    /// until it ends.
    Claimed,
    /// The key answered this request before: here is that answer.
    Replay { status: u16, body: Vec<u8> },
    /// The key was used for a different request.
    Mismatch,
    /// A request with this key is running now.
    InUse,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub id: String,
    pub merchant_id: String,
    pub status: OrderStatus,
    pub currency: Currency,
    pub items: Vec<ItemRecord>,
    pub total: Money,
    pub merchant_reference: String,
    pub return_url: String,
    pub client_token: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub paid_at: Option<i64>,
    /// The attempt whose payment the order kept.
    pub paid_attempt_id: Option<String>,
    /// Oldest first.
    pub attempts: Vec<AttemptRecord>,
}

impl OrderRecord {
    pub fn latest_attempt(&self) -> Option<&AttemptRecord> {
        self.attempts.last()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub id: String,
    pub order_id: String,
    pub bank_code: String,
    pub card_kind: CardKind,
    pub mode: WidgetMode,
    pub status: AttemptStatus,
    pub amount: Money,
    pub failure_reason: Option<String>,
    pub bank_transaction_id: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt {
    pub id: String,
    pub order_id: String,
    pub bank_code: String,
    pub card_kind: CardKind,
    pub mode: WidgetMode,
    pub amount: Money,
    pub idempotency_key: String,
    pub created_at: i64,
    /// When to first ask the bank if no notification has come by then.
    pub first_query_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartAttemptOutcome {
    Started(AttemptRecord),
    /// The same Pay click arrived again: the attempt it already made.
    Existing(AttemptRecord),
    /// The order is in a status that cannot start an attempt.
    NotPayable(OrderStatus),
}

/// Which orders `GET /v1/orders` lists, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    /// Created at or after (ms).
    pub created_from: Option<i64>,
    /// Created before (ms).
    pub created_before: Option<i64>,
    pub merchant_reference: Option<String>,
    /// Only orders older than this one (its id).
    pub starting_after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    Created,
    /// The order's refunds would exceed its payment: this much is left to refund.
    Exceeds {
        refundable: Money,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    Cancelled,
    /// The order had moved on: its status now.
    NotCancellable(OrderStatus),
}

impl NewOrder {
    /// The order as it reads back right after it is stored.
    pub fn to_record(&self) -> OrderRecord {
        OrderRecord {
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
