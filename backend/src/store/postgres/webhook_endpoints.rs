//! Webhook endpoints: registered, changed, rotated and deleted by their merchant.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::outbox::cancel_pending;
use super::{guards, idempotency};
use crate::domain::change;
use crate::domain::webhook::{EndpointStatus, WebhookEndpoint};
use crate::store::{RotateSecret, SaveEndpoint, StoreError};

pub(super) fn endpoint_from_row(row: &PgRow) -> Result<WebhookEndpoint, StoreError> {
    let event_types: String = row.try_get("event_types")?;
    let status: String = row.try_get("status")?;
    Ok(WebhookEndpoint {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        url: row.try_get("url")?,
        event_types: serde_json::from_str(&event_types)
            .map_err(|e| StoreError::Corrupt(format!("webhook_endpoints.event_types: {e}")))?,
        description: row.try_get("description")?,
        secret: row.try_get("secret")?,
        previous_secret: row.try_get("previous_secret")?,
        previous_secret_until: row.try_get("previous_secret_until")?,
        status: EndpointStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("webhook_endpoints.status {status}")))?,
        disabled_reason: row.try_get("disabled_reason")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(super) async fn save(pool: &PgPool, c: &SaveEndpoint) -> Result<(), StoreError> {
    let e = &c.endpoint;
    let event_types =
        serde_json::to_string(&e.event_types).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, merchant_id, url, event_types, description, secret,
             status, disabled_reason, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET
             url = excluded.url,
             event_types = excluded.event_types,
             description = excluded.description,
             status = excluded.status,
             disabled_reason = excluded.disabled_reason,
             updated_at = excluded.updated_at
         WHERE webhook_endpoints.merchant_id = excluded.merchant_id",
    )
    .bind(&e.id)
    .bind(&e.merchant_id)
    .bind(&e.url)
    .bind(event_types)
    .bind(&e.description)
    .bind(&e.secret)
    .bind(e.status.as_str())
    .bind(&e.disabled_reason)
    .bind(e.created_at)
    .bind(e.updated_at)
    .execute(&mut *tx)
    .await?;
    if e.status != EndpointStatus::Enabled {
        cancel_pending(&mut tx, &e.id).await?;
    }
    idempotency::record(&mut tx, c.answer.as_slice()).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn list(
    pool: &PgPool,
    merchant_id: &str,
) -> Result<Vec<WebhookEndpoint>, StoreError> {
    sqlx::query(
        "SELECT * FROM webhook_endpoints WHERE merchant_id = $1 AND status <> 'deleted'
         ORDER BY created_at, id",
    )
    .bind(merchant_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(endpoint_from_row)
    .collect()
}

pub(super) async fn one(
    pool: &PgPool,
    merchant_id: &str,
    id: &str,
) -> Result<Option<WebhookEndpoint>, StoreError> {
    sqlx::query(
        "SELECT * FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2 AND status <> 'deleted'",
    )
    .bind(id)
    .bind(merchant_id)
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(endpoint_from_row)
    .transpose()
}

/// A new secret for a live endpoint; the old one signs too until `previous_until`.
pub(super) async fn rotate(
    pool: &PgPool,
    r: &RotateSecret,
) -> Result<Option<WebhookEndpoint>, StoreError> {
    let mut tx = pool.begin().await?;
    let rotated = sqlx::query(&format!(
        "UPDATE webhook_endpoints
         SET previous_secret = secret, previous_secret_until = $1, secret = $2, updated_at = $3
         WHERE id = $4 AND merchant_id = $5 AND {}
         RETURNING *",
        guards::all(change::ROTATE_SECRET)
    ))
    .bind(r.previous_until)
    .bind(&r.secret)
    .bind(r.now)
    .bind(&r.endpoint_id)
    .bind(&r.merchant_id)
    .fetch_optional(&mut *tx)
    .await?
    .as_ref()
    .map(endpoint_from_row)
    .transpose()?;
    if rotated.is_some() {
        idempotency::record(&mut tx, r.answer.as_slice()).await?;
    }
    tx.commit().await?;
    Ok(rotated)
}
