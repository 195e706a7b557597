//! Applies stored bank verdicts in the order they arrived, a batch per transaction.
//! One applier per gateway: verdicts of one attempt never race each other, and the
//! store's preconditions guard against everything else.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{Step, Worker};
use crate::domain::alert::{self, NewAlert};
use crate::domain::fee::FeePlan;
use crate::domain::ids::{AlertId, AttemptId, MerchantId};
use crate::domain::order::Order;
use crate::domain::time::Millis;
use crate::domain::verdict::{self, Applied, InboxEntry, InboxPlan, PlannedEntry};
use crate::state::AppState;
use crate::store::StoreError;

const BATCH: u32 = 256;

pub(super) struct Applier {
    state: Arc<AppState>,
}

impl Applier {
    pub(super) fn new(state: Arc<AppState>) -> Self {
        Applier { state }
    }
}

#[async_trait]
impl Worker for Applier {
    fn name(&self) -> &'static str {
        super::APPLIER
    }

    async fn step(&self) -> Result<Step, StoreError> {
        Ok(match apply_batch(&self.state).await? {
            0 => Step::Idle,
            _ => Step::Worked,
        })
    }

    /// Woken when a verdict is stored.
    async fn next_due(&self) -> Result<Option<Millis>, StoreError> {
        Ok(None)
    }

    fn max_idle(&self) -> Duration {
        Duration::from_secs(5)
    }
}

/// Applies up to one batch; returns how many entries it took.
async fn apply_batch(state: &AppState) -> Result<usize, StoreError> {
    let entries = state.store.unapplied_verdicts(BATCH).await?;
    let n = entries.len();
    if n == 0 {
        return Ok(0);
    }
    let planned = plan_all(state, entries).await?;
    match state
        .store
        .apply_verdicts(&planned, state.clock.now_ms())
        .await
    {
        Ok(results) => after_effects(state, &planned, &results).await,
        // Something decided an attempt between reading and writing, or one entry
        // breaks a constraint: take the batch one entry at a time.
        Err(StoreError::Conflict | StoreError::Duplicate { .. }) => {
            for p in planned {
                apply_alone(state, p.entry).await?;
            }
        }
        Err(e) => return Err(e),
    }
    Ok(n)
}

/// Plans and applies one entry against fresh reads. A bank transaction id already
/// recorded for another attempt cannot be stored: that entry is quarantined.
async fn apply_alone(state: &AppState, entry: InboxEntry) -> Result<(), StoreError> {
    let planned = plan_all(state, vec![entry]).await?;
    let now = state.clock.now_ms();
    match state.store.apply_verdicts(&planned, now).await {
        Ok(results) => after_effects(state, &planned, &results).await,
        Err(StoreError::Duplicate { .. }) => {
            let entry = planned.into_iter().map(|p| p.entry).next_back();
            let Some(entry) = entry else { return Ok(()) };
            let v = &entry.verdict;
            let alert = NewAlert {
                id: AlertId::generate(),
                kind: alert::CONFLICT.to_owned(),
                message: format!(
                    "bank {} gave transaction {} for attempt {}, but it already belongs to another attempt",
                    v.bank_code,
                    v.bank_transaction_id.as_deref().unwrap_or("none"),
                    v.attempt_id
                ),
                order_id: Some(v.order_id.clone()),
                attempt_id: Some(v.attempt_id.clone()),
                created_at: now,
            };
            let quarantined = [PlannedEntry {
                entry,
                plan: InboxPlan::Quarantine { alert },
            }];
            let results = state.store.apply_verdicts(&quarantined, now).await?;
            after_effects(state, &quarantined, &results).await;
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

async fn plan_all(
    state: &AppState,
    entries: Vec<InboxEntry>,
) -> Result<Vec<PlannedEntry>, StoreError> {
    let attempt_ids: Vec<AttemptId> = entries
        .iter()
        .map(|e| e.verdict.attempt_id.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // Attempt id → its order, planned against and updated entry by entry.
    let mut orders: Vec<Order> = state.store.orders_by_attempts(&attempt_ids).await?;
    let mut order_of: HashMap<AttemptId, usize> = HashMap::new();
    for (i, order) in orders.iter().enumerate() {
        for a in &order.attempts {
            order_of.insert(a.id.clone(), i);
        }
    }
    let mut fees: HashMap<MerchantId, FeePlan> = HashMap::new();
    for order in &orders {
        if !fees.contains_key(&order.merchant_id) {
            let merchant = state.merchants.by_id(&order.merchant_id).await?;
            let merchant = merchant.ok_or_else(|| {
                StoreError::Corrupt(format!("order {} has no merchant", order.id))
            })?;
            fees.insert(order.merchant_id.clone(), merchant.fee_plan);
        }
    }
    let now = state.clock.now_ms();
    let mut planned = Vec::with_capacity(entries.len());
    for entry in entries {
        let attempt = &entry.verdict.attempt_id;
        let plan = match order_of.get(attempt).map(|&i| &mut orders[i]) {
            Some(order) => {
                let fee_plan = fees.get(&order.merchant_id).copied().unwrap_or_default();
                let plan = verdict::plan(order, &entry, &*state.events, &fee_plan, now);
                verdict::record(order, &entry, &plan);
                plan
            }
            None => InboxPlan::Quarantine {
                alert: NewAlert {
                    id: AlertId::generate(),
                    kind: alert::MISMATCH.to_owned(),
                    message: format!("no payment attempt {attempt}"),
                    order_id: None,
                    attempt_id: Some(attempt.clone()),
                    created_at: now,
                },
            },
        };
        planned.push(PlannedEntry { entry, plan });
    }
    Ok(planned)
}

/// Tells widgets, the webhook dispatcher and the refunder what changed, and logs what
/// an operator must see.
async fn after_effects(state: &AppState, planned: &[PlannedEntry], results: &[Applied]) {
    let mut changed = HashSet::new();
    let mut wake_outbox = false;
    let mut wake_refunder = false;
    for (p, applied) in planned.iter().zip(results) {
        let v = &p.entry.verdict;
        match &p.plan {
            InboxPlan::Decide { outcome, .. } => {
                tracing::info!(inbox = p.entry.id, attempt = %v.attempt_id, order = %v.order_id, outcome = outcome.as_str(), order_moved = applied.order_moved, refund = applied.refund_created, "bank verdict applied");
                changed.insert(v.order_id.clone());
            }
            InboxPlan::Duplicate => {
                tracing::debug!(inbox = p.entry.id, attempt = %v.attempt_id, "duplicate bank verdict");
            }
            InboxPlan::Ignore { detail } => {
                tracing::warn!(inbox = p.entry.id, attempt = %v.attempt_id, %detail, "bank verdict ignored");
            }
            InboxPlan::Quarantine { alert } => {
                tracing::error!(inbox = p.entry.id, attempt = %v.attempt_id, alert = %alert.id, kind = %alert.kind, message = %alert.message, "bank verdict quarantined");
            }
        }
        wake_outbox |= applied.order_moved;
        wake_refunder |= applied.refund_created;
    }
    for order in changed {
        crate::payments::publish_status(state, &order).await;
    }
    if wake_outbox {
        state.outbox.notify_one();
    }
    if wake_refunder {
        state.bank.refunder.notify_one();
    }
}
