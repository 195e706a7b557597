//! Applies stored verdicts in the order they arrived, a batch per transaction. One
//! applier per gateway: verdicts of one attempt never race each other, and the store's
//! compare-and-set guards against everything else.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::plan;
use crate::background::idle;
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::{
    Applied, InboxEntry, InboxPlan, NewAlert, OrderRecord, PlannedEntry, StoreError,
};

const BATCH: u32 = 256;
/// The longest the applier sleeps without looking at the inbox.
const MAX_IDLE: Duration = Duration::from_secs(5);
const PRUNE_EVERY: Duration = Duration::from_secs(60);

pub(super) async fn run(state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    let mut last_prune = tokio::time::Instant::now();
    loop {
        let full = match apply_batch(&state).await {
            Ok(n) => n == BATCH as usize,
            Err(e) => {
                tracing::error!(error = %e, "bank verdicts could not be applied; retrying");
                false
            }
        };
        if last_prune.elapsed() >= PRUNE_EVERY {
            last_prune = tokio::time::Instant::now();
            if let Err(e) = state.store.prune_nonces(state.clock.now_ms()).await {
                tracing::warn!(error = %e, "could not prune bank nonces");
            }
        }
        if full {
            continue;
        }
        if !idle(
            &*state.clock,
            MAX_IDLE,
            Some(&state.bank.applier),
            &mut shutdown,
        )
        .await
        {
            return;
        }
    }
}

/// Applies up to one batch; returns how many entries it took.
pub(super) async fn apply_batch(state: &AppState) -> Result<usize, StoreError> {
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
        Err(StoreError::Conflict | StoreError::Database(_)) => {
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
        Err(StoreError::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
            let entry = planned.into_iter().map(|p| p.entry).next_back();
            let Some(entry) = entry else { return Ok(()) };
            let v = &entry.verdict;
            let alert = NewAlert {
                id: new_id("alr"),
                kind: plan::ALERT_CONFLICT.to_owned(),
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
    let attempt_ids: Vec<String> = entries
        .iter()
        .map(|e| e.verdict.attempt_id.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // Attempt id → its order, planned against and updated entry by entry.
    let mut orders: Vec<OrderRecord> = state.store.orders_by_attempts(&attempt_ids).await?;
    let mut order_of: HashMap<String, usize> = HashMap::new();
    for (i, order) in orders.iter().enumerate() {
        for a in &order.attempts {
            order_of.insert(a.id.clone(), i);
        }
    }
    let now = state.clock.now_ms();
    let mut planned = Vec::with_capacity(entries.len());
    for entry in entries {
        let attempt = &entry.verdict.attempt_id;
        let plan = match order_of.get(attempt).map(|&i| &mut orders[i]) {
            Some(order) => {
                let plan = plan::plan(order, &entry, &state.public_url, now);
                plan::record(order, &entry, &plan);
                plan
            }
            None => InboxPlan::Quarantine {
                alert: NewAlert {
                    id: new_id("alr"),
                    kind: plan::ALERT_MISMATCH.to_owned(),
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
