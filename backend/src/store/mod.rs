//! The storage boundary: one small port per aggregate, shaped like its callers, all
//! combined into [`Store`]. Handlers and workers talk to `dyn Store`; SQL lives only
//! in the adapters (`sqlite/`). Every change is made under the preconditions
//! (`domain::change`) its rules name, and every adapter passes one contract suite
//! (`contract/`).

mod commands;
#[cfg(test)]
pub(crate) mod contract;
mod error;
pub mod postgres;
pub mod sqlite;

use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::broadcast;

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
use crate::domain::payout::{Payout, PayoutOutcome, PayoutStatus};
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

pub use commands::*;
pub use error::StoreError;

/// Every port together: what the gateway is built on.
pub trait Store:
    MerchantStore
    + LedgerStore
    + SettlementStore
    + PayoutStore
    + IdempotencyStore
    + OrderStore
    + RefundStore
    + BankInboxStore
    + EndpointStore
    + OutboxStore
    + OperatorStore
    + ReplicaStore
    + 'static
{
}

impl<T> Store for T where
    T: MerchantStore
        + LedgerStore
        + SettlementStore
        + PayoutStore
        + IdempotencyStore
        + OrderStore
        + RefundStore
        + BankInboxStore
        + EndpointStore
        + OutboxStore
        + OperatorStore
        + ReplicaStore
        + 'static
{
}

#[async_trait]
pub trait MerchantStore: Send + Sync {
    /// Creates the merchant or, if one with this id exists, replaces its settings
    /// (configured merchants, at start-up).
    async fn upsert_merchant(&self, merchant: &Merchant) -> Result<(), StoreError>;

    /// Creates a merchant with its first key; `Duplicate` if the id is taken.
    async fn create_merchant(&self, command: &CreateMerchant) -> Result<(), StoreError>;

    /// The merchant holding this key, unless the key is revoked.
    async fn merchant_by_key_hash(&self, key_hash: &str) -> Result<Option<Merchant>, StoreError>;

    async fn merchant(&self, id: &MerchantId) -> Result<Option<Merchant>, StoreError>;

    /// Merchants by id, after `after`.
    async fn merchants(
        &self,
        after: Option<&MerchantId>,
        limit: u32,
    ) -> Result<Vec<Merchant>, StoreError>;

    /// Adds a key or, if one with this id exists, replaces its hash.
    async fn save_merchant_key(&self, key: &MerchantKey) -> Result<(), StoreError>;

    /// Revokes one of the merchant's keys; false if it has no such key in force.
    async fn revoke_merchant_key(
        &self,
        merchant: &MerchantId,
        key: &KeyId,
        at: Millis,
    ) -> Result<bool, StoreError>;

    /// The merchant's keys, revoked ones included, oldest first.
    async fn merchant_keys(&self, merchant: &MerchantId) -> Result<Vec<MerchantKey>, StoreError>;

    /// False if there is no such merchant or its URLs are no longer `previous`.
    async fn set_return_urls(&self, command: &SetReturnUrls) -> Result<bool, StoreError>;
}

/// Reconciliation and settlement: what the banks' files are checked against, the
/// report, and the settlements that make reconciled money available.
#[async_trait]
pub trait SettlementStore: Send + Sync {
    /// The merchant's succeeded payments (kept or not) and refunds decided in
    /// `[from, to)`.
    async fn booked_items(
        &self,
        merchant: &MerchantId,
        from: Millis,
        to: Millis,
    ) -> Result<Vec<BookedItem>, StoreError>;

    /// Stores what reconciling one file found; answers how many alerts it raised.
    async fn record_reconciliation(
        &self,
        command: &RecordReconciliation,
    ) -> Result<u32, StoreError>;

    /// The day's report, every file and merchant.
    async fn reconciliation_report(&self, run_date: &str) -> Result<Vec<ReportLine>, StoreError>;

