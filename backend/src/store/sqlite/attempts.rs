use paydesk_shared::payment::{AttemptStatus, OrderStatus, OrderTransition};
use sqlx::{Row, SqlitePool};

use super::orders::attempt_from_row;
use super::status_list;
use crate::store::{AttemptDecision, DecisionOutcome, NewAttempt, StartAttemptOutcome, StoreError};

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
        "INSERT INTO payment_attempts (id, order_id, bank_code, card_kind, mode, status, amount_minor, currency, idempotency_key, created_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING *",
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
    .fetch_one(&mut *tx)
    .await?;
    let attempt = attempt_from_row(&row)?;
    tx.commit().await?;
    Ok(StartAttemptOutcome::Started(attempt))
}

pub(super) async fn decide(
    pool: &SqlitePool,
    d: AttemptDecision,
) -> Result<DecisionOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    let current = sqlx::query(
        "SELECT status, bank_transaction_id, order_id FROM payment_attempts WHERE id = ?",
    )
    .bind(&d.attempt_id)
    .fetch_optional(&mut *tx)
    .await?;
    let outcome = match current {
        None => DecisionOutcome::UnknownAttempt,
        Some(row) => {
            let status: String = row.try_get("status")?;
            let status = AttemptStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt("payment_attempts.status".into()))?;
            let order_id: String = row.try_get("order_id")?;
            if status == AttemptStatus::Pending {
                apply(&mut tx, &d, &order_id).await?
            } else {
                let txn: Option<String> = row.try_get("bank_transaction_id")?;
                if status == d.outcome && txn.as_deref() == Some(d.bank_transaction_id.as_str()) {
                    DecisionOutcome::Duplicate
                } else {
                    DecisionOutcome::Conflicting { existing: status }
                }
            }
        }
    };
    sqlx::query(
        "INSERT INTO bank_notifications (connector, attempt_id, body, result, received_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&d.connector)
    .bind(&d.attempt_id)
    .bind(&d.raw_notification)
    .bind(outcome_name(&outcome))
    .bind(d.decided_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

async fn apply(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    d: &AttemptDecision,
    order_id: &str,
) -> Result<DecisionOutcome, StoreError> {
    sqlx::query(
        "UPDATE payment_attempts SET status = ?, failure_reason = ?, bank_transaction_id = ?, decided_at = ?
         WHERE id = ? AND status = 'pending'",
    )
    .bind(d.outcome.as_str())
    .bind(&d.failure_reason)
    .bind(&d.bank_transaction_id)
    .bind(d.decided_at)
    .bind(&d.attempt_id)
    .execute(&mut **tx)
    .await?;

    let Some(transition) = d.order_transition else {
        return Ok(DecisionOutcome::Applied { order_moved: false });
    };
    // A decline moves the order only when it concerns the latest attempt: an older
    // attempt failing must not hide a newer one still at its bank.
    let latest_only = if transition == OrderTransition::DeclinePayment {
        " AND NOT EXISTS (SELECT 1 FROM payment_attempts l, payment_attempts a
              WHERE a.id = ?4 AND l.order_id = a.order_id AND (l.created_at, l.rowid) > (a.created_at, a.rowid))"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE orders SET status = ?1, paid_at = CASE WHEN ?1 = 'paid' THEN ?2 ELSE paid_at END
         WHERE id = ?3 AND status IN ({}){latest_only}",
        status_list(transition.sources())
    );
    let mut query = sqlx::query(&sql)
        .bind(transition.target().as_str())
        .bind(d.decided_at)
        .bind(order_id);
    if !latest_only.is_empty() {
        query = query.bind(&d.attempt_id);
    }
    let moved = query.execute(&mut **tx).await?.rows_affected() == 1;
    if let (true, Some(e)) = (moved, &d.event) {
        sqlx::query(
            "INSERT INTO outbox_events (id, merchant_id, order_id, type, payload, created_at, next_attempt_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&e.id)
        .bind(&e.merchant_id)
        .bind(&e.order_id)
        .bind(&e.kind)
        .bind(&e.payload)
        .bind(e.created_at)
        .bind(e.created_at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(DecisionOutcome::Applied { order_moved: moved })
}

fn outcome_name(outcome: &DecisionOutcome) -> &'static str {
    match outcome {
        DecisionOutcome::Applied { order_moved: true } => "applied",
        DecisionOutcome::Applied { order_moved: false } => "applied_order_unchanged",
        DecisionOutcome::Duplicate => "duplicate",
        DecisionOutcome::Conflicting { .. } => "conflicting",
        DecisionOutcome::UnknownAttempt => "unknown_attempt",
    }
}
