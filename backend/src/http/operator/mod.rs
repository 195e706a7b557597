//! `/v1/operator/…`: what the gateway's operator must see. Open alerts (quarantined
//! bank verdicts, refunds a bank refused), the bank inbox's backlog and the webhook
//! deliveries'.

mod ledger;
mod merchants;
mod settlement;

pub(crate) use merchants::merchant_response;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Operator;
use crate::domain::alert::Alert;
use crate::http::error::ApiError;
use crate::http::wire;
use crate::state::AppState;

const ALERTS_SHOWN: u32 = 500;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(alerts))
        .routes(routes!(bank_inbox))
        .routes(routes!(webhooks))
        .routes(routes!(merchants::create, merchants::list))
        .routes(routes!(merchants::get))
        .routes(routes!(merchants::issue_key, merchants::keys))
        .routes(routes!(merchants::revoke_key))
        .routes(routes!(ledger::trial_balance))
        .routes(routes!(settlement::run))
        .routes(routes!(settlement::report))
        .routes(routes!(settlement::resolve_alert))
}

#[derive(Serialize, ToSchema)]
struct AlertList {
    data: Vec<AlertResponse>,
}

#[derive(Serialize, ToSchema)]
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

/// Open alerts, oldest first: quarantined bank verdicts, refunds a bank refused,
/// reconciliation breaks and money overdue at a bank.
#[utoipa::path(get, path = "/v1/operator/alerts", tag = "Operator", operation_id = "list_alerts",
    security(("operator_key" = [])),
    responses((status = 200, description = "Open alerts.", body = AlertList)))]
async fn alerts(_: Operator, State(state): State<AppState>) -> Result<Json<AlertList>, ApiError> {
    let alerts = state.store.open_alerts(ALERTS_SHOWN).await?;
    Ok(Json(AlertList {
        data: alerts.into_iter().map(AlertResponse::from).collect(),
    }))
}

/// Stored bank verdicts by state; `received` is the backlog not applied yet.
#[utoipa::path(get, path = "/v1/operator/bank-inbox", tag = "Operator", operation_id = "get_bank_inbox",
    security(("operator_key" = [])),
    responses((status = 200, description = "Verdicts by state.", body = InboxBacklog)))]
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

#[derive(Serialize, ToSchema)]
struct InboxBacklog {
    received: i64,
    applied: i64,
    duplicate: i64,
    ignored: i64,
    quarantined: i64,
}

#[derive(Serialize, ToSchema)]
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

/// Webhook deliveries by state, and how old the oldest pending one is.
#[utoipa::path(get, path = "/v1/operator/webhooks", tag = "Operator", operation_id = "get_webhook_backlog",
    security(("operator_key" = [])),
    responses((status = 200, description = "Deliveries by state.", body = WebhookBacklog)))]
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
