//! PostgreSQL store, for several gateway replicas on one database. Writes run in
//! SERIALIZABLE transactions and are retried when PostgreSQL finds them racing
//! another writer, so every change behaves as if it ran alone, as it does on SQLite's
//! single writer: the same guards (`guards`) hold across replicas. Reads use a
//! second pool at the default isolation, as SQLite's readers do.

mod attempts;
mod bank_work;
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
mod refunds;
mod replicas;
mod retry;
mod settlement;
pub mod test_database;
mod webhook_endpoints;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

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
use inbox::InboxWriter;
use order_writer::OrderWriter;
use replicas::Replicas;
use retry::retrying;

/// The database's time now, in Unix milliseconds: leases and claims are timed by it,
/// as replicas' own clocks may differ.
const DB_NOW: &str = "(extract(epoch from clock_timestamp()) * 1000)::BIGINT";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections per pool: a replica's share of the database's `max_connections`.
const WRITE_CONNECTIONS: u32 = 8;
const READ_CONNECTIONS: u32 = 8;

pub struct PostgresStore {
    write: PgPool,
    read: PgPool,
    orders: OrderWriter,
    inbox: InboxWriter,
    replicas: Replicas,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://…`) and brings its schema up to
    /// date. sqlx holds an advisory lock while it migrates, so replicas starting
    /// together apply each migration once.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        // Plans made for each query's values: a generic plan cached while a table was
        // small (a new database) turns quadratic once it has grown.
        let options =
            PgConnectOptions::from_str(url)?.options([("plan_cache_mode", "force_custom_plan")]);
        let write = PgPoolOptions::new()
            .max_connections(WRITE_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(
                options
                    .clone()
                    .options([("default_transaction_isolation", "serializable")]),
            )
            .await?;
        MIGRATOR
            .run(&write)
            .await
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        let read = PgPoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        let orders = OrderWriter::spawn(write.clone());
        let inbox = InboxWriter::spawn(write.clone());
        let replicas = Replicas::start(read.clone()).await?;
        Ok(PostgresStore {
            write,
            read,
            orders,
            inbox,
            replicas,
        })
    }
}

#[async_trait]
impl MerchantStore for PostgresStore {
    async fn upsert_merchant(&self, merchant: &Merchant) -> Result<(), StoreError> {
        retrying(|| merchants::upsert(&self.write, merchant)).await
    }

    async fn merchant_by_key_hash(&self, key_hash: &str) -> Result<Option<Merchant>, StoreError> {
        merchants::by_key_hash(&self.read, key_hash).await
    }

    async fn merchant(&self, id: &MerchantId) -> Result<Option<Merchant>, StoreError> {
        merchants::by_id(&self.read, id).await
    }

    async fn create_merchant(&self, command: &CreateMerchant) -> Result<(), StoreError> {
        retrying(|| merchants::create(&self.write, command)).await
    }

    async fn merchants(
        &self,
        after: Option<&MerchantId>,
        limit: u32,
    ) -> Result<Vec<Merchant>, StoreError> {
        merchants::list(&self.read, after, limit).await
    }

    async fn save_merchant_key(&self, key: &MerchantKey) -> Result<(), StoreError> {
        retrying(|| merchants::save_key(&self.write, key)).await
    }

    async fn revoke_merchant_key(
        &self,
        merchant: &MerchantId,
        key: &KeyId,
        at: Millis,
    ) -> Result<bool, StoreError> {
        retrying(|| merchants::revoke_key(&self.write, merchant, key, at)).await
    }

    async fn merchant_keys(&self, merchant: &MerchantId) -> Result<Vec<MerchantKey>, StoreError> {
        merchants::keys(&self.read, merchant).await
    }

    async fn set_return_urls(&self, command: &SetReturnUrls) -> Result<bool, StoreError> {
        retrying(|| merchants::set_return_urls(&self.write, command)).await
    }
}

#[async_trait]
impl SettlementStore for PostgresStore {
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
        retrying(|| settlement::record(&self.write, command)).await
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
        retrying(|| settlement::settle(&self.write, command)).await
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
        retrying(|| settlement::raise_once(&self.write, key, alert)).await
    }

    async fn mark_settlement_run(&self, run_date: &str, at: Millis) -> Result<bool, StoreError> {
        retrying(|| settlement::mark_run(&self.write, run_date, at)).await
    }
}

#[async_trait]
impl PayoutStore for PostgresStore {
    async fn create_payout(&self, command: &CreatePayout) -> Result<PayoutOutcome, StoreError> {
        retrying(|| payouts::create(&self.write, command)).await
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
        retrying(|| payouts::retry(&self.write, id, next_try_at, error)).await
    }

    async fn decide_payout(&self, decision: &PayoutDecision) -> Result<bool, StoreError> {
        retrying(|| payouts::decide(&self.write, decision)).await
    }
}

#[async_trait]
impl LedgerStore for PostgresStore {
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
impl IdempotencyStore for PostgresStore {
    async fn claim_idempotency_key(
        &self,
        merchant_id: &MerchantId,
        key: &str,
        request_hash: &str,
        not_before: Millis,
    ) -> Result<KeyClaim, StoreError> {
        let holder = self.replicas.id();
        retrying(|| {
            idempotency::claim(
                &self.write,
                holder,
                merchant_id,
                key,
                request_hash,
                not_before,
            )
        })
        .await
    }

    async fn release_idempotency_key(&self, merchant_id: &MerchantId, key: &str) {
        idempotency::release(&self.write, self.replicas.id(), merchant_id, key).await;
    }

