//! Orders ending without payment: expired by the gateway, cancelled by the merchant.
//! Each move is compare-and-set with its event in the same transaction.

use paydesk_shared::OrderStatus;
use paydesk_shared::payment::OrderTransition;
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::idempotency;
use super::outbox::insert_event;
use super::status_list;
use crate::store::{CancelOutcome, KeyAnswer, NewEvent, StoreError};

/// Expires each event's order if it is still unpaid past its expiry and no success
/// the bank sent before that expiry is waiting to be applied (the applier will pay
/// it). Returns how many orders moved.
pub(super) async fn expire(
    pool: &SqlitePool,
    events: &[NewEvent],
    now: i64,
) -> Result<usize, StoreError> {
    let mut tx = pool.begin().await?;
    let sql = format!(
        "UPDATE orders SET status = 'expired'
         WHERE id = ? AND status IN ({}) AND expires_at <= ?
           AND NOT EXISTS (SELECT 1 FROM bank_inbox i
                           WHERE i.order_id = orders.id AND i.state = 'received'
                             AND i.outcome = 'succeeded' AND i.received_at < orders.expires_at)",
        status_list(OrderTransition::Expire.sources())
    );
    let mut moved = 0;
    for event in events {
        let done = sqlx::query(&sql)
            .bind(&event.order_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done == 1 {
            insert_event(&mut tx, event).await?;
            moved += 1;
        }
    }
    tx.commit().await?;
    Ok(moved)
}

/// Cancels the event's order if it is still waiting for the shopper.
pub(super) async fn cancel(
    pool: &SqlitePool,
    event: &NewEvent,
    now: i64,
    answer: Option<&KeyAnswer>,
) -> Result<CancelOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    let moved = sqlx::query(&format!(
        "UPDATE orders SET status = 'cancelled'
         WHERE id = ? AND status IN ({}) AND expires_at > ?",
        status_list(OrderTransition::Cancel.sources())
    ))
    .bind(&event.order_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    let outcome = if moved {
        insert_event(&mut tx, event).await?;
        idempotency::record(&mut tx, &answer.into_iter().collect::<Vec<_>>()).await?;
        CancelOutcome::Cancelled
    } else {
        CancelOutcome::NotCancellable(status_now(&mut tx, &event.order_id, now).await?)
    };
    tx.commit().await?;
    Ok(outcome)
}

/// The order's status as the merchant sees it (unpaid past expiry reads expired).
async fn status_now(
    tx: &mut Transaction<'_, Sqlite>,
    order_id: &str,
    now: i64,
) -> Result<OrderStatus, StoreError> {
    let (status, expires_at): (String, i64) =
        sqlx::query_as("SELECT status, expires_at FROM orders WHERE id = ?")
            .bind(order_id)
            .fetch_one(&mut **tx)
            .await?;
    let status = OrderStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("orders.status {status}")))?;
    Ok(if !status.is_final() && now >= expires_at {
        OrderStatus::Expired
    } else {
        status
    })
}
