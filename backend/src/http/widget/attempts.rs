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

/// The shopper pressed Pay: starts a payment attempt at the chosen bank and answers the
/// signed redirect to its online-banking page. The `Idempotency-Key` (required here)
/// makes a double click one attempt.
#[utoipa::path(post, path = "/v1/widget/attempts", tag = "Widget", operation_id = "create_widget_attempt",
    security(("client_token" = [])),
    params(("Idempotency-Key" = String, Header, description = "1 to 255 printable ASCII characters, one per press of Pay.")),
    request_body(content = CreateAttemptRequest, example = json!({"bank_code": "ICBC", "card_kind": "debit"})),
    responses(
        (status = 201, description = "The attempt and where to send the shopper.", body = CreateAttemptResponse),
        (status = 400, description = "`idempotency_key_invalid`: no `Idempotency-Key`, or not 1 to 255 printable ASCII characters."),
        (status = 409, description = "`order_not_payable`: the order is paid, expired, cancelled, or already at a bank."),
        (status = 422, description = "`bank_unknown`: no bank with this code. `bank_unavailable`: the bank cannot take this payment (limit, card kind or maintenance). `idempotency_key_reused`: this key started an attempt with another bank or card kind."),
    ))]
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
