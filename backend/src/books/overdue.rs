//! Hand-off accounts return to zero when their cycle completes: a bank settles a
//! payment or refund in its next day's file, and answers a payout at once. Money still
//! in one past its expected time is an operator alert, raised once per item.

use crate::domain::time::{DAY, Millis};
use crate::state::AppState;
use crate::store::StoreError;

/// A bank's file lists a day's payments and refunds; the run the next day reads it.
pub(crate) const CLEARING_EXPECTED: Millis = 2 * DAY;
/// A payout the bank has not answered within a day is stuck.
pub(crate) const TRANSIT_EXPECTED: Millis = DAY;

/// Raises an alert for each overdue item not alerted before; answers how many.
pub(crate) async fn check(state: &AppState) -> Result<u32, StoreError> {
    let now = state.clock.now_ms();
    let items = state
        .store
        .overdue_hand_offs(now - CLEARING_EXPECTED, now - TRANSIT_EXPECTED)
        .await?;
    let mut raised = 0;
    for item in items {
        let key = format!("overdue:{}:{}", item.account, item.key);
        if state.store.raise_alert_once(&key, &item.alert(now)).await? {
            tracing::warn!(account = %item.account, item = %item.key, amount = %item.amount, "hand-off account overdue");
            raised += 1;
        }
    }
    Ok(raised)
}
