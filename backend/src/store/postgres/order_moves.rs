//! Every order status change is this one statement: compare-and-set on the
//! transition's sources, with the transition's other preconditions in the same WHERE.

use paydesk_shared::payment::OrderTransition;
use sqlx::{Postgres, Transaction};

use super::guards;
use crate::domain::change;
use crate::domain::time::Millis;
use crate::store::StoreError;

pub(super) struct OrderMove<'a> {
    pub(super) transition: OrderTransition,
    pub(super) order_id: &'a str,
    /// When the change is made: a paid order's `paid_at`.
    pub(super) at: Millis,
    /// The attempt the change is about, if any: a paid order's `paid_attempt_id`.
    pub(super) attempt_id: Option<&'a str>,
    /// When the verdict that moves the order arrived.
    pub(super) verdict_received_at: Option<Millis>,
}

/// Moves the order if the transition's preconditions hold; `false` if not.
pub(super) async fn apply(
    tx: &mut Transaction<'_, Postgres>,
    m: &OrderMove<'_>,
) -> Result<bool, StoreError> {
    let sql = format!(
        "UPDATE orders SET status = $5,
             paid_at = CASE WHEN $5 = 'paid' THEN $2 ELSE paid_at END,
             paid_attempt_id = CASE WHEN $5 = 'paid' THEN $3 ELSE paid_attempt_id END
         WHERE id = $1 AND {}",
        guards::all(change::order_move(m.transition))
    );
    let moved = sqlx::query(&sql)
        .bind(m.order_id)
        .bind(m.at)
        .bind(m.attempt_id)
        .bind(m.verdict_received_at)
        .bind(m.transition.target().as_str())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(moved == 1)
}
