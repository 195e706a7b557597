//! Server-to-server notifications from banks.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use paydesk_shared::ErrorCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::banking;
use crate::connectors::ConnectorError;
use crate::http::error::ApiError;
use crate::http::extract::{PathParam, RawBody};
use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(notify))
}

/// A bank's signed payment notification. Answers 200 once the verified notification
/// is stored durably: a bank that sees 200 may stop retrying. Applying it to the order
/// happens right after, off this request.
#[utoipa::path(post, path = "/v1/bank/notifications/{connector}", tag = "Bank network", operation_id = "receive_bank_notification",
    params(("connector" = String, Path, description = "The bank connector's name.")),
    request_body(content = Object, description = "The bank's signed message, as its connector defines it (signature in the headers)."),
    responses(
        (status = 200, description = "Stored.", body = Object, example = json!({"received": true})),
        (status = 400, description = "`invalid_json`: not a message this connector reads."),
        (status = 401, description = "`signature_invalid`: the signature does not verify, or is too old."),
        (status = 404, description = "`not_found`: no connector with this name."),
        (status = 409, description = "`notification_replayed`: this signed message arrived before."),
    ))]
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
