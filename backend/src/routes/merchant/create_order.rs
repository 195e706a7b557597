use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paydesk_shared::ErrorCode;
use paydesk_shared::api::CreateOrderRequest;
use paydesk_shared::order::OrderDraft;
use sha2::{Digest, Sha256};

use super::return_url;
use crate::error::ApiError;
use crate::ids::{client_token, new_id};
use crate::routes::auth::AuthMerchant;
use crate::routes::request::{JsonBody, idempotency_key};
use crate::state::AppState;
use crate::store::{CreateOrderOutcome, NewIdempotencyRecord, NewOrder};
use crate::wire;

/// `POST /v1/orders`: validates, computes totals, stores, answers 201 — or replays the
/// first answer for a repeated `Idempotency-Key`.
pub(super) async fn handler(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let request: CreateOrderRequest = body.parse()?;
    let draft = OrderDraft::parse(&request)?;
    if !return_url::is_registered(&merchant.return_urls, &draft.return_url) {
        return Err(ApiError::unprocessable(
            ErrorCode::ReturnUrlNotRegistered,
            "return_url: must match one of your registered return URLs (scheme, host, port and path)",
        ));
    }

    let now = state.clock.now_ms();
    let ttl_ms = i64::try_from(state.order_ttl.as_millis()).unwrap_or(i64::MAX);
    let order = NewOrder {
        id: new_id("ord"),
        merchant_id: merchant.id.clone(),
        currency: draft.currency,
        items: draft.items,
        total: draft.total,
        merchant_reference: draft.merchant_reference,
        return_url: draft.return_url,
        client_token: client_token(),
        created_at: now,
        expires_at: now.saturating_add(ttl_ms),
    };
    let response_body = serde_json::to_string(&wire::order_response(&order.to_record(), now))
        .map_err(|e| ApiError::Internal(e.into()))?;
    let idempotency = key.map(|key| NewIdempotencyRecord {
        merchant_id: merchant.id.clone(),
        key,
        request_hash: hex::encode(Sha256::digest(&body.0)),
        status_code: StatusCode::CREATED.as_u16(),
        response_body: response_body.clone(),
        created_at: now,
    });
    let (status, body) = match state.store.create_order(order, idempotency).await? {
        CreateOrderOutcome::Created => (StatusCode::CREATED, response_body),
        CreateOrderOutcome::Replayed {
            status_code,
            response_body,
        } => (
            StatusCode::from_u16(status_code).unwrap_or(StatusCode::CREATED),
            response_body,
        ),
    };
    Ok((status, [(header::CONTENT_TYPE, "application/json")], body).into_response())
}