    async fn prune_idempotency_keys(&self, before: Millis) -> Result<u64, StoreError> {
        retrying(|| idempotency::prune(&self.write, before)).await
    }
}

#[async_trait]
impl OrderStore for PostgresStore {
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
        retrying(|| attempts::start(&self.write, &attempt)).await
    }

    async fn cancel_order(&self, command: &CancelOrder) -> Result<CancelOutcome, StoreError> {
        retrying(|| lifecycle::cancel(&self.write, command)).await
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
        retrying(|| lifecycle::expire(&self.write, events, now)).await
    }
    async fn expire_at(&self, order_id: &OrderId, now: Millis) -> Result<bool, StoreError> {
        retrying(|| lifecycle::expire_at(&self.write, order_id, now)).await
    }
}

#[async_trait]
impl RefundStore for PostgresStore {
    async fn create_refund(&self, command: &CreateRefund) -> Result<RefundOutcome, StoreError> {
        retrying(|| refunds::create(&self.write, command)).await
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
        retrying(|| bank_work::retry_refund(&self.write, refund_id, next_at, error)).await
    }

    async fn decide_refund(&self, decision: &RefundDecision) -> Result<bool, StoreError> {
        retrying(|| bank_work::decide_refund(&self.write, decision)).await
    }
}

#[async_trait]
impl BankInboxStore for PostgresStore {
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
        retrying(|| inbox::apply(&self.write, planned, now)).await
    }

    async fn verdicts_of_order(
        &self,
        order_id: &OrderId,
    ) -> Result<Vec<StoredVerdict>, StoreError> {
        inbox::of_order(&self.read, order_id).await
    }

    async fn prune_nonces(&self, now: Millis) -> Result<u64, StoreError> {
        retrying(|| inbox::prune_nonces(&self.write, now)).await
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
        retrying(|| bank_work::reschedule_query(&self.write, attempt_id, next_at)).await
    }
}

#[async_trait]
impl EndpointStore for PostgresStore {
    async fn save_webhook_endpoint(&self, command: &SaveEndpoint) -> Result<(), StoreError> {
        retrying(|| webhook_endpoints::save(&self.write, command)).await
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
        retrying(|| webhook_endpoints::rotate(&self.write, command)).await
    }
}

#[async_trait]
impl OutboxStore for PostgresStore {
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
        retrying(|| outbox::record(&self.write, self.replicas.id(), results)).await
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
        retrying(|| outbox::redeliver(&self.write, command)).await
    }
}

#[async_trait]
impl OperatorStore for PostgresStore {
    async fn resolve_alert(
        &self,
        id: &AlertId,
        reason: &str,
        at: Millis,
    ) -> Result<bool, StoreError> {
        retrying(|| bank_work::resolve_alert(&self.write, id, reason, at)).await
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
        let pool_use = |name, pool: &PgPool| {
            let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
            PoolUse {
                name,
                in_use: pool.size().saturating_sub(idle),
                idle,
            }
        };
        vec![pool_use("write", &self.write), pool_use("read", &self.read)]
    }
}

#[async_trait]
impl ReplicaStore for PostgresStore {
    async fn hold_lease(&self, worker: &str, ttl: Duration) -> Result<bool, StoreError> {
        self.replicas.hold_lease(worker, ttl).await
    }

    async fn release_lease(&self, worker: &str) -> Result<(), StoreError> {
        self.replicas.release_lease(worker).await
    }

    fn announce(&self, signal: Signal) {
        self.replicas.announce(signal);
    }

    fn signals(&self) -> Option<tokio::sync::broadcast::Receiver<Signal>> {
        Some(self.replicas.signals())
    }
}

#[cfg(test)]
mod contract {
    use super::PostgresStore;
    use super::test_database::TestDatabase;
    use crate::store::contract::contract_suite;

    /// A store on a new database, dropped with the returned guard.
    async fn open() -> (PostgresStore, TestDatabase) {
        let db = TestDatabase::create().await;
        let store = PostgresStore::open(db.url())
            .await
            .expect("the store opens");
        (store, db)
    }

    contract_suite!(open());
}

#[cfg(test)]
mod presence {
    use super::PostgresStore;
    use super::test_database::TestDatabase;
    use crate::domain::idempotency::KeyClaim;
    use crate::domain::ids::MerchantId;
    use crate::store::IdempotencyStore;

    #[tokio::test]
    async fn a_claim_is_held_while_its_replica_runs_and_free_once_it_is_gone() {
        let db = TestDatabase::create().await;
        let a = PostgresStore::open(db.url()).await.unwrap();
        let b = PostgresStore::open(db.url()).await.unwrap();
        let merchant = MerchantId::from("mer_1");
        let claim = async |store: &PostgresStore, key: &str| {
            store
                .claim_idempotency_key(&merchant, key, "a request", 0)
                .await
                .unwrap()
        };
        assert_eq!(claim(&a, "held").await, KeyClaim::Claimed);
        assert_eq!(claim(&b, "held").await, KeyClaim::InUse);
        // Only the holder ends its claim.
        b.release_idempotency_key(&merchant, "held").await;
        assert_eq!(claim(&b, "held").await, KeyClaim::InUse);
        a.release_idempotency_key(&merchant, "held").await;
        assert_eq!(claim(&b, "held").await, KeyClaim::Claimed);

        // A claim left by a replica that no longer renews its presence (killed), its
        // own lease still running, is free at once.
        sqlx::query(
            "INSERT INTO idempotency_claims (merchant_id, key, request_hash, expires_at, holder)
             VALUES ('mer_1', 'left', 'a request', 9999999999999, 'killed-1')",
        )
        .execute(&b.read)
        .await
        .unwrap();
        assert_eq!(claim(&a, "left").await, KeyClaim::Claimed);
        assert_eq!(claim(&b, "left").await, KeyClaim::InUse);
    }
}
