//! The storage boundary. Handlers and services talk to `dyn Store`; SQL lives only in
//! the implementations. Status changes are compare-and-set against the sources the
//! state machine in `paydesk_shared::payment` allows.

mod records;
pub mod sqlite;

use async_trait::async_trait;
use paydesk_shared::payment::{AttemptStatus, OrderTransition};

pub use records::*;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The idempotency key was first used with a different request body.
    #[error("idempotency key reused with a different request")]
    IdempotencyKeyReused,
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("the order writer has stopped")]
    WriterGone,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates the merchant or, if one with this id exists, replaces its settings.
    async fn upsert_merchant(&self, merchant: &Merchant) -> Result<(), StoreError>;

    async fn merchant_by_key_hash(&self, key_hash: &str) -> Result<Option<Merchant>, StoreError>;

    async fn merchant(&self, id: &str) -> Result<Option<Merchant>, StoreError>;

    /// Stores a new order, or replays the first answer for the same idempotency key.
    async fn create_order(
        &self,
        order: NewOrder,
        idempotency: Option<NewIdempotencyRecord>,
    ) -> Result<CreateOrderOutcome, StoreError>;

    /// The order with its items and attempts, if it belongs to this merchant.
    async fn order(
        &self,
        merchant_id: &str,
        order_id: &str,
    ) -> Result<Option<OrderRecord>, StoreError>;

    /// The order whoever it belongs to: for the gateway's own bookkeeping only.
    async fn order_by_id(&self, order_id: &str) -> Result<Option<OrderRecord>, StoreError>;

    async fn order_by_attempt(&self, attempt_id: &str) -> Result<Option<OrderRecord>, StoreError>;

    /// Moves the order with `StartAttempt` and records the attempt, in one transaction.
    /// An attempt with the same (order, idempotency key) is returned instead of a new one.
    async fn start_attempt(&self, attempt: NewAttempt) -> Result<StartAttemptOutcome, StoreError>;

    /// Applies a bank's verdict on an attempt: stores the raw notification, decides the
    /// attempt once, moves the order with `order_transition` if given (compare-and-set)
    /// and enqueues `event` iff the order moved, all in one transaction.
    async fn decide_attempt(
        &self,
        decision: AttemptDecision,
    ) -> Result<DecisionOutcome, StoreError>;

    /// Undelivered events whose next attempt is due, oldest first.
    async fn due_events(&self, now_ms: i64, limit: u32) -> Result<Vec<OutboxEvent>, StoreError>;

    /// The earliest `next_attempt_at` of any undelivered event.
    async fn next_event_due(&self) -> Result<Option<i64>, StoreError>;

    async fn mark_event_delivered(&self, event_id: &str, now_ms: i64) -> Result<(), StoreError>;

    async fn mark_event_failed(
        &self,
        event_id: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError>;
}

/// What deciding an attempt does to the order.
#[derive(Debug, Clone)]
pub struct AttemptDecision {
    pub connector: String,
    pub raw_notification: String,
    pub attempt_id: String,
    pub outcome: AttemptStatus,
    pub failure_reason: Option<String>,
    pub bank_transaction_id: String,
    pub decided_at: i64,
    /// `ConfirmPayment` for a success; `DeclinePayment` for a failure of the latest
    /// attempt; `None` when the order must not move.
    pub order_transition: Option<OrderTransition>,
    pub event: Option<NewEvent>,
}
