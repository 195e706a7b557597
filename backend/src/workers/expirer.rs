//! Moves unpaid orders to `expired` once their expiry passes, each with its
//! `order.expired` event, in batches. A payment the bank confirms afterwards is
//! refunded by the bank side (`late_payment`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use paydesk_shared::OrderStatus;

use super::{Step, Worker};
use crate::domain::event::EventType;
use crate::domain::order::Order;
use crate::domain::time::Millis;
use crate::payments::publish_status;
use crate::state::AppState;
use crate::store::StoreError;

const BATCH: u32 = 256;
/// How soon to look again at orders kept from expiring by a payment not applied yet.
const HELD_BACK: Duration = Duration::from_secs(1);

pub(super) struct Expirer(pub(super) Arc<AppState>);

#[async_trait]
impl Worker for Expirer {
    fn name(&self) -> &'static str {
        "expirer"
    }

    async fn step(&self) -> Result<Step, StoreError> {
        let (due, moved) = expire_due(&self.0).await?;
        Ok(if moved > 0 {
            Step::Worked
        } else if due > 0 {
            // Each waits for a payment the bank sent in time: look again shortly.
            Step::Retry(HELD_BACK)
        } else {
            Step::Idle
        })
    }

    async fn next_due(&self) -> Result<Option<Millis>, StoreError> {
        self.0.store.next_order_expiry().await
    }

    /// New orders expire a minute or more after they are made, so none can fall due
    /// unseen for long.
    fn max_idle(&self) -> Duration {
        Duration::from_secs(30)
    }
}

/// Expires one batch of due orders; returns how many were due and how many moved.
async fn expire_due(state: &AppState) -> Result<(usize, usize), StoreError> {
    let now = state.clock.now_ms();
    let due = state.store.expired_unpaid_orders(now, BATCH).await?;
    let moved = expire(state, &due, now).await?;
    Ok((due.len(), moved))
}

/// Expires each of `due` whose expiry has passed at `now`, with its `order.expired`,
/// unless a payment the bank sent in time holds it back; returns how many moved.
pub(crate) async fn expire(
    state: &AppState,
    due: &[Order],
    now: Millis,
) -> Result<usize, StoreError> {
    let events: Vec<_> = due
        .iter()
        .map(|order| {
            let mut after = order.clone();
            after.status = OrderStatus::Expired;
            state
                .events
                .order_event(&after, EventType::OrderExpired, now)
        })
        .collect();
    let moved = state.store.expire_orders(&events, now).await?;
    if moved > 0 {
        tracing::info!(orders = moved, "orders expired");
        state.outbox.notify_one();
        for order in due {
            publish_status(state, &order.id).await;
        }
    }
    Ok(moved)
}
