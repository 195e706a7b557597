//! The transactional outbox: events inserted with the change they report, fanned out to
//! one delivery per subscribed endpoint in the same transaction, and the dispatcher's
//! reads and writes of those deliveries.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, QueryBuilder, Row, Transaction};

use super::webhook_endpoints::endpoint_from_row;
use super::{guards, idempotency};
use crate::domain::change;
use crate::domain::event::{EventFilter, EventType, NewEvent, StoredEvent};
use crate::domain::ids::EventId;
use crate::domain::time::Millis;
use crate::domain::webhook::{
    AttemptLog, DeliveryCounts, DeliveryOutcome, DeliveryRecord, DeliveryResult, DeliveryState,
    DueDelivery,
};
use crate::store::{Redeliver, StoreError};

/// Stores `e` as its subject's next event and schedules a delivery to every enabled
/// endpoint of the merchant that subscribes to its type, in one statement. The event
/// is numbered, and its body completed with the number, in the statement that stores it.
pub(super) async fn insert_event(
    tx: &mut Transaction<'_, Postgres>,
    e: &NewEvent,
) -> Result<(), StoreError> {
    let (head, tail) = e.body_around_sequence();
    sqlx::query(
        "WITH event AS (
             INSERT INTO outbox_events (id, merchant_id, order_id, type, seq, payload, created_at)
             SELECT $1, $2, $3, $4, n.seq, $5 || n.seq || $6, $7
             FROM (SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM outbox_events
                   WHERE order_id = $3) n
             RETURNING seq)
         INSERT INTO webhook_deliveries (event_id, endpoint_id, order_id, seq, state, scheduled_at,
             next_attempt_at)
         SELECT $1, w.id, $3, event.seq, 'pending', $7, $7
         FROM webhook_endpoints w, event
         WHERE w.merchant_id = $2 AND w.status = 'enabled'
           AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(w.event_types::jsonb) t
                       WHERE t IN ('*', $4))",
    )
    .bind(&e.id)
    .bind(&e.merchant_id)
    .bind(&e.subject)
    .bind(e.kind.as_str())
    .bind(head)
    .bind(tail)
    .bind(e.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A pending delivery may go once no earlier event of its order is still pending for
/// the same endpoint: per order, an endpoint gets events in sequence order. Written as
/// a lookup of the first pending number, which PostgreSQL answers from the in-order
/// index for each candidate (an anti-join would hash every pending delivery).
const SENDABLE: &str = "d.state = 'pending'
    AND d.seq = (SELECT MIN(p.seq) FROM webhook_deliveries p
                 WHERE p.state = 'pending' AND p.endpoint_id = d.endpoint_id
                   AND p.order_id = d.order_id)";

pub(super) async fn due(
    pool: &PgPool,
    now_ms: Millis,
    limit: u32,
) -> Result<Vec<DueDelivery>, StoreError> {
    sqlx::query(&format!(
        "SELECT d.event_id, d.attempts, d.scheduled_at, e.order_id, e.type, e.payload, w.*
         FROM webhook_deliveries d
         JOIN outbox_events e ON e.id = d.event_id
         JOIN webhook_endpoints w ON w.id = d.endpoint_id
         WHERE d.next_attempt_at <= $1 AND {SENDABLE}
         ORDER BY d.next_attempt_at, d.seq LIMIT $2"
    ))
    .bind(now_ms)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        let attempts: i64 = row.try_get("attempts")?;
        Ok(DueDelivery {
            event_id: row.try_get("event_id")?,
            subject: row.try_get("order_id")?,
            kind: event_type(row)?,
            payload: row.try_get("payload")?,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            scheduled_at: row.try_get("scheduled_at")?,
            endpoint: endpoint_from_row(row)?,
        })
    })
    .collect()
}

pub(super) async fn next_due(pool: &PgPool) -> Result<Option<Millis>, StoreError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT MIN(d.next_attempt_at) FROM webhook_deliveries d WHERE {SENDABLE}"
    ))
    .fetch_one(pool)
    .await?)
}