    /// The merchant's pending, reconciled balance transactions.
    async fn settleable(
        &self,
        merchant: &MerchantId,
    ) -> Result<Vec<BalanceTransaction>, StoreError>;

    /// Stores a settlement; `Conflict` if one of its lines was settled meanwhile.
    async fn settle(&self, command: &Settle) -> Result<(), StoreError>;

    /// The merchant's settlements, newest first, after `after`.
    async fn settlements(
        &self,
        merchant: &MerchantId,
        after: Option<&SettlementId>,
        limit: u32,
    ) -> Result<Vec<Settlement>, StoreError>;

    async fn settlement(
        &self,
        merchant: &MerchantId,
        id: &SettlementId,
    ) -> Result<Option<Settlement>, StoreError>;

    /// Money still in a hand-off account past its expected time: payments and refunds
    /// the bank has not settled, decided before `clearing_before`; payouts without the
    /// bank's final word, created before `transit_before`.
    async fn overdue_hand_offs(
        &self,
        clearing_before: Millis,
        transit_before: Millis,
    ) -> Result<Vec<OverdueItem>, StoreError>;

    /// Raises `alert` unless one was raised for `key` before; answers whether it did.
    async fn raise_alert_once(&self, key: &str, alert: &NewAlert) -> Result<bool, StoreError>;

    /// Records that the scheduled run of `run_date` ran; false if it had before.
    async fn mark_settlement_run(&self, run_date: &str, at: Millis) -> Result<bool, StoreError>;
}

/// Payouts to merchants' bank accounts, sent until the bank's final word.
#[async_trait]
pub trait PayoutStore: Send + Sync {
    /// Creates the payout unless the merchant's available balance in its currency is
    /// below its amount.
    async fn create_payout(&self, command: &CreatePayout) -> Result<PayoutOutcome, StoreError>;

    async fn payout(
        &self,
        merchant: &MerchantId,
        id: &PayoutId,
    ) -> Result<Option<Payout>, StoreError>;

    /// The merchant's payouts, newest first, after `after`.
    async fn payouts(
        &self,
        merchant: &MerchantId,
        after: Option<&PayoutId>,
        limit: u32,
    ) -> Result<Vec<Payout>, StoreError>;

    /// Payouts due to be sent (again) at `now`, oldest first.
    async fn due_payouts(&self, now: Millis, limit: u32) -> Result<Vec<Payout>, StoreError>;

    async fn next_payout_due(&self) -> Result<Option<Millis>, StoreError>;

    /// Sent without a final answer: in transit, tried again at `next_try_at`.
    async fn retry_payout(
        &self,
        id: &PayoutId,
        next_try_at: Millis,
        error: &str,
    ) -> Result<(), StoreError>;

    /// Records the bank's final word once; false if it was recorded before.
    async fn decide_payout(&self, decision: &PayoutDecision) -> Result<bool, StoreError>;
}

/// The books: postings are written by the other ports, in their causes'
/// transactions; this port reads what they add up to.
#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// Every account's balance per currency.
    async fn trial_balance(&self) -> Result<Vec<AccountBalance>, StoreError>;

    /// The merchant's pending and available balance per currency, from the entries.
    async fn balances(&self, merchant: &MerchantId) -> Result<Vec<CurrencyBalance>, StoreError>;

    /// The merchant's balance transactions, newest first.
    async fn balance_transactions(
        &self,
        merchant: &MerchantId,
        filter: &BalanceFilter,
    ) -> Result<Vec<BalanceTransaction>, StoreError>;
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims an `Idempotency-Key` for one request, unless it answered the same request
    /// since `not_before`, belongs to another request, or is held by a running one.
    /// The claimant records its answer with its change (the commands' `answer`) and
    /// then releases the key; an answer is only ever recorded under a claim of its key
    /// (the SQLite store relies on it to skip reading keys it never saw). The SQLite store is one process per database file, so it
    /// holds claims in memory; a store shared by several gateways holds them in the
    /// database, with the same contract.
    async fn claim_idempotency_key(
        &self,
        merchant_id: &MerchantId,
        key: &str,
        request_hash: &str,
        not_before: Millis,
    ) -> Result<KeyClaim, StoreError>;

    /// Ends a claim: the request has answered (and recorded what it will replay).
    async fn release_idempotency_key(&self, merchant_id: &MerchantId, key: &str);

    /// Forgets answers recorded before `before`.
    async fn prune_idempotency_keys(&self, before: Millis) -> Result<u64, StoreError>;
}

