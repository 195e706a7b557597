//! Server-to-server notifications from banks.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use paydesk_shared::ErrorCode;

use crate::banking;
use crate::connectors::ConnectorError;
use crate::http::error::ApiError;
use crate::http::extract::{PathParam, RawBody};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/v1/bank/notifications/{connector}", post(notify))
}

/// Answers 200 once the verified notification is stored durably: a bank that sees 200
/// may stop retrying. Applying it to the order happens right after, off this request.
async fn notify(
    State(state): State<AppState>,
    PathParam(name): PathParam<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<serde_json::Value>, ApiError> {
    let connector = state
        .connectors
        .by_name(&name)
        .ok_or_else(|| ApiError::not_found("bank connector"))?
        .clone();
    let verified = connector
        .verify_notification(&headers, &body, state.clock.now_secs())
        .map_err(|e| rejected(&name, e))?;
    banking::receive_notification(&state, &*connector, verified, &body).await?;
    Ok(Json(serde_json::json!({ "received": true })))
}

fn rejected(connector: &str, e: ConnectorError) -> ApiError {
    match e {
        ConnectorError::Signature(reason) => {
            tracing::warn!(
                connector,
                reason = reason.code(),
                "bank notification signature rejected"
            );
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::SignatureInvalid,
                format!(
                    "the notification signature is not valid ({})",
                    reason.code()
                ),
            )
        }
        other => ApiError::bad_request(ErrorCode::InvalidJson, other.to_string()),
    }
}
