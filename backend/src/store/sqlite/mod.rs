//! SQLite store: one file in WAL mode with `synchronous=FULL`, so every commit is
//! durable. One write connection (SQLite has one writer anyway; queuing in the pool
//! beats SQLITE_BUSY retries) and a small pool of readers.

mod attempts;
mod bank_work;
mod batch_connection;
mod checkpointer;
mod error;
mod group_commit;
mod guards;
mod idempotency;
mod ids;
mod inbox;
mod ledger;
mod lifecycle;
mod merchants;
mod operator;
mod order_moves;
mod order_writer;
mod orders;
mod outbox;
mod payouts;
mod process_lock;
mod refunds;
mod seen_keys;
mod settlement;
mod wal_flush;
mod webhook_endpoints;
#[cfg(test)]
mod write_lock_tests;
mod write_queue;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::*;
use crate::domain::alert::{Alert, NewAlert};
use crate::domain::balance::{BalanceFilter, BalanceTransaction, CurrencyBalance};
use crate::domain::event::{EventFilter, NewEvent, StoredEvent};
use crate::domain::idempotency::KeyClaim;
use crate::domain::ids::{
    AlertId, AttemptId, EndpointId, EventId, KeyId, MerchantId, OrderId, PayoutId, RefundId,
    SettlementId,
};
use crate::domain::ledger::AccountBalance;
use crate::domain::merchant::{Merchant, MerchantKey};
use crate::domain::order::{
    AttemptToQuery, CancelOutcome, NewAttempt, Order, OrderFilter, StartAttemptOutcome,
};
use crate::domain::payout::{Payout, PayoutOutcome};
use crate::domain::reconciliation::{BookedItem, OverdueItem, ReportLine};
use crate::domain::refund::{Refund, RefundDecision, RefundOutcome};
use crate::domain::settlement::Settlement;
use crate::domain::time::Millis;
use crate::domain::verdict::{
    Applied, InboxCounts, InboxEntry, NewInboxEntry, PlannedEntry, ReceiveOutcome, StoredVerdict,
};
use crate::domain::webhook::{
    DeliveryCounts, DeliveryRecord, DeliveryResult, DueDelivery, WebhookEndpoint,
};
use batch_connection::BatchConnection;
use checkpointer::Checkpointer;
use inbox::InboxWriter;
use order_writer::OrderWriter;
use process_lock::ProcessLock;
use wal_flush::WalFlusher;
use write_queue::WriteQueue;

/// Settings of every connection, the batch writer's too.
const PRAGMAS: [(&str, &str); 3] = [
    ("foreign_keys", "ON"),
    // 8 MiB of page cache per connection. Every commit scans the whole cache's hash
    // table once (SQLite's pcache truncation at the end of a transaction): at 64 MiB
    // that scan was 13% of the writer's time under load, at 8 MiB 2.6%. Pages beyond
    // it come from the operating system's cache.
    ("cache_size", "-8192"),
    // Statement journals (every multi-row insert in a transaction keeps one) and
    // temporary tables stay in memory instead of a temporary file.
    ("temp_store", "memory"),
];
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

pub struct SqliteStore {
    write: WriteQueue,
    read: SqlitePool,
    orders: OrderWriter,
    inbox: InboxWriter,
    claims: idempotency::Claims,
    _checkpointer: Checkpointer,
    /// Last, so it is let go once the rest is closed.
    _lock: ProcessLock,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let lock = ProcessLock::acquire(path).await?;
        let options = PRAGMAS.iter().fold(
            SqliteConnectOptions::from_str("sqlite://")?
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(BUSY_TIMEOUT),
            |options, (name, value)| options.pragma(*name, *value),
        );
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            // A connection in this process cannot go away unnoticed: a test before
            // each use is a round trip to its thread, and every group commit takes it
            // as the write lock.
            .test_before_acquire(false)
            .connect_with(options.clone().pragma(
                "wal_autocheckpoint",
                checkpointer::WRITER_FALLBACK_PAGES.to_string(),
            ))
            .await?;
        MIGRATOR
            .run(&write)
            .await
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        let checkpointer = Checkpointer::start(&options).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let flusher = WalFlusher::start(path)?;
        let batches = BatchConnection::open(path, write.clone())?;
        let orders = OrderWriter::spawn(batches.clone(), flusher.clone());
        let inbox = InboxWriter::spawn(batches, flusher);
        let claims = idempotency::Claims::load(&read).await?;
        Ok(SqliteStore {
            write: WriteQueue::new(write),
            read,
            orders,
            inbox,
            claims,
            _checkpointer: checkpointer,
            _lock: lock,
        })
    }
}

