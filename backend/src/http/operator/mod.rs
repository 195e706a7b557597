//! `/v1/operator/…`: what the gateway's operator must see. Open alerts (quarantined
//! bank verdicts, refunds a bank refused), the bank inbox's backlog and the webhook
//! deliveries'.

mod ledger;
mod merchants;
mod settlement;

pub(crate) use merchants::merchant_response;

use axum::extract::State;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Serialize;

use super::auth::Operator;
use crate::domain::alert::Alert;
use crate::http::error::ApiError;
use crate::http::wire;
use crate::state::AppState;

const ALERTS_SHOWN: u32 = 500;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/operator/alerts", get(alerts))
        .route("/v1/operator/bank-inbox", get(bank_inbox))
        .route("/v1/operator/webhooks", get(webhooks))
        .route(
            "/v1/operator/merchants",
            post(merchants::create).get(merchants::list),
        )
        .route("/v1/operator/merchants/{id}", get(merchants::get))
        .route(
            "/v1/operator/merchants/{id}/keys",
            post(merchants::issue_key).get(merchants::keys),
        )
        .route(
            "/v1/operator/merchants/{id}/keys/{key_id}",
            delete(merchants::revoke_key),
        )
        .route(
            "/v1/operator/ledger/trial_balance",
            get(ledger::trial_balance),
        )
        .route("/v1/operator/settlement_runs", post(settlement::run))
        .route(
            "/v1/operator/reconciliation/{date}",
            get(settlement::report),
        )
        .route(
            "/v1/operator/alerts/{id}/resolve",
            post(settlement::resolve_alert),
        )
}

#[derive(Serialize)]
struct AlertList {
    data: Vec<AlertResponse>,
}

#[derive(Serialize)]
struct AlertResponse {
    id: String,
    kind: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempt_id: Option<String>,
    /// The quarantined bank message, when the alert is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    bank_message_id: Option<i64>,
    created_at: String,
}

impl From<Alert> for AlertResponse {
    fn from(a: Alert) -> Self {
        AlertResponse {
            id: a.id.to_string(),
            kind: a.kind,
            message: a.message,
            order_id: a.order_id.map(String::from),
            attempt_id: a.attempt_id.map(String::from),
            bank_message_id: a.inbox_id,
            created_at: wire::timestamp(a.created_at),
        }
    }
}

/// `GET /v1/operator/alerts`: open alerts, oldest first.
async fn alerts(_: Operator, State(state): State<AppState>) -> Result<Json<AlertList>, ApiError> {
    let alerts = state.store.open_alerts(ALERTS_SHOWN).await?;
    Ok(Json(AlertList {
        data: alerts.into_iter().map(AlertResponse::from).collect(),
    }))
}

/// `GET /v1/operator/bank-inbox`: stored bank verdicts by state; `received` is the
/// backlog not applied yet.
async fn bank_inbox(
    _: Operator,
    State(state): State<AppState>,
) -> Result<Json<InboxBacklog>, ApiError> {
    let c = state.store.inbox_counts().await?;
    Ok(Json(InboxBacklog {
        received: c.received,
        applied: c.applied,
        duplicate: c.duplicate,
        ignored: c.ignored,
        quarantined: c.quarantined,
    }))
}

#[derive(Serialize)]
struct InboxBacklog {
    received: i64,
    applied: i64,
    duplicate: i64,
    ignored: i64,
    quarantined: i64,
}

#[derive(Serialize)]
struct WebhookBacklog {
    pending: i64,
    delivered: i64,
    failed: i64,
    cancelled: i64,
    /// When the oldest delivery still pending was scheduled: how far behind merchants
    /// are.
    #[serde(skip_serializing_if = "Option::is_none")]
    oldest_pending_since: Option<String>,
}

/// `GET /v1/operator/webhooks`: webhook deliveries by state.
async fn webhooks(
    _: Operator,
    State(state): State<AppState>,
) -> Result<Json<WebhookBacklog>, ApiError> {
    let c = state.store.delivery_counts().await?;
    Ok(Json(WebhookBacklog {
        pending: c.pending,
        delivered: c.delivered,
        failed: c.failed,
        cancelled: c.cancelled,
        oldest_pending_since: c.oldest_pending_at.map(wire::timestamp),
    }))
}