#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Stores a new order (group commit), with the answer its key replays.
    async fn create_order(&self, command: CreateOrder) -> Result<(), StoreError>;

    /// The order with its items and attempts, if it belongs to this merchant.
    async fn order(
        &self,
        merchant_id: &MerchantId,
        order_id: &OrderId,
    ) -> Result<Option<Order>, StoreError>;

    /// The order whoever it belongs to: for the gateway's own bookkeeping only.
    async fn order_by_id(&self, order_id: &OrderId) -> Result<Option<Order>, StoreError>;

    async fn order_by_attempt(&self, attempt_id: &AttemptId) -> Result<Option<Order>, StoreError>;

    /// The orders of these attempts (each once), for bookkeeping in bulk.
    async fn orders_by_attempts(&self, attempt_ids: &[AttemptId])
    -> Result<Vec<Order>, StoreError>;

    /// The bank an attempt was made at, if the attempt exists.
    async fn attempt_bank(&self, attempt_id: &AttemptId) -> Result<Option<String>, StoreError>;

    /// The last four digits of the card an attempt was decided with, if its bank named
    /// them: the shopper's receipt shows them masked.
    async fn attempt_card_last4(
        &self,
        attempt_id: &AttemptId,
    ) -> Result<Option<String>, StoreError>;

    /// The merchant's orders matching `filter`, newest first.
    async fn orders(
        &self,
        merchant_id: &MerchantId,
        filter: &OrderFilter,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError>;

    /// Moves the order by `StartAttempt` and records the attempt, in one transaction.
    /// An attempt with the same (order, idempotency key) is returned instead of a new one.
    async fn start_attempt(&self, attempt: NewAttempt) -> Result<StartAttemptOutcome, StoreError>;

    /// Cancels the command's order, or says where the order stands.
    async fn cancel_order(&self, command: &CancelOrder) -> Result<CancelOutcome, StoreError>;

    /// Unpaid orders past their expiry, earliest first.
    async fn expired_unpaid_orders(
        &self,
        now: Millis,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError>;

    /// The earliest expiry of an unpaid order.
    async fn next_order_expiry(&self) -> Result<Option<Millis>, StoreError>;

    /// Expires each event's order (`Expire`, with its preconditions) with its event, in
    /// one transaction. Returns how many moved.
    async fn expire_orders(&self, events: &[NewEvent], now: Millis) -> Result<usize, StoreError>;

    /// Brings an order's expiry forward to `now` if it is later and the order may still
    /// expire (the test helpers' "expire now"); `false` if nothing changed.
    async fn expire_at(&self, order_id: &OrderId, now: Millis) -> Result<bool, StoreError>;
}

#[async_trait]
pub trait RefundStore: Send + Sync {
    async fn create_refund(&self, command: &CreateRefund) -> Result<RefundOutcome, StoreError>;

    /// The refund, if it is of one of the merchant's orders.
    async fn refund(
        &self,
        merchant_id: &MerchantId,
        refund_id: &RefundId,
    ) -> Result<Option<Refund>, StoreError>;

    async fn refunds_for_order(&self, order_id: &OrderId) -> Result<Vec<Refund>, StoreError>;

    /// Pending refunds due to be sent to the bank, most overdue first.
    async fn due_refunds(&self, now: Millis, limit: u32) -> Result<Vec<Refund>, StoreError>;

    async fn next_refund_due(&self) -> Result<Option<Millis>, StoreError>;

    /// Counts a try the bank did not answer and sets the next one.
    async fn retry_refund(
        &self,
        refund_id: &RefundId,
        next_at: Millis,
        error: &str,
    ) -> Result<(), StoreError>;

    /// Records a refund's outcome with its event (and alert) once; `false` if it was
    /// decided before.
    async fn decide_refund(&self, decision: &RefundDecision) -> Result<bool, StoreError>;
}

#[async_trait]
pub trait BankInboxStore: Send + Sync {
    /// Stores a verified bank verdict, refusing a signature nonce seen before, with the
    /// last four digits of the card paid with when the bank's message named them (four
    /// ASCII digits): applying the verdict puts them on its attempt.
    async fn receive_verdict(
        &self,
        entry: NewInboxEntry,
        card_last4: Option<String>,
    ) -> Result<ReceiveOutcome, StoreError>;

    /// Stored verdicts not applied yet, in the order they arrived.
    async fn unapplied_verdicts(&self, limit: u32) -> Result<Vec<InboxEntry>, StoreError>;

    /// Executes the plans in one transaction, in order; `Conflict` if an attempt a plan
    /// expected pending is decided already (then nothing is applied).
    async fn apply_verdicts(
        &self,
        planned: &[PlannedEntry],
        now: Millis,
    ) -> Result<Vec<Applied>, StoreError>;

    /// Every verdict stored for the order's attempts, in the order they arrived.
    async fn verdicts_of_order(&self, order_id: &OrderId)
    -> Result<Vec<StoredVerdict>, StoreError>;

    /// Forgets bank nonces that expired before `now`.
    async fn prune_nonces(&self, now: Millis) -> Result<u64, StoreError>;

    /// Pending attempts whose next status query is due, most overdue first.
    async fn due_queries(&self, now: Millis, limit: u32)
    -> Result<Vec<AttemptToQuery>, StoreError>;

    async fn next_query_due(&self) -> Result<Option<Millis>, StoreError>;

    /// Counts a query that left the attempt pending and sets the next one.
    async fn reschedule_query(
        &self,
        attempt_id: &AttemptId,
        next_at: Millis,
    ) -> Result<(), StoreError>;
}

#[async_trait]
pub trait EndpointStore: Send + Sync {
    async fn save_webhook_endpoint(&self, command: &SaveEndpoint) -> Result<(), StoreError>;

    /// The merchant's endpoints that are not deleted, oldest first.
    async fn webhook_endpoints(
        &self,
        merchant_id: &MerchantId,
    ) -> Result<Vec<WebhookEndpoint>, StoreError>;

    async fn webhook_endpoint(
        &self,
        merchant_id: &MerchantId,
        endpoint_id: &EndpointId,
    ) -> Result<Option<WebhookEndpoint>, StoreError>;

    /// `None` if there is no such live endpoint.
    async fn rotate_webhook_secret(
        &self,
        command: &RotateSecret,
    ) -> Result<Option<WebhookEndpoint>, StoreError>;
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Deliveries due by `now` whose earlier events of the same order have reached
    /// the same endpoint (or stopped trying), oldest first.
    async fn due_deliveries(&self, now: Millis, limit: u32)
    -> Result<Vec<DueDelivery>, StoreError>;

    /// When the next delivery that may be sent is due.
    async fn next_delivery_due(&self) -> Result<Option<Millis>, StoreError>;

    /// Records attempts and what they mean for their deliveries, in one transaction.
    async fn record_deliveries(&self, results: &[DeliveryResult]) -> Result<(), StoreError>;

    /// The merchant's events, newest first.
    async fn events(
        &self,
        merchant_id: &MerchantId,
        filter: &EventFilter,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    async fn event(
        &self,
        merchant_id: &MerchantId,
        event_id: &EventId,
    ) -> Result<Option<StoredEvent>, StoreError>;

    /// The event's deliveries with their attempts.
    async fn event_deliveries(&self, event_id: &EventId)
    -> Result<Vec<DeliveryRecord>, StoreError>;

    /// `false` (and nothing done) if one of the endpoints is no longer enabled.
    async fn redeliver(&self, command: &Redeliver) -> Result<bool, StoreError>;
}

/// What the operator reads: alerts, backlogs and how much is stored.
#[async_trait]
pub trait OperatorStore: Send + Sync {
    async fn open_alerts(&self, limit: u32) -> Result<Vec<Alert>, StoreError>;

    /// Closes an open alert with the operator's reason; false if it is not open.
    async fn resolve_alert(
        &self,
        id: &AlertId,
        reason: &str,
        at: Millis,
    ) -> Result<bool, StoreError>;

    async fn inbox_counts(&self) -> Result<InboxCounts, StoreError>;

    async fn delivery_counts(&self) -> Result<DeliveryCounts, StoreError>;

    async fn totals(&self) -> Result<Totals, StoreError>;

    /// Whether the database answers and holds every migration this build has: an
    /// error says what is missing.
    async fn ready(&self) -> Result<(), StoreError>;

    /// What `/metrics` reads at each scrape.
    async fn gauges(&self) -> Result<Gauges, StoreError>;

    /// The connections of each database pool, in use and idle.
    fn pools(&self) -> Vec<PoolUse>;
}

/// What gateway replicas sharing one database coordinate through: which replica runs
/// each background worker, and signals from one replica to the others. A store that
/// one process owns (SQLite) grants every lease and has nobody to signal.
#[async_trait]
pub trait ReplicaStore: Send + Sync {
    /// Takes the lease on `worker` for this process, or renews it, until `ttl` from now
    /// on the database's clock; false while another process's lease runs. A lease a
    /// killed process held lapses at its expiry and is taken over.
    async fn hold_lease(&self, worker: &str, ttl: Duration) -> Result<bool, StoreError>;

    /// Gives up this process's lease on `worker`, so another takes over at once.
    async fn release_lease(&self, worker: &str) -> Result<(), StoreError>;

    /// Tells the other processes, after what it reports has committed.
    fn announce(&self, signal: Signal);

    /// What the other processes announce; `None` where there are none.
    fn signals(&self) -> Option<broadcast::Receiver<Signal>>;
}

/// News from one gateway process to the others on the same database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Work is stored for this background worker (by name).
    Wake(String),
    /// The order changed: widgets watching it want its new status.
    OrderChanged(OrderId),
    /// A merchant changed (a key revoked, say): what is cached of merchants is stale.
    MerchantsChanged,
}

/// What the gateway holds, for `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gauges {
    /// Bank verdicts acknowledged and not yet applied.
    pub inbox_backlog: i64,
    pub deliveries: DeliveryCounts,
    pub ledger_transactions: i64,
    pub settlements: i64,
    /// Payouts in each state, every state listed.
    pub payouts: Vec<(PayoutStatus, i64)>,
}

/// One database connection pool's use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    pub name: &'static str,
    pub in_use: u32,
    pub idle: u32,
}

/// How much of each kind is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub orders: i64,
    pub items: i64,
    /// Orders that moved on from `created`.
    pub orders_moved: i64,
    pub orders_paid: i64,
    pub attempts: i64,
    /// Attempts the bank has decided.
    pub attempts_decided: i64,
    pub refunds: i64,
    pub events: i64,
    pub idempotency_answers: i64,
    /// Webhook endpoints not deleted.
    pub webhook_endpoints: i64,
    /// Bank verdicts stored, in any state.
    pub bank_verdicts: i64,
    /// Signature nonces remembered against replays.
    pub nonces: i64,
    pub alerts: i64,
}