#[async_trait]
impl MerchantStore for SqliteStore {
    async fn upsert_merchant(&self, merchant: &Merchant) -> Result<(), StoreError> {
        merchants::upsert(&*self.write.turn().await, merchant).await
    }

    async fn merchant_by_key_hash(&self, key_hash: &str) -> Result<Option<Merchant>, StoreError> {
        merchants::by_key_hash(&self.read, key_hash).await
    }

    async fn merchant(&self, id: &MerchantId) -> Result<Option<Merchant>, StoreError> {
        merchants::by_id(&self.read, id).await
    }

    async fn create_merchant(&self, command: &CreateMerchant) -> Result<(), StoreError> {
        merchants::create(&*self.write.turn().await, command).await
    }

    async fn merchants(
        &self,
        after: Option<&MerchantId>,
        limit: u32,
    ) -> Result<Vec<Merchant>, StoreError> {
        merchants::list(&self.read, after, limit).await
    }

    async fn save_merchant_key(&self, key: &MerchantKey) -> Result<(), StoreError> {
        merchants::save_key(&*self.write.turn().await, key).await
    }

    async fn revoke_merchant_key(
        &self,
        merchant: &MerchantId,
        key: &KeyId,
        at: Millis,
    ) -> Result<bool, StoreError> {
        merchants::revoke_key(&*self.write.turn().await, merchant, key, at).await
    }

    async fn merchant_keys(&self, merchant: &MerchantId) -> Result<Vec<MerchantKey>, StoreError> {
        merchants::keys(&self.read, merchant).await
    }

    async fn set_return_urls(&self, command: &SetReturnUrls) -> Result<bool, StoreError> {
        merchants::set_return_urls(&*self.write.turn().await, command).await
    }
}

#[async_trait]
impl SettlementStore for SqliteStore {
    async fn booked_items(
        &self,
        merchant: &MerchantId,
        from: Millis,
        to: Millis,
    ) -> Result<Vec<BookedItem>, StoreError> {
        settlement::booked_items(&self.read, merchant, from, to).await
    }

    async fn record_reconciliation(
        &self,
        command: &RecordReconciliation,
    ) -> Result<u32, StoreError> {
        settlement::record(&*self.write.turn().await, command).await
    }

    async fn reconciliation_report(&self, run_date: &str) -> Result<Vec<ReportLine>, StoreError> {
        settlement::report(&self.read, run_date).await
    }

    async fn settleable(
        &self,
        merchant: &MerchantId,
    ) -> Result<Vec<BalanceTransaction>, StoreError> {
        settlement::settleable(&self.read, merchant).await
    }

    async fn settle(&self, command: &Settle) -> Result<(), StoreError> {
        settlement::settle(&*self.write.turn().await, command).await
    }

    async fn settlements(
        &self,
        merchant: &MerchantId,
        after: Option<&SettlementId>,
        limit: u32,
    ) -> Result<Vec<Settlement>, StoreError> {
        settlement::settlements(&self.read, merchant, after, limit).await
    }

    async fn settlement(
        &self,
        merchant: &MerchantId,
        id: &SettlementId,
    ) -> Result<Option<Settlement>, StoreError> {
        settlement::settlement(&self.read, merchant, id).await
    }

    async fn overdue_hand_offs(
        &self,
        clearing_before: Millis,
        transit_before: Millis,
    ) -> Result<Vec<OverdueItem>, StoreError> {
        settlement::overdue(&self.read, clearing_before, transit_before).await
    }

    async fn raise_alert_once(&self, key: &str, alert: &NewAlert) -> Result<bool, StoreError> {
        settlement::raise_once(&*self.write.turn().await, key, alert).await
    }

    async fn mark_settlement_run(&self, run_date: &str, at: Millis) -> Result<bool, StoreError> {
        settlement::mark_run(&*self.write.turn().await, run_date, at).await
    }
}

#[async_trait]
impl PayoutStore for SqliteStore {
    async fn create_payout(&self, command: &CreatePayout) -> Result<PayoutOutcome, StoreError> {
        payouts::create(&*self.write.turn().await, command).await
    }

