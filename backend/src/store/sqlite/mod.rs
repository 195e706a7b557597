//! SQLite store: one file in WAL mode with `synchronous=FULL`, so every commit is
//! durable. One write connection (SQLite has one writer anyway; queuing in the pool
//! beats SQLITE_BUSY retries) and a small pool of readers.

mod attempts;
mod bank_work;
mod idempotency;
mod inbox;
mod lifecycle;
mod merchants;
mod order_writer;
mod orders;
mod outbox;
mod refunds;
mod webhook_endpoints;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use paydesk_shared::Money;

use super::*;
use inbox::InboxWriter;
use order_writer::OrderWriter;

pub struct SqliteStore {
    write: SqlitePool,
    read: SqlitePool,
    orders: OrderWriter,
    inbox: InboxWriter,
    claims: idempotency::Claims,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 64 MiB of page cache: the hot pages of every index stay in memory.
            .pragma("cache_size", "-65536");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&write)
            .await
            .map_err(|e| StoreError::Database(e.into()))?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let orders = OrderWriter::spawn(write.clone());
        let inbox = InboxWriter::spawn(write.clone());
        Ok(SqliteStore {
            write,
            read,
            orders,
            inbox,
            claims: idempotency::Claims::default(),
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn upsert_merchant(&self, merchant: &Merchant) -> Result<(), StoreError> {
        merchants::upsert(&self.write, merchant).await
    }

    async fn merchant_by_key_hash(&self, key_hash: &str) -> Result<Option<Merchant>, StoreError> {
        merchants::by_key_hash(&self.read, key_hash).await
    }

    async fn merchant(&self, id: &str) -> Result<Option<Merchant>, StoreError> {
        merchants::by_id(&self.read, id).await
    }

    async fn claim_idempotency_key(
        &self,
        merchant_id: &str,
        key: &str,
        request_hash: &str,
        not_before_ms: i64,
    ) -> Result<KeyClaim, StoreError> {
        self.claims
            .claim(&self.read, merchant_id, key, request_hash, not_before_ms)
            .await
    }

    fn release_idempotency_key(&self, merchant_id: &str, key: &str) {
        self.claims.release(merchant_id, key);
    }

    async fn prune_idempotency_keys(&self, before_ms: i64) -> Result<u64, StoreError> {
        idempotency::prune(&self.write, before_ms).await
    }

    async fn create_order(
        &self,
        order: NewOrder,
        answer: Option<KeyAnswer>,
    ) -> Result<(), StoreError> {
        self.orders.create(order, answer).await
    }

    async fn order(
        &self,
        merchant_id: &str,
        order_id: &str,
    ) -> Result<Option<OrderRecord>, StoreError> {
        orders::load(
            &self.read,
            orders::Key::Id {
                merchant_id,
                order_id,
            },
        )
        .await
    }

    async fn order_by_id(&self, order_id: &str) -> Result<Option<OrderRecord>, StoreError> {
        orders::load(&self.read, orders::Key::AnyMerchant(order_id)).await
    }

    async fn order_by_attempt(&self, attempt_id: &str) -> Result<Option<OrderRecord>, StoreError> {
        orders::load(&self.read, orders::Key::Attempt(attempt_id)).await
    }

    async fn orders_by_attempts(
        &self,
        attempt_ids: &[String],
    ) -> Result<Vec<OrderRecord>, StoreError> {
        orders::load_by_attempts(&self.read, attempt_ids).await
    }

    async fn orders(
        &self,
        merchant_id: &str,
        filter: &OrderFilter,
        limit: u32,
    ) -> Result<Vec<OrderRecord>, StoreError> {
        orders::list(&self.read, merchant_id, filter, limit).await
    }

    async fn expired_unpaid_orders(
        &self,
        now_ms: i64,
        limit: u32,
    ) -> Result<Vec<OrderRecord>, StoreError> {
        orders::expired_unpaid(&self.read, now_ms, limit).await
    }

    async fn next_order_expiry(&self) -> Result<Option<i64>, StoreError> {
        orders::next_expiry(&self.read).await
    }

    async fn expire_orders(&self, events: &[NewEvent], now_ms: i64) -> Result<usize, StoreError> {
        lifecycle::expire(&self.write, events, now_ms).await
    }

    async fn cancel_order(
        &self,
        event: &NewEvent,
        now_ms: i64,
        answer: Option<&KeyAnswer>,
    ) -> Result<CancelOutcome, StoreError> {
        lifecycle::cancel(&self.write, event, now_ms, answer).await
    }

    async fn create_refund(
        &self,
        refund: &NewRefund,
        paid: Money,
        answer: Option<&KeyAnswer>,
    ) -> Result<RefundOutcome, StoreError> {
        refunds::create(&self.write, refund, paid, answer).await
    }

    async fn refund(
        &self,
        merchant_id: &str,
        refund_id: &str,
    ) -> Result<Option<RefundRecord>, StoreError> {
        refunds::one(&self.read, merchant_id, refund_id).await
    }

    async fn attempt_bank(&self, attempt_id: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT bank_code FROM payment_attempts WHERE id = ?")
                .bind(attempt_id)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    async fn start_attempt(&self, attempt: NewAttempt) -> Result<StartAttemptOutcome, StoreError> {
        attempts::start(&self.write, attempt).await
    }

    async fn receive_verdict(&self, entry: NewInboxEntry) -> Result<ReceiveOutcome, StoreError> {
        self.inbox.receive(entry).await
    }

    async fn unapplied_verdicts(&self, limit: u32) -> Result<Vec<InboxEntry>, StoreError> {
        inbox::unapplied(&self.read, limit).await
    }

    async fn apply_verdicts(
        &self,
        planned: &[PlannedEntry],
        now_ms: i64,
    ) -> Result<Vec<Applied>, StoreError> {
        inbox::apply(&self.write, planned, now_ms).await
    }

    async fn prune_nonces(&self, now_ms: i64) -> Result<u64, StoreError> {
        inbox::prune_nonces(&self.write, now_ms).await
    }

    async fn due_queries(
        &self,
        now_ms: i64,
        limit: u32,
    ) -> Result<Vec<AttemptToQuery>, StoreError> {
        bank_work::due_queries(&self.read, now_ms, limit).await
    }

    async fn next_query_due(&self) -> Result<Option<i64>, StoreError> {
        bank_work::next_query_due(&self.read).await
    }

    async fn reschedule_query(&self, attempt_id: &str, next_at: i64) -> Result<(), StoreError> {
        bank_work::reschedule_query(&self.write, attempt_id, next_at).await
    }

    async fn due_refunds(&self, now_ms: i64, limit: u32) -> Result<Vec<RefundRecord>, StoreError> {
        bank_work::due_refunds(&self.read, now_ms, limit).await
    }

    async fn next_refund_due(&self) -> Result<Option<i64>, StoreError> {
        bank_work::next_refund_due(&self.read).await
    }

    async fn refunds_for_order(&self, order_id: &str) -> Result<Vec<RefundRecord>, StoreError> {
        bank_work::refunds_for_order(&self.read, order_id).await
    }

    async fn retry_refund(
        &self,
        refund_id: &str,
        next_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        bank_work::retry_refund(&self.write, refund_id, next_at, error).await
    }

    async fn decide_refund(&self, decision: &RefundDecision) -> Result<bool, StoreError> {
        bank_work::decide_refund(&self.write, decision).await
    }

    async fn open_alerts(&self, limit: u32) -> Result<Vec<Alert>, StoreError> {
        bank_work::open_alerts(&self.read, limit).await
    }

    async fn inbox_counts(&self) -> Result<InboxCounts, StoreError> {
        inbox::counts(&self.read).await
    }

    async fn save_webhook_endpoint(
        &self,
        endpoint: &WebhookEndpoint,
        answer: Option<&KeyAnswer>,
    ) -> Result<(), StoreError> {
        webhook_endpoints::save(&self.write, endpoint, answer).await
    }

    async fn webhook_endpoints(
        &self,
        merchant_id: &str,
    ) -> Result<Vec<WebhookEndpoint>, StoreError> {
        webhook_endpoints::list(&self.read, merchant_id).await
    }

    async fn webhook_endpoint(
        &self,
        merchant_id: &str,
        endpoint_id: &str,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        webhook_endpoints::one(&self.read, merchant_id, endpoint_id).await
    }

    async fn rotate_webhook_secret(
        &self,
        merchant_id: &str,
        endpoint_id: &str,
        secret: &str,
        previous_until: i64,
        now_ms: i64,
        answer: Option<&KeyAnswer>,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        let rotation = webhook_endpoints::Rotation {
            merchant_id,
            endpoint_id,
            secret,
            previous_until,
            now: now_ms,
        };
        webhook_endpoints::rotate(&self.write, &rotation, answer).await
    }

    async fn due_deliveries(
        &self,
        now_ms: i64,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        outbox::due(&self.read, now_ms, limit).await
    }

    async fn next_delivery_due(&self) -> Result<Option<i64>, StoreError> {
        outbox::next_due(&self.read).await
    }

    async fn record_deliveries(&self, results: &[DeliveryResult]) -> Result<(), StoreError> {
        outbox::record(&self.write, results).await
    }

    async fn events(
        &self,
        merchant_id: &str,
        filter: &EventFilter,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        outbox::list(&self.read, merchant_id, filter, limit).await
    }

    async fn event(
        &self,
        merchant_id: &str,
        event_id: &str,
    ) -> Result<Option<StoredEvent>, StoreError> {
        outbox::one(&self.read, merchant_id, event_id).await
    }

    async fn event_deliveries(&self, event_id: &str) -> Result<Vec<DeliveryRecord>, StoreError> {
        outbox::deliveries(&self.read, event_id).await
    }

    async fn delivery_counts(&self) -> Result<DeliveryCounts, StoreError> {
        outbox::counts(&self.read).await
    }

    async fn redeliver(
        &self,
        event_id: &str,
        endpoint_ids: &[String],
        now_ms: i64,
        answer: Option<&KeyAnswer>,
    ) -> Result<bool, StoreError> {
        outbox::redeliver(&self.write, event_id, endpoint_ids, now_ms, answer).await
    }
}

/// `?, ?, ?` for an `IN (…)` list of the statuses a transition may start from.
fn status_list(statuses: &[paydesk_shared::OrderStatus]) -> String {
    statuses
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
