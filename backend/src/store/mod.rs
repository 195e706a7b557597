//! The storage boundary. Handlers and services talk to `dyn Store`; SQL lives only in
//! the implementations. Status changes are compare-and-set against the sources the
//! state machine in `paydesk_shared::payment` allows.

mod bank_records;
mod records;
pub mod sqlite;
mod webhook_records;

use async_trait::async_trait;
use paydesk_shared::Money;

pub use bank_records::*;
pub use records::*;
pub use webhook_records::*;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("the order writer has stopped")]
    WriterGone,
    /// Another writer changed what a plan was made from: plan again.
    #[error("the stored state changed while the change was planned")]
    Conflict,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates the merchant or, if one with this id exists, replaces its settings.
    async fn upsert_merchant(&self, merchant: &Merchant) -> Result<(), StoreError>;

    async fn merchant_by_key_hash(&self, key_hash: &str) -> Result<Option<Merchant>, StoreError>;

    async fn merchant(&self, id: &str) -> Result<Option<Merchant>, StoreError>;

    /// Claims an `Idempotency-Key` for one request, unless it answered the same request
    /// in the last `keep_ms`, belongs to another request, or is held by a running one.
    /// The claimant records its answer with its change (`KeyAnswer`) and then releases
    /// the key. The SQLite store is one process per database file, so it holds claims
    /// in memory; a store shared by several gateways holds them in the database (a row
    /// lock), with the same contract.
    async fn claim_idempotency_key(
        &self,
        merchant_id: &str,
        key: &str,
        request_hash: &str,
        not_before_ms: i64,
    ) -> Result<KeyClaim, StoreError>;

    /// Ends a claim: the request has answered (and recorded what it will replay).
    fn release_idempotency_key(&self, merchant_id: &str, key: &str);

    /// Forgets answers recorded before `before_ms`.
    async fn prune_idempotency_keys(&self, before_ms: i64) -> Result<u64, StoreError>;

    /// Stores a new order (group commit), with the answer its key replays.
    async fn create_order(
        &self,
        order: NewOrder,
        answer: Option<KeyAnswer>,
    ) -> Result<(), StoreError>;

    /// The order with its items and attempts, if it belongs to this merchant.
    async fn order(
        &self,
        merchant_id: &str,
        order_id: &str,
    ) -> Result<Option<OrderRecord>, StoreError>;

    /// The order whoever it belongs to: for the gateway's own bookkeeping only.
    async fn order_by_id(&self, order_id: &str) -> Result<Option<OrderRecord>, StoreError>;

    async fn order_by_attempt(&self, attempt_id: &str) -> Result<Option<OrderRecord>, StoreError>;

    /// The bank an attempt was made at, if the attempt exists.
    /// The orders of these attempts (each once), for bookkeeping in bulk.
    async fn orders_by_attempts(
        &self,
        attempt_ids: &[String],
    ) -> Result<Vec<OrderRecord>, StoreError>;

    async fn attempt_bank(&self, attempt_id: &str) -> Result<Option<String>, StoreError>;

    /// The merchant's orders matching `filter`, newest first.
    async fn orders(
        &self,
        merchant_id: &str,
        filter: &OrderFilter,
        limit: u32,
    ) -> Result<Vec<OrderRecord>, StoreError>;

    /// Unpaid orders past their expiry, earliest first.
    async fn expired_unpaid_orders(
        &self,
        now_ms: i64,
        limit: u32,
    ) -> Result<Vec<OrderRecord>, StoreError>;

    /// The earliest expiry of an unpaid order.
    async fn next_order_expiry(&self) -> Result<Option<i64>, StoreError>;

    /// Expires each event's order (`Expire`, compare-and-set) with its event, in one
    /// transaction, unless a success the bank sent before the expiry waits to be
    /// applied. Returns how many moved.
    async fn expire_orders(&self, events: &[NewEvent], now_ms: i64) -> Result<usize, StoreError>;

    /// Cancels the event's order (`Cancel`, compare-and-set, not past its expiry) with
    /// the event, or says where the order stands. `answer`, given with the methods
    /// below, is recorded in the same transaction iff the change is made.
    async fn cancel_order(
        &self,
        event: &NewEvent,
        now_ms: i64,
        answer: Option<&KeyAnswer>,
    ) -> Result<CancelOutcome, StoreError>;

    /// Stores a merchant's refund unless the attempt's refunds would exceed `paid`.
    async fn create_refund(
        &self,
        refund: &NewRefund,
        paid: Money,
        answer: Option<&KeyAnswer>,
    ) -> Result<RefundOutcome, StoreError>;

    /// The refund, if it is of one of the merchant's orders.
    async fn refund(
        &self,
        merchant_id: &str,
        refund_id: &str,
    ) -> Result<Option<RefundRecord>, StoreError>;

    /// Moves the order with `StartAttempt` and records the attempt, in one transaction.
    /// An attempt with the same (order, idempotency key) is returned instead of a new one.
    async fn start_attempt(&self, attempt: NewAttempt) -> Result<StartAttemptOutcome, StoreError>;

    /// Stores a verified bank verdict, refusing a signature nonce seen before.
    async fn receive_verdict(&self, entry: NewInboxEntry) -> Result<ReceiveOutcome, StoreError>;

    /// Stored verdicts not applied yet, oldest first.
    async fn unapplied_verdicts(&self, limit: u32) -> Result<Vec<InboxEntry>, StoreError>;

    /// Executes the plans in one transaction, in order; `Conflict` if an attempt a plan
    /// expected pending is decided already (then nothing is applied).
    async fn apply_verdicts(
        &self,
        planned: &[PlannedEntry],
        now_ms: i64,
    ) -> Result<Vec<Applied>, StoreError>;

    /// Forgets bank nonces that expired before `now_ms`.
    async fn prune_nonces(&self, now_ms: i64) -> Result<u64, StoreError>;

    /// Pending attempts whose next status query is due, most overdue first.
    async fn due_queries(&self, now_ms: i64, limit: u32)
    -> Result<Vec<AttemptToQuery>, StoreError>;

    async fn next_query_due(&self) -> Result<Option<i64>, StoreError>;

    /// Counts a query that left the attempt pending and sets the next one.
    async fn reschedule_query(&self, attempt_id: &str, next_at: i64) -> Result<(), StoreError>;

    async fn due_refunds(&self, now_ms: i64, limit: u32) -> Result<Vec<RefundRecord>, StoreError>;

    async fn next_refund_due(&self) -> Result<Option<i64>, StoreError>;

    async fn refunds_for_order(&self, order_id: &str) -> Result<Vec<RefundRecord>, StoreError>;

    async fn retry_refund(
        &self,
        refund_id: &str,
        next_at: i64,
        error: &str,
    ) -> Result<(), StoreError>;

    /// Records a refund's outcome with its event (and alert) once; `false` if it was
    /// decided before.
    async fn decide_refund(&self, decision: &RefundDecision) -> Result<bool, StoreError>;

    async fn open_alerts(&self, limit: u32) -> Result<Vec<Alert>, StoreError>;

    async fn inbox_counts(&self) -> Result<InboxCounts, StoreError>;

    /// Registers an endpoint, or replaces an existing one's URL, event types,
    /// description and status (not its secrets). An endpoint that is no longer enabled
    /// has its pending deliveries cancelled in the same transaction.
    async fn save_webhook_endpoint(
        &self,
        endpoint: &WebhookEndpoint,
        answer: Option<&KeyAnswer>,
    ) -> Result<(), StoreError>;

    /// The merchant's endpoints that are not deleted, oldest first.
    async fn webhook_endpoints(
        &self,
        merchant_id: &str,
    ) -> Result<Vec<WebhookEndpoint>, StoreError>;

    async fn webhook_endpoint(
        &self,
        merchant_id: &str,
        endpoint_id: &str,
    ) -> Result<Option<WebhookEndpoint>, StoreError>;

    /// Makes `secret` the endpoint's secret; the old one keeps signing until
    /// `previous_until`. `None` if there is no such live endpoint.
    async fn rotate_webhook_secret(
        &self,
        merchant_id: &str,
        endpoint_id: &str,
        secret: &str,
        previous_until: i64,
        now_ms: i64,
        answer: Option<&KeyAnswer>,
    ) -> Result<Option<WebhookEndpoint>, StoreError>;

    /// Deliveries due by `now_ms` whose earlier events of the same order have reached
    /// the same endpoint (or stopped trying), oldest first.
    async fn due_deliveries(&self, now_ms: i64, limit: u32)
    -> Result<Vec<DueDelivery>, StoreError>;

    /// When the next delivery that may be sent is due.
    async fn next_delivery_due(&self) -> Result<Option<i64>, StoreError>;

    /// Records attempts and what they mean for their deliveries, in one transaction.
    async fn record_deliveries(&self, results: &[DeliveryResult]) -> Result<(), StoreError>;

    /// The merchant's events, newest first.
    async fn events(
        &self,
        merchant_id: &str,
        filter: &EventFilter,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    async fn event(
        &self,
        merchant_id: &str,
        event_id: &str,
    ) -> Result<Option<StoredEvent>, StoreError>;

    /// The event's deliveries with their attempts.
    async fn event_deliveries(&self, event_id: &str) -> Result<Vec<DeliveryRecord>, StoreError>;

    async fn delivery_counts(&self) -> Result<DeliveryCounts, StoreError>;

    /// Sends the event again to each of `endpoint_ids`, from now, with a fresh retry
    /// window; `false` (and nothing done) if one of them is no longer enabled.
    async fn redeliver(
        &self,
        event_id: &str,
        endpoint_ids: &[String],
        now_ms: i64,
        answer: Option<&KeyAnswer>,
    ) -> Result<bool, StoreError>;
}
