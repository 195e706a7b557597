//! Settling one order's money now, for the test helpers: the merchant's last two days
//! are reconciled against the banks' files as a run would, then the order's reconciled
//! payment and refunds are settled. Only the timing differs from the daily run: what
//! the bank's file does not show stays pending.

use super::reconcile::{self, DayReport};
use super::run::{RunDate, settle};
use crate::domain::order::Order;
use crate::domain::settlement::Settlement;
use crate::state::AppState;
use crate::store::StoreError;

/// What settling an order now did.
#[derive(Debug)]
pub(crate) struct SettledNow {
    /// None when nothing of the order was waiting and shown on its bank's file.
    pub(crate) settlements: Vec<Settlement>,
    /// Files that could not be read: `(connector, merchant, error)`.
    pub(crate) unavailable: Vec<(String, String, String)>,
}

/// Settles `order`'s reconciled payment and refunds now.
pub(crate) async fn settle_order(
    state: &AppState,
    order: &Order,
) -> Result<SettledNow, StoreError> {
    let today = RunDate::of(state.clock.now_ms());
    let mut report = DayReport::default();
    // A payment made just before midnight is on yesterday's file.
    for day in [today.previous(), today.clone()] {
        reconcile::merchant_day(
            state,
            &order.merchant_id,
            day.as_str(),
            day.start(),
            &mut report,
        )
        .await?;
    }
    let refunds: Vec<String> = state
        .store
        .refunds_for_order(&order.id)
        .await?
        .into_iter()
        .map(|refund| refund.id.to_string())
        .collect();
    let order_id = order.id.to_string();
    let settlements = settle(state, &order.merchant_id, today.as_str(), |line| {
        line.source == order_id || refunds.contains(&line.source)
    })
    .await?;
    Ok(SettledNow {
        settlements,
        unavailable: report.unavailable,
    })
}