    async fn payout(
        &self,
        merchant: &MerchantId,
        id: &PayoutId,
    ) -> Result<Option<Payout>, StoreError> {
        payouts::one(&self.read, merchant, id).await
    }

    async fn payouts(
        &self,
        merchant: &MerchantId,
        after: Option<&PayoutId>,
        limit: u32,
    ) -> Result<Vec<Payout>, StoreError> {
        payouts::list(&self.read, merchant, after, limit).await
    }

    async fn due_payouts(&self, now: Millis, limit: u32) -> Result<Vec<Payout>, StoreError> {
        payouts::due(&self.read, now, limit).await
    }

    async fn next_payout_due(&self) -> Result<Option<Millis>, StoreError> {
        payouts::next_due(&self.read).await
    }

    async fn retry_payout(
        &self,
        id: &PayoutId,
        next_try_at: Millis,
        error: &str,
    ) -> Result<(), StoreError> {
        payouts::retry(&*self.write.turn().await, id, next_try_at, error).await
    }

    async fn decide_payout(&self, decision: &PayoutDecision) -> Result<bool, StoreError> {
        payouts::decide(&*self.write.turn().await, decision).await
    }
}

#[async_trait]
impl LedgerStore for SqliteStore {
    async fn trial_balance(&self) -> Result<Vec<AccountBalance>, StoreError> {
        ledger::trial_balance(&self.read).await
    }

    async fn balances(&self, merchant: &MerchantId) -> Result<Vec<CurrencyBalance>, StoreError> {
        ledger::balances(&self.read, merchant).await
    }

    async fn balance_transactions(
        &self,
        merchant: &MerchantId,
        filter: &BalanceFilter,
    ) -> Result<Vec<BalanceTransaction>, StoreError> {
        ledger::balance_transactions(&self.read, merchant, filter).await
    }
}

#[async_trait]
impl IdempotencyStore for SqliteStore {
    async fn claim_idempotency_key(
        &self,
        merchant_id: &MerchantId,
        key: &str,
        request_hash: &str,
        not_before: Millis,
    ) -> Result<KeyClaim, StoreError> {
        self.claims
            .claim(&self.read, merchant_id, key, request_hash, not_before)
            .await
    }

    async fn release_idempotency_key(&self, merchant_id: &MerchantId, key: &str) {
        self.claims.release(merchant_id, key);
    }

    async fn prune_idempotency_keys(&self, before: Millis) -> Result<u64, StoreError> {
        idempotency::prune(&*self.write.turn().await, before).await
    }
}

#[async_trait]
impl OrderStore for SqliteStore {
    async fn create_order(&self, command: CreateOrder) -> Result<(), StoreError> {
        self.orders.create(command).await
    }

    async fn order(
        &self,
        merchant_id: &MerchantId,
        order_id: &OrderId,
    ) -> Result<Option<Order>, StoreError> {
        let key = orders::Key::Id {
            merchant_id,
            order_id,
        };
        orders::load(&self.read, key).await
    }

    async fn order_by_id(&self, order_id: &OrderId) -> Result<Option<Order>, StoreError> {
        orders::load(&self.read, orders::Key::AnyMerchant(order_id)).await
    }

    async fn order_by_attempt(&self, attempt_id: &AttemptId) -> Result<Option<Order>, StoreError> {
        orders::load(&self.read, orders::Key::Attempt(attempt_id)).await
    }

    async fn orders_by_attempts(
        &self,
        attempt_ids: &[AttemptId],
    ) -> Result<Vec<Order>, StoreError> {
        orders::load_by_attempts(&self.read, attempt_ids).await
    }

    async fn attempt_bank(&self, attempt_id: &AttemptId) -> Result<Option<String>, StoreError> {
        attempts::bank(&self.read, attempt_id).await
    }

    async fn attempt_card_last4(
        &self,
        attempt_id: &AttemptId,
    ) -> Result<Option<String>, StoreError> {
        attempts::card_last4(&self.read, attempt_id).await
    }

