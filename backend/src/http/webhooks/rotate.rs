//! `POST /v1/webhook_endpoints/{id}/rotate_secret`: a new secret at once, the old one
//! still signing beside it for the overlap, so the merchant can switch receivers over
//! without losing a webhook.

use axum::extract::State;
use axum::http::StatusCode;
use paydesk_shared::ErrorCode;
use paydesk_shared::webhook_api::RotateSecretRequest;

use super::endpoint_response;
use super::endpoints::find;
use crate::domain::ids::EndpointId;
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::extract::PathParam;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::request::JsonBody;
use crate::state::AppState;
use crate::store::RotateSecret;

const DEFAULT_OVERLAP_SECS: i64 = 24 * 60 * 60;
const MAX_OVERLAP_SECS: i64 = 7 * 24 * 60 * 60;

/// A new secret at once; the old one keeps signing beside it for `overlap_secs`
/// (a day if not given), so receivers can switch without losing a webhook.
#[utoipa::path(post, path = "/v1/webhook_endpoints/{id}/rotate_secret", tag = "Webhooks", operation_id = "rotate_webhook_secret",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The endpoint's id.")),
    request_body(content = RotateSecretRequest, example = json!({"overlap_secs": 3600})),
    responses(
        (status = 200, description = "The endpoint with its new `secret`.", body = paydesk_shared::webhook_api::EndpointResponse),
        (status = 404, description = "`not_found`: you have no endpoint with this id."),
        (status = 422, description = "`invalid_field`: `overlap_secs` is out of range."),
    ))]
pub(super) async fn handler(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<EndpointId>,
    idempotency: Idempotency,
    body: JsonBody,
) -> Result<Answer, ApiError> {
    let request: RotateSecretRequest = body.parse()?;
    let overlap = request.overlap_secs.unwrap_or(DEFAULT_OVERLAP_SECS);
    if !(0..=MAX_OVERLAP_SECS).contains(&overlap) {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidField,
            format!("overlap_secs: 0 to {MAX_OVERLAP_SECS} seconds"),
        ));
    }
    let now = state.clock.now_ms();
    let mut rotated = find(&state, &merchant.id, &id).await?;
    let previous_until = now + overlap * 1000;
    rotated.previous_secret = Some(std::mem::replace(
        &mut rotated.secret,
        paydesk_shared::webhook::new_secret(),
    ));
    rotated.previous_secret_until = Some(previous_until);
    let answer = Answer::json(StatusCode::OK, &endpoint_response(&rotated, true));
    state
        .store
        .rotate_webhook_secret(&RotateSecret {
            merchant_id: merchant.id.clone(),
            endpoint_id: id.clone(),
            secret: rotated.secret.clone(),
            previous_until,
            now,
            answer: idempotency.record(&answer),
        })
        .await?
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
    tracing::info!(merchant = %merchant.id, endpoint = %id, overlap_secs = overlap, "webhook secret rotated");
    Ok(answer)
}
