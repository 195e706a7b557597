//! The stored schedules of the bank side: which pending attempts to ask their bank
//! about next, which refunds to send, and the alerts an operator must see.

use paydesk_shared::{Currency, Money};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::inbox::insert_alert;
use super::outbox::insert_event;
use super::{guards, ledger};
use crate::domain::alert::Alert;
use crate::domain::change;
use crate::domain::ids::AlertId;
use crate::domain::order::AttemptToQuery;
use crate::domain::refund::{Refund, RefundDecision, RefundStatus};
use crate::domain::time::Millis;
use crate::store::StoreError;

fn money(row: &PgRow, column: &str) -> Result<Money, StoreError> {
    let code: String = row.try_get("currency")?;
    let currency: Currency = code
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("{column}: currency {code}")))?;
    Money::from_minor(row.try_get(column)?, currency)
        .map_err(|_| StoreError::Corrupt(column.to_owned()))
}

pub(super) async fn due_queries(
    pool: &PgPool,
    now: Millis,
    limit: u32,
) -> Result<Vec<AttemptToQuery>, StoreError> {
    sqlx::query(
        "SELECT a.id, a.order_id, a.bank_code, a.amount_minor, a.currency, a.queries, o.expires_at
         FROM payment_attempts a JOIN orders o ON o.id = a.order_id
         WHERE a.status = 'pending' AND a.next_query_at <= $1
         ORDER BY a.next_query_at LIMIT $2",
    )
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        let queries: i64 = row.try_get("queries")?;
        Ok(AttemptToQuery {
            attempt_id: row.try_get("id")?,
            order_id: row.try_get("order_id")?,
            bank_code: row.try_get("bank_code")?,
            amount: money(row, "amount_minor")?,
            order_expires_at: row.try_get("expires_at")?,
            queries: u32::try_from(queries).unwrap_or(u32::MAX),
        })
    })
    .collect()
}

pub(super) async fn next_query_due(pool: &PgPool) -> Result<Option<Millis>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT min(next_query_at) FROM payment_attempts WHERE status = 'pending'",
    )
    .fetch_one(pool)
    .await?)
}

pub(super) async fn reschedule_query(
    pool: &PgPool,
    attempt_id: &str,
    next_at: Millis,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE payment_attempts SET next_query_at = $1, queries = queries + 1
         WHERE id = $2 AND status = 'pending'",
    )
    .bind(next_at)
    .bind(attempt_id)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) const REFUND_COLUMNS: &str =
    "r.id, r.order_id, r.attempt_id, a.bank_code, a.bank_transaction_id,
    r.amount_minor, r.currency, r.reason, r.status, r.bank_refund_id, r.failure_reason,
    r.created_at, r.decided_at, r.tries";

pub(super) fn refund_from_row(row: &PgRow) -> Result<Refund, StoreError> {
    let status: String = row.try_get("status")?;
    let tries: i64 = row.try_get("tries")?;
    Ok(Refund {
        id: row.try_get("id")?,
        order_id: row.try_get("order_id")?,
        attempt_id: row.try_get("attempt_id")?,
        bank_code: row.try_get("bank_code")?,
        bank_transaction_id: row.try_get("bank_transaction_id")?,
        amount: money(row, "amount_minor")?,
        reason: row.try_get("reason")?,
        status: RefundStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt("refunds.status".into()))?,
        bank_refund_id: row.try_get("bank_refund_id")?,
        failure_reason: row.try_get("failure_reason")?,
        created_at: row.try_get("created_at")?,
        decided_at: row.try_get("decided_at")?,
        tries: u32::try_from(tries).unwrap_or(u32::MAX),
    })
}

pub(super) async fn due_refunds(
    pool: &PgPool,
    now: Millis,
    limit: u32,
) -> Result<Vec<Refund>, StoreError> {
    sqlx::query(&format!(
        "SELECT {REFUND_COLUMNS} FROM refunds r JOIN payment_attempts a ON a.id = r.attempt_id
         WHERE r.status = 'pending' AND r.next_try_at <= $1 ORDER BY r.next_try_at LIMIT $2"
    ))
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?
    .iter()
    .map(refund_from_row)
    .collect()
}

pub(super) async fn next_refund_due(pool: &PgPool) -> Result<Option<Millis>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT min(next_try_at) FROM refunds WHERE status = 'pending'")
            .fetch_one(pool)
            .await?,
    )
}

pub(super) async fn refunds_for_order(
    pool: &PgPool,
    order_id: &str,
) -> Result<Vec<Refund>, StoreError> {
    sqlx::query(&format!(
        "SELECT {REFUND_COLUMNS} FROM refunds r JOIN payment_attempts a ON a.id = r.attempt_id
         WHERE r.order_id = $1 ORDER BY r.created_at, r.id"
    ))
    .bind(order_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(refund_from_row)
    .collect()
}

pub(super) async fn retry_refund(
    pool: &PgPool,
    refund_id: &str,
    next_at: Millis,
    error: &str,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "UPDATE refunds SET tries = tries + 1, next_try_at = $1, failure_reason = $2
         WHERE id = $3 AND {}",
        guards::all(change::DECIDE_REFUND)
    ))
    .bind(next_at)
    .bind(error)
    .bind(refund_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Records the bank's final word once; a second decision for the same refund changes
/// nothing and returns `false`.
pub(super) async fn decide_refund(pool: &PgPool, d: &RefundDecision) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let decided = sqlx::query(&format!(
        "UPDATE refunds SET status = $1, bank_refund_id = $2, failure_reason = $3, decided_at = $4,
             tries = tries + 1, next_try_at = NULL
         WHERE id = $5 AND {}",
        guards::all(change::DECIDE_REFUND)
    ))
    .bind(d.status.as_str())
    .bind(&d.bank_refund_id)
    .bind(&d.failure_reason)
    .bind(d.decided_at)
    .bind(&d.refund_id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if decided {
        insert_event(&mut tx, &d.event).await?;
        if let Some(alert) = &d.alert {
            insert_alert(&mut tx, alert, None).await?;
        }
        if let Some(reversal) = &d.reversal {
            ledger::post(&mut tx, reversal).await?;
        }
    }
    tx.commit().await?;
    Ok(decided)
}

pub(super) async fn resolve_alert(
    pool: &PgPool,
    id: &AlertId,
    reason: &str,
    at: Millis,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE alerts SET resolved_at = $1, resolution = $2 WHERE id = $3 AND resolved_at IS NULL",
    )
    .bind(at)
    .bind(reason)
    .bind(id)
    .execute(pool)
    .await?
    .rows_affected()
        == 1)
}

pub(super) async fn open_alerts(pool: &PgPool, limit: u32) -> Result<Vec<Alert>, StoreError> {
    sqlx::query(
        "SELECT id, kind, message, order_id, attempt_id, inbox_id, created_at, resolved_at
         FROM alerts WHERE resolved_at IS NULL ORDER BY created_at, id LIMIT $1",
    )
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        Ok(Alert {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            message: row.try_get("message")?,
            order_id: row.try_get("order_id")?,
            attempt_id: row.try_get("attempt_id")?,
            inbox_id: row.try_get("inbox_id")?,
            created_at: row.try_get("created_at")?,
            resolved_at: row.try_get("resolved_at")?,
        })
    })
    .collect()
}
