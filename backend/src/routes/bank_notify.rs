//! Server-to-server notifications from banks.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use paydesk_shared::ErrorCode;

use crate::connectors::ConnectorError;
use crate::error::ApiError;
use crate::payments;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/v1/bank/notifications/{connector}", post(notify))
}

/// Verifies the bank's signature, then applies the verdict; answers 200 only once the
/// outcome is stored, so a bank that sees 200 may stop retrying.
async fn notify(
    State(state): State<AppState>,
    Path(connector_name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let connector = state
        .connectors
        .by_name(&connector_name)
        .ok_or_else(|| ApiError::not_found("bank connector"))?
        .clone();
    let verdict = connector
        .verify_notification(&headers, &body, state.clock.now_secs())
        .map_err(|e| match e {
            ConnectorError::Signature(reason) => {
                tracing::warn!(connector = %connector_name, %reason, "bank notification signature rejected");
                ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::SignatureInvalid, "the notification signature is not valid")
            }
            ConnectorError::Malformed(detail) => ApiError::bad_request(ErrorCode::InvalidJson, detail),
        })?;
    // Verified bytes are UTF-8 JSON.
    let raw = String::from_utf8_lossy(&body).into_owned();
    payments::apply_verdict(&state, connector.name(), raw, verdict).await?;
    Ok(Json(serde_json::json!({ "received": true })))
}
