//! Server-to-server notifications from banks.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;

use crate::banking;
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
    PathParam(connector): PathParam<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<serde_json::Value>, ApiError> {
    banking::receive_notification(&state, &connector, &headers, &body).await?;
    Ok(Json(serde_json::json!({ "received": true })))
}
