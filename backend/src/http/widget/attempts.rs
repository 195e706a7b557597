use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use paydesk_shared::ErrorCode;
use paydesk_shared::api::{CreateAttemptRequest, CreateAttemptResponse};

use crate::http::auth::ClientOrder;
use crate::http::error::ApiError;
use crate::http::request::{JsonBody, idempotency_key};
use crate::payments;
use crate::state::AppState;

/// `POST /v1/widget/attempts`: the shopper pressed Pay. The widget's Idempotency-Key
/// makes a double click one attempt.
pub(super) async fn handler(
    State(state): State<AppState>,
    ClientOrder(order): ClientOrder,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<(StatusCode, Json<CreateAttemptResponse>), ApiError> {
    let key = idempotency_key(&headers)?.ok_or_else(|| {
        ApiError::bad_request(
            ErrorCode::IdempotencyKeyInvalid,
            "an Idempotency-Key header is required",
        )
    })?;
    let request: CreateAttemptRequest = body.parse()?;
    let merchant = state
        .store
        .merchant(&order.merchant_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("order {} has no merchant", order.id)))?;
    let click = payments::PayClick {
        bank_code: &request.bank_code,
        card_kind: request.card_kind,
        mode: request.mode,
        idempotency_key: key,
    };
    let started = payments::start_attempt(&state, &order, &merchant.name, click).await?;
    Ok((StatusCode::CREATED, Json(started)))
}
