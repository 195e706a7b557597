use sqlx::{Row, SqlitePool};

use crate::store::{OutboxEvent, StoreError};

pub(super) async fn due(
    pool: &SqlitePool,
    now_ms: i64,
    limit: u32,
) -> Result<Vec<OutboxEvent>, StoreError> {
    sqlx::query(
        "SELECT id, merchant_id, order_id, type, payload, attempts FROM outbox_events
         WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?",
    )
    .bind(now_ms)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        let attempts: i64 = row.try_get("attempts")?;
        Ok(OutboxEvent {
            id: row.try_get("id")?,
            merchant_id: row.try_get("merchant_id")?,
            order_id: row.try_get("order_id")?,
            kind: row.try_get("type")?,
            payload: row.try_get("payload")?,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        })
    })
    .collect()
}

pub(super) async fn next_due(pool: &SqlitePool) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT MIN(next_attempt_at) FROM outbox_events WHERE delivered_at IS NULL",
    )
    .fetch_one(pool)
    .await?)
}

pub(super) async fn delivered(pool: &SqlitePool, id: &str, now_ms: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox_events SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?")
        .bind(now_ms)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn failed(
    pool: &SqlitePool,
    id: &str,
    next_attempt_at: i64,
    error: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox_events SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?")
        .bind(next_attempt_at)
        .bind(error)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}
