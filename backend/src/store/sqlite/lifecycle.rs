//! Orders ending without payment: expired by the gateway, cancelled by the merchant.
//! Each move is compare-and-set with its event in the same transaction.

use paydesk_shared::OrderStatus;
use paydesk_shared::payment::OrderTransition;
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::order_moves::{self, OrderMove};
use super::outbox::insert_event;
use super::{guards, idempotency};
use crate::domain::change::Precondition;
use crate::domain::event::NewEvent;
use crate::domain::ids::OrderId;
use crate::domain::order::{CancelOutcome, status_at};
use crate::domain::time::Millis;
use crate::store::{CancelOrder, StoreError};

/// Expires each event's order if the `Expire` preconditions hold. Returns how many
/// orders moved.
pub(super) async fn expire(
    pool: &SqlitePool,
    events: &[NewEvent],
    now: Millis,
) -> Result<usize, StoreError> {
    let mut tx = pool.begin().await?;
    let mut moved = 0;
    for event in events {
        // An expiry's event is about its order.
        let order_id = OrderId::from(event.subject.as_str());
        let expire = OrderMove {
            transition: OrderTransition::Expire,
            order_id: &order_id,
            at: now,
            attempt_id: None,
            verdict_received_at: None,
        };
        if order_moves::apply(&mut tx, &expire).await? {
            insert_event(&mut tx, event).await?;
            moved += 1;
        }
    }
    tx.commit().await?;
    Ok(moved)
}

/// Brings the order's expiry forward to `now` if it is later and the order may expire.
pub(super) async fn expire_at(
    pool: &SqlitePool,
    order_id: &OrderId,
    now: Millis,
) -> Result<bool, StoreError> {
    let moved = sqlx::query(&format!(
        "UPDATE orders SET expires_at = ? WHERE id = ? AND expires_at > ? AND {}",
        guards::sql(Precondition::OrderIn(OrderTransition::Expire))
    ))
    .bind(now)
    .bind(order_id)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(moved == 1)
}

/// Cancels the command's order if it is still waiting for the shopper.
pub(super) async fn cancel(
    pool: &SqlitePool,
    c: &CancelOrder,
) -> Result<CancelOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    let order_id = OrderId::from(c.event.subject.as_str());
    let cancel = OrderMove {
        transition: OrderTransition::Cancel,
        order_id: &order_id,
        at: c.now,
        attempt_id: None,
        verdict_received_at: None,
    };
    let outcome = if order_moves::apply(&mut tx, &cancel).await? {
        insert_event(&mut tx, &c.event).await?;
        idempotency::record(&mut tx, c.answer.as_slice()).await?;
        CancelOutcome::Cancelled
    } else {
        CancelOutcome::NotCancellable(status_now(&mut tx, &order_id, c.now).await?)
    };
    tx.commit().await?;
    Ok(outcome)
}

/// The order's status as the merchant sees it at `now`.
pub(super) async fn status_now(
    tx: &mut Transaction<'_, Sqlite>,
    order_id: &str,
    now: Millis,
) -> Result<OrderStatus, StoreError> {
    let (status, expires_at): (String, i64) =
        sqlx::query_as("SELECT status, expires_at FROM orders WHERE id = ?")
            .bind(order_id)
            .fetch_one(&mut **tx)
            .await?;
    let status = OrderStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("orders.status {status}")))?;
    Ok(status_at(status, expires_at, now))
}
