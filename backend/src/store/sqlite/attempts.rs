use paydesk_shared::payment::{OrderStatus, OrderTransition};
use sqlx::SqlitePool;

use super::orders::attempt_from_row;
use super::status_list;
use crate::store::{NewAttempt, StartAttemptOutcome, StoreError};

pub(super) async fn start(
    pool: &SqlitePool,
    a: NewAttempt,
) -> Result<StartAttemptOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    let existing =
        sqlx::query("SELECT * FROM payment_attempts WHERE order_id = ? AND idempotency_key = ?")
            .bind(&a.order_id)
            .bind(&a.idempotency_key)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(row) = existing {
        return Ok(StartAttemptOutcome::Existing(attempt_from_row(&row)?));
    }
    let transition = OrderTransition::StartAttempt;
    let moved = sqlx::query(&format!(
        "UPDATE orders SET status = ? WHERE id = ? AND status IN ({})",
        status_list(transition.sources())
    ))
    .bind(transition.target().as_str())
    .bind(&a.order_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 0 {
        let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = ?")
            .bind(&a.order_id)
            .fetch_one(&mut *tx)
            .await?;
        let status = OrderStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt("orders.status".into()))?;
        return Ok(StartAttemptOutcome::NotPayable(status));
    }
    let row = sqlx::query(
        "INSERT INTO payment_attempts (id, order_id, bank_code, card_kind, mode, status, amount_minor, currency, idempotency_key, created_at, next_query_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(&a.id)
    .bind(&a.order_id)
    .bind(&a.bank_code)
    .bind(a.card_kind.as_str())
    .bind(a.mode.as_str())
    .bind(a.amount.minor())
    .bind(a.amount.currency().code())
    .bind(&a.idempotency_key)
    .bind(a.created_at)
    .bind(a.first_query_at)
    .fetch_one(&mut *tx)
    .await?;
    let attempt = attempt_from_row(&row)?;
    tx.commit().await?;
    Ok(StartAttemptOutcome::Started(attempt))
}