/// Records `results` as attempts made by `replica`, and their deliveries' new state.
pub(super) async fn record(
    pool: &PgPool,
    replica: &str,
    results: &[DeliveryResult],
) -> Result<(), StoreError> {
    if results.is_empty() {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    let mut log = QueryBuilder::<Postgres>::new(
        "INSERT INTO webhook_attempts
             (event_id, endpoint_id, started_at, duration_ms, status_code, error, replica) ",
    );
    log.push_values(results, |mut b, r| {
        b.push_bind(&r.event_id)
            .push_bind(&r.endpoint_id)
            .push_bind(r.attempt.started_at)
            .push_bind(r.attempt.duration_ms)
            .push_bind(r.attempt.status_code.map(i64::from))
            .push_bind(&r.attempt.error)
            .push_bind(replica);
    });
    log.build().execute(&mut *tx).await?;
    for r in results {
        let error = r.attempt.error.as_deref();
        let ended = r.attempt.started_at + r.attempt.duration_ms;
        let (state, next, delivered_at) = match r.outcome {
            DeliveryOutcome::Delivered => (DeliveryState::Delivered, None, Some(ended)),
            DeliveryOutcome::Retry { next_attempt_at } => {
                (DeliveryState::Pending, Some(next_attempt_at), None)
            }
            DeliveryOutcome::GiveUp | DeliveryOutcome::Gone => (DeliveryState::Failed, None, None),
        };
        // Only a pending delivery moves: one the merchant cancelled meanwhile stays so.
        sqlx::query(&format!(
            "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1,
                 next_attempt_at = COALESCE($2, next_attempt_at), delivered_at = $3, last_error = $4
             WHERE event_id = $5 AND endpoint_id = $6 AND {}",
            guards::all(change::RECORD_DELIVERY)
        ))
        .bind(state.as_str())
        .bind(next)
        .bind(delivered_at)
        .bind(error)
        .bind(&r.event_id)
        .bind(&r.endpoint_id)
        .execute(&mut *tx)
        .await?;
        if r.outcome == DeliveryOutcome::Gone {
            sqlx::query(
                "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $1, updated_at = $2
                 WHERE id = $3 AND status = 'enabled'",
            )
            .bind("the endpoint answered 410 Gone")
            .bind(ended)
            .bind(&r.endpoint_id)
            .execute(&mut *tx)
            .await?;
            cancel_pending(&mut tx, &r.endpoint_id).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Cancels every pending delivery to an endpoint that no longer takes events.
pub(super) async fn cancel_pending(
    tx: &mut Transaction<'_, Postgres>,
    endpoint_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE webhook_deliveries SET state = 'cancelled', last_error = COALESCE(last_error, 'endpoint disabled')
         WHERE endpoint_id = $1 AND state = 'pending'",
    )
    .bind(endpoint_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn event_type(row: &PgRow) -> Result<EventType, StoreError> {
    let name: String = row.try_get("type")?;
    EventType::parse(&name).ok_or_else(|| StoreError::Corrupt(format!("event type {name}")))
}

fn event_from_row(row: &PgRow) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        id: row.try_get("id")?,
        subject: row.try_get("order_id")?,
        kind: event_type(row)?,
        sequence: row.try_get("seq")?,
        payload: row.try_get("payload")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(super) async fn list(
    pool: &PgPool,
    merchant_id: &str,
    filter: &EventFilter,
    limit: u32,
) -> Result<Vec<StoredEvent>, StoreError> {
    let mut q = QueryBuilder::<Postgres>::new(
        "SELECT id, order_id, type, seq, payload, created_at FROM outbox_events WHERE merchant_id = ",
    );
    q.push_bind(merchant_id);
    if let Some(kind) = filter.kind {
        q.push(" AND type = ").push_bind(kind.as_str());
    }
    if let Some(order_id) = &filter.order_id {
        q.push(" AND order_id = ").push_bind(order_id);
    }
    if let Some(after) = &filter.starting_after {
        q.push(" AND (created_at, id) < (SELECT created_at, id FROM outbox_events WHERE id = ")
            .push_bind(after)
            .push(")");
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(i64::from(limit));
    q.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(event_from_row)
        .collect()
}

pub(super) async fn one(
    pool: &PgPool,
    merchant_id: &str,
    event_id: &str,
) -> Result<Option<StoredEvent>, StoreError> {
    sqlx::query(
        "SELECT id, order_id, type, seq, payload, created_at FROM outbox_events
         WHERE id = $1 AND merchant_id = $2",
    )
    .bind(event_id)
    .bind(merchant_id)
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(event_from_row)
    .transpose()
}

pub(super) async fn deliveries(
    pool: &PgPool,
    event_id: &EventId,
) -> Result<Vec<DeliveryRecord>, StoreError> {
    let mut records: Vec<DeliveryRecord> = sqlx::query(
        "SELECT endpoint_id, state, next_attempt_at, delivered_at, last_error
         FROM webhook_deliveries WHERE event_id = $1 ORDER BY endpoint_id",
    )
    .bind(event_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        let state: String = row.try_get("state")?;
        let state = DeliveryState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("webhook_deliveries.state {state}")))?;
        Ok(DeliveryRecord {
            event_id: event_id.clone(),
            endpoint_id: row.try_get("endpoint_id")?,
            next_attempt_at: (state == DeliveryState::Pending)
                .then(|| row.try_get("next_attempt_at"))
                .transpose()?,
            state,
            attempts: Vec::new(),
            delivered_at: row.try_get("delivered_at")?,
            last_error: row.try_get("last_error")?,
        })
    })
    .collect::<Result<_, StoreError>>()?;
    let attempts = sqlx::query(
        "SELECT endpoint_id, started_at, duration_ms, status_code, error FROM webhook_attempts
         WHERE event_id = $1 ORDER BY id",
    )
    .bind(event_id)
    .fetch_all(pool)
    .await?;
    for row in attempts {
        let endpoint: String = row.try_get("endpoint_id")?;
        let status: Option<i64> = row.try_get("status_code")?;
        let log = AttemptLog {
            started_at: row.try_get("started_at")?,
            duration_ms: row.try_get("duration_ms")?,
            status_code: status.and_then(|s| u16::try_from(s).ok()),
            error: row.try_get("error")?,
        };
        if let Some(r) = records.iter_mut().find(|r| r.endpoint_id == endpoint) {
            r.attempts.push(log);
        }
    }
    Ok(records)
}

pub(super) async fn redeliver(pool: &PgPool, r: &Redeliver) -> Result<bool, StoreError> {
    let sql = format!(
        "INSERT INTO webhook_deliveries (event_id, endpoint_id, order_id, seq, state,
             scheduled_at, next_attempt_at)
         SELECT e.id, webhook_endpoints.id, e.order_id, e.seq, 'pending', $1, $1
         FROM outbox_events e JOIN webhook_endpoints ON webhook_endpoints.merchant_id = e.merchant_id
         WHERE e.id = $2 AND webhook_endpoints.id = $3 AND {}
         ON CONFLICT (event_id, endpoint_id) DO UPDATE SET
             state = 'pending', scheduled_at = $1, next_attempt_at = $1",
        guards::all(change::REDELIVER)
    );
    let mut tx = pool.begin().await?;
    for endpoint_id in &r.endpoint_ids {
        let scheduled = sqlx::query(&sql)
            .bind(r.now)
            .bind(&r.event_id)
            .bind(endpoint_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if scheduled != 1 {
            // Dropping the transaction undoes the others.
            return Ok(false);
        }
    }
    idempotency::record(&mut tx, r.answer.as_slice()).await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn counts(pool: &PgPool) -> Result<DeliveryCounts, StoreError> {
    let mut counts = DeliveryCounts::default();
    let rows: Vec<(String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT state, COUNT(*), MIN(scheduled_at) FROM webhook_deliveries GROUP BY state",
    )
    .fetch_all(pool)
    .await?;
    for (state, n, oldest) in rows {
        let state = DeliveryState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("webhook_deliveries.state {state}")))?;
        match state {
            DeliveryState::Pending => {
                counts.pending = n;
                counts.oldest_pending_at = oldest;
            }
            DeliveryState::Delivered => counts.delivered = n,
            DeliveryState::Failed => counts.failed = n,
            DeliveryState::Cancelled => counts.cancelled = n,
        }
    }
    Ok(counts)
}
