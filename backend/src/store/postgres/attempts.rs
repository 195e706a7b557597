//! Payment attempts: started by the shopper's Pay click, one per click.

use paydesk_shared::payment::{OrderStatus, OrderTransition};
use sqlx::PgPool;

use super::order_moves::{self, OrderMove};
use super::orders::attempt_from_row;
use crate::domain::order::{NewAttempt, StartAttemptOutcome};
use crate::store::StoreError;

pub(super) async fn start(
    pool: &PgPool,
    a: &NewAttempt,
) -> Result<StartAttemptOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    let existing =
        sqlx::query("SELECT * FROM payment_attempts WHERE order_id = $1 AND idempotency_key = $2")
            .bind(&a.order_id)
            .bind(&a.idempotency_key)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(row) = existing {
        return Ok(StartAttemptOutcome::Existing(attempt_from_row(&row)?));
    }
    let start = OrderMove {
        transition: OrderTransition::StartAttempt,
        order_id: &a.order_id,
        at: a.created_at,
        attempt_id: Some(&a.id),
        verdict_received_at: None,
    };
    if !order_moves::apply(&mut tx, &start).await? {
        let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
            .bind(&a.order_id)
            .fetch_one(&mut *tx)
            .await?;
        let status = OrderStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt("orders.status".into()))?;
        return Ok(StartAttemptOutcome::NotPayable(status));
    }
    let row = sqlx::query(
        "INSERT INTO payment_attempts (id, order_id, bank_code, card_kind, mode, status, amount_minor, currency, idempotency_key, created_at, next_query_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10) RETURNING *",
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

/// The bank an attempt was made at, if the attempt exists.
pub(super) async fn bank(pool: &PgPool, attempt_id: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT bank_code FROM payment_attempts WHERE id = $1")
            .bind(attempt_id)
            .fetch_optional(pool)
            .await?,
    )
}

/// The last four digits of the card the attempt was decided with, if its bank named
/// them (and the attempt exists).
pub(super) async fn card_last4(
    pool: &PgPool,
    attempt_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT card_last4 FROM payment_attempts WHERE id = $1")
            .bind(attempt_id)
            .fetch_optional(pool)
            .await?
            .flatten(),
    )
}
