//! Refunds a merchant asks for. The guard that refunds never exceed the payment is
//! part of the inserting statement; PostgreSQL's single writer serialises concurrent
//! requests, so two cannot both see the same room. (A PostgreSQL store must lock the
//! paid attempt's row first: `SELECT … FOR UPDATE`.)

use sqlx::{PgPool, Postgres, Transaction};

use super::bank_work::{REFUND_COLUMNS, refund_from_row};
use super::{guards, idempotency, ledger};
use crate::domain::change;
use crate::domain::refund::{NewRefund, Refund, RefundOutcome, refundable};
use crate::store::{CreateRefund, StoreError};

pub(super) async fn create(pool: &PgPool, c: &CreateRefund) -> Result<RefundOutcome, StoreError> {
    let r = &c.refund;
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(&format!(
        "INSERT INTO refunds (id, order_id, attempt_id, amount_minor, currency, reason, status,
             created_at, next_try_at)
         SELECT $1, $2, $3, $5, $4, $7, 'pending', $8, $8 WHERE {}",
        guards::all(change::CREATE_REFUND)
    ))
    .bind(&r.id)
    .bind(&r.order_id)
    .bind(&r.attempt_id)
    .bind(r.amount.currency().code())
    .bind(r.amount.minor())
    .bind(c.paid.minor())
    .bind(&r.reason)
    .bind(r.created_at)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        let refunded: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(amount_minor), 0)::BIGINT FROM refunds
             WHERE attempt_id = $1 AND status IN ('pending', 'succeeded')",
        )
        .bind(&r.attempt_id)
        .fetch_one(&mut *tx)
        .await?;
        let refundable = refundable(c.paid, refunded)
            .ok_or_else(|| StoreError::Corrupt(format!("refunds of attempt {}", r.attempt_id)))?;
        return Ok(RefundOutcome::Exceeds { refundable });
    }
    ledger::post(&mut tx, &c.posting).await?;
    idempotency::record(&mut tx, c.answer.as_slice()).await?;
    tx.commit().await?;
    Ok(RefundOutcome::Created)
}

/// Stores a refund, pending and due at once, in the caller's transaction.
pub(super) async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    r: &NewRefund,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO refunds (id, order_id, attempt_id, amount_minor, currency, reason, status,
             created_at, next_try_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)",
    )
    .bind(&r.id)
    .bind(&r.order_id)
    .bind(&r.attempt_id)
    .bind(r.amount.minor())
    .bind(r.amount.currency().code())
    .bind(&r.reason)
    .bind(r.created_at)
    .bind(r.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The refund if it belongs to one of the merchant's orders.
pub(super) async fn one(
    pool: &PgPool,
    merchant_id: &str,
    refund_id: &str,
) -> Result<Option<Refund>, StoreError> {
    sqlx::query(&format!(
        "SELECT {REFUND_COLUMNS} FROM refunds r
         JOIN payment_attempts a ON a.id = r.attempt_id
         JOIN orders o ON o.id = r.order_id
         WHERE r.id = $1 AND o.merchant_id = $2"
    ))
    .bind(refund_id)
    .bind(merchant_id)
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(refund_from_row)
    .transpose()
}
