//! Moves unpaid orders to `expired` once their expiry passes, each with its
//! `order.expired` event, in batches. A payment the bank confirms afterwards is
//! refunded by the bank side (`late_payment`).

use std::sync::Arc;
use std::time::Duration;

use paydesk_shared::OrderStatus;
use tokio::sync::watch;

use crate::background::{idle, until_due};
use crate::banking::events::order_event;
use crate::payments::publish_status;
use crate::state::AppState;
use crate::store::StoreError;

const BATCH: u32 = 256;
/// The longest the expirer sleeps without looking (new orders expire a minute or more
/// after they are made, so none can fall due unseen for long).
const MAX_IDLE: Duration = Duration::from_secs(30);
/// How soon to look again at orders kept from expiring by a payment not applied yet.
const HELD_BACK: Duration = Duration::from_secs(1);

pub(crate) async fn run(state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let (due, moved) = match expire_due(&state).await {
            Ok(counts) => counts,
            Err(e) => {
                tracing::error!(error = %e, "could not expire orders");
                (0, 0)
            }
        };
        if due == BATCH as usize && moved > 0 {
            continue;
        }
        let wait = if moved < due {
            // Some wait for a payment the bank sent in time: look again shortly.
            HELD_BACK
        } else {
            until_due(
                &*state.clock,
                state.store.next_order_expiry().await,
                MAX_IDLE,
            )
        };
        if !idle(&*state.clock, wait, None, &mut shutdown).await {
            return;
        }
    }
}

/// Expires one batch of due orders; returns how many were due and how many moved.
async fn expire_due(state: &AppState) -> Result<(usize, usize), StoreError> {
    let now = state.clock.now_ms();
    let due = state.store.expired_unpaid_orders(now, BATCH).await?;
    let events: Vec<_> = due
        .iter()
        .map(|order| {
            let mut after = order.clone();
            after.status = OrderStatus::Expired;
            order_event(&after, &state.public_url, "order.expired", now)
        })
        .collect();
    let moved = state.store.expire_orders(&events, now).await?;
    if moved > 0 {
        tracing::info!(orders = moved, "orders expired");
        state.outbox.notify_one();
        for order in &due {
            publish_status(state, &order.id).await;
        }
    }
    Ok((due.len(), moved))
}
