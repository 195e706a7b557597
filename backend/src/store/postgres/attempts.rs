//! Payment attempts: started by the shopper's Pay click, one per click.

use paydesk_shared::payment::{OrderStatus, OrderTransition};
use sqlx::{PgExecutor, PgPool};

use super::order_moves::{self, OrderMove};
use super::orders::attempt_from_row;
use crate::domain::order::{Attempt, NewAttempt, StartAttemptOutcome};
use crate::store::StoreError;

pub(super) async fn start(
    pool: &PgPool,
    a: &NewAttempt,
) -> Result<StartAttemptOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    // The order's row is this change's lock: moving it waits for any other change to
    // the order, and the compare-and-set re-reads the row once it holds it. Under
    // SERIALIZABLE the same statements conflict falsely with the applier, whose batches
    // read and write the hot right-hand pages of the time-ordered indexes.
    sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        .execute(&mut *tx)
        .await?;
    if let Some(existing) = existing(&mut *tx, a).await? {
        return Ok(StartAttemptOutcome::Existing(existing));
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
    let inserted = sqlx::query(
        "INSERT INTO payment_attempts (id, order_id, bank_code, card_kind, mode, status, amount_minor, currency, idempotency_key, created_at, next_query_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10)
         ON CONFLICT (order_id, idempotency_key) DO NOTHING RETURNING *",
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
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = inserted else {
        // The same click, committed while this one waited for the order: undo the
        // move and answer with that attempt.
        tx.rollback().await?;
        return existing(pool, a)
            .await?
            .map(StartAttemptOutcome::Existing)
            .ok_or_else(|| StoreError::Corrupt("payment_attempts: conflict without a row".into()));
    };
    let attempt = attempt_from_row(&row)?;
    tx.commit().await?;
    Ok(StartAttemptOutcome::Started(attempt))
}

/// The attempt this click already started, if any.
async fn existing(db: impl PgExecutor<'_>, a: &NewAttempt) -> Result<Option<Attempt>, StoreError> {
    sqlx::query("SELECT * FROM payment_attempts WHERE order_id = $1 AND idempotency_key = $2")
        .bind(&a.order_id)
        .bind(&a.idempotency_key)
        .fetch_optional(db)
        .await?
        .map(|row| attempt_from_row(&row))
        .transpose()
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