    async fn orders(
        &self,
        merchant_id: &MerchantId,
        filter: &OrderFilter,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError> {
        orders::list(&self.read, merchant_id, filter, limit).await
    }

    async fn start_attempt(&self, attempt: NewAttempt) -> Result<StartAttemptOutcome, StoreError> {
        attempts::start(&*self.write.turn().await, attempt).await
    }

    async fn cancel_order(&self, command: &CancelOrder) -> Result<CancelOutcome, StoreError> {
        lifecycle::cancel(&*self.write.turn().await, command).await
    }

    async fn expired_unpaid_orders(
        &self,
        now: Millis,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError> {
        orders::expired_unpaid(&self.read, now, limit).await
    }

    async fn next_order_expiry(&self) -> Result<Option<Millis>, StoreError> {
        orders::next_expiry(&self.read).await
    }

    async fn expire_orders(&self, events: &[NewEvent], now: Millis) -> Result<usize, StoreError> {
        lifecycle::expire(&*self.write.turn().await, events, now).await
    }
    async fn expire_at(&self, order_id: &OrderId, now: Millis) -> Result<bool, StoreError> {
        lifecycle::expire_at(&*self.write.turn().await, order_id, now).await
    }
}

#[async_trait]
impl RefundStore for SqliteStore {
    async fn create_refund(&self, command: &CreateRefund) -> Result<RefundOutcome, StoreError> {
        refunds::create(&*self.write.turn().await, command).await
    }

    async fn refund(
        &self,
        merchant_id: &MerchantId,
        refund_id: &RefundId,
    ) -> Result<Option<Refund>, StoreError> {
        refunds::one(&self.read, merchant_id, refund_id).await
    }

    async fn refunds_for_order(&self, order_id: &OrderId) -> Result<Vec<Refund>, StoreError> {
        bank_work::refunds_for_order(&self.read, order_id).await
    }

    async fn due_refunds(&self, now: Millis, limit: u32) -> Result<Vec<Refund>, StoreError> {
        bank_work::due_refunds(&self.read, now, limit).await
    }

    async fn next_refund_due(&self) -> Result<Option<Millis>, StoreError> {
        bank_work::next_refund_due(&self.read).await
    }

    async fn retry_refund(
        &self,
        refund_id: &RefundId,
        next_at: Millis,
        error: &str,
    ) -> Result<(), StoreError> {
        bank_work::retry_refund(&*self.write.turn().await, refund_id, next_at, error).await
    }

    async fn decide_refund(&self, decision: &RefundDecision) -> Result<bool, StoreError> {
        bank_work::decide_refund(&*self.write.turn().await, decision).await
    }
}

#[async_trait]
impl BankInboxStore for SqliteStore {
    async fn receive_verdict(
        &self,
        entry: NewInboxEntry,
        card_last4: Option<String>,
    ) -> Result<ReceiveOutcome, StoreError> {
        self.inbox.receive(entry, card_last4).await
    }

    async fn unapplied_verdicts(&self, limit: u32) -> Result<Vec<InboxEntry>, StoreError> {
        inbox::unapplied(&self.read, limit).await
    }

    async fn apply_verdicts(
        &self,
        planned: &[PlannedEntry],
        now: Millis,
    ) -> Result<Vec<Applied>, StoreError> {
        inbox::apply(&*self.write.turn().await, planned, now).await
    }

    async fn verdicts_of_order(
        &self,
        order_id: &OrderId,
    ) -> Result<Vec<StoredVerdict>, StoreError> {
        inbox::of_order(&self.read, order_id).await
    }

    async fn prune_nonces(&self, now: Millis) -> Result<u64, StoreError> {
        inbox::prune_nonces(&*self.write.turn().await, now).await
    }

    async fn due_queries(
        &self,
        now: Millis,
        limit: u32,
    ) -> Result<Vec<AttemptToQuery>, StoreError> {
        bank_work::due_queries(&self.read, now, limit).await
    }

    async fn next_query_due(&self) -> Result<Option<Millis>, StoreError> {
        bank_work::next_query_due(&self.read).await
    }

    async fn reschedule_query(
        &self,
        attempt_id: &AttemptId,
        next_at: Millis,
    ) -> Result<(), StoreError> {
        bank_work::reschedule_query(&*self.write.turn().await, attempt_id, next_at).await
    }
}

#[async_trait]
impl EndpointStore for SqliteStore {
    async fn save_webhook_endpoint(&self, command: &SaveEndpoint) -> Result<(), StoreError> {
        webhook_endpoints::save(&*self.write.turn().await, command).await
    }

    async fn webhook_endpoints(
        &self,
        merchant_id: &MerchantId,
    ) -> Result<Vec<WebhookEndpoint>, StoreError> {
        webhook_endpoints::list(&self.read, merchant_id).await
    }

    async fn webhook_endpoint(
        &self,
        merchant_id: &MerchantId,
        endpoint_id: &EndpointId,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        webhook_endpoints::one(&self.read, merchant_id, endpoint_id).await
    }

    async fn rotate_webhook_secret(
        &self,
        command: &RotateSecret,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        webhook_endpoints::rotate(&*self.write.turn().await, command).await
    }
}

#[async_trait]
impl OutboxStore for SqliteStore {
    async fn due_deliveries(
        &self,
        now: Millis,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        outbox::due(&self.read, now, limit).await
    }

    async fn next_delivery_due(&self) -> Result<Option<Millis>, StoreError> {
        outbox::next_due(&self.read).await
    }

    async fn record_deliveries(&self, results: &[DeliveryResult]) -> Result<(), StoreError> {
        outbox::record(&*self.write.turn().await, results).await
    }

    async fn events(
        &self,
        merchant_id: &MerchantId,
        filter: &EventFilter,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        outbox::list(&self.read, merchant_id, filter, limit).await
    }

    async fn event(
        &self,
        merchant_id: &MerchantId,
        event_id: &EventId,
    ) -> Result<Option<StoredEvent>, StoreError> {
        outbox::one(&self.read, merchant_id, event_id).await
    }

    async fn event_deliveries(
        &self,
        event_id: &EventId,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        outbox::deliveries(&self.read, event_id).await
    }

    async fn redeliver(&self, command: &Redeliver) -> Result<bool, StoreError> {
        outbox::redeliver(&*self.write.turn().await, command).await
    }
}

#[async_trait]
impl OperatorStore for SqliteStore {
    async fn resolve_alert(
        &self,
        id: &AlertId,
        reason: &str,
        at: Millis,
    ) -> Result<bool, StoreError> {
        bank_work::resolve_alert(&*self.write.turn().await, id, reason, at).await
    }

    async fn open_alerts(&self, limit: u32) -> Result<Vec<Alert>, StoreError> {
        bank_work::open_alerts(&self.read, limit).await
    }

    async fn inbox_counts(&self) -> Result<InboxCounts, StoreError> {
        inbox::counts(&self.read).await
    }

    async fn delivery_counts(&self) -> Result<DeliveryCounts, StoreError> {
        outbox::counts(&self.read).await
    }

    async fn totals(&self) -> Result<Totals, StoreError> {
        operator::totals(&self.read).await
    }

    async fn ready(&self) -> Result<(), StoreError> {
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.read)
                .await?;
        let expected = MIGRATOR.iter().count();
        if usize::try_from(applied).ok() != Some(expected) {
            return Err(StoreError::backend(format!(
                "{applied} of {expected} migrations applied"
            )));
        }
        Ok(())
    }

    async fn gauges(&self) -> Result<Gauges, StoreError> {
        let mut gauges = operator::gauges(&self.read).await?;
        gauges.deliveries = outbox::counts(&self.read).await?;
        Ok(gauges)
    }

    fn pools(&self) -> Vec<PoolUse> {
        let pool_use = |name, pool: &SqlitePool| {
            let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
            PoolUse {
                name,
                in_use: pool.size().saturating_sub(idle),
                idle,
            }
        };
        vec![
            pool_use("write", self.write.pool()),
            pool_use("read", &self.read),
        ]
    }
}

/// One process owns the file (`process_lock`): it holds every lease and has no one to
/// signal.
#[async_trait]
impl ReplicaStore for SqliteStore {
    async fn hold_lease(&self, _worker: &str, _ttl: Duration) -> Result<bool, StoreError> {
        Ok(true)
    }

    async fn release_lease(&self, _worker: &str) -> Result<(), StoreError> {
        Ok(())
    }

    fn announce(&self, _signal: Signal) {}

    fn signals(&self) -> Option<tokio::sync::broadcast::Receiver<Signal>> {
        None
    }
}

#[cfg(test)]
mod contract {
    use super::SqliteStore;
    use crate::store::contract::contract_suite;

    /// A store on a new file in a temporary directory, kept as long as the store.
    async fn open() -> (SqliteStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = SqliteStore::open(&dir.path().join("gateway.sqlite"))
            .await
            .expect("the store opens");
        (store, dir)
    }

    contract_suite!(open());
}
