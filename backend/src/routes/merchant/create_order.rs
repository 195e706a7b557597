use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use paydesk_shared::ErrorCode;
use paydesk_shared::api::CreateOrderRequest;
use paydesk_shared::order::OrderDraft;
use sha2::{Digest, Sha256};

use super::return_url;
use crate::error::ApiError;
use crate::ids::{client_token, new_order_id};
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
    let ttl_ms = match draft.expires_in {
        Some(secs) => i64::from(secs) * 1000,
        None => i64::try_from(state.order_ttl.as_millis()).unwrap_or(i64::MAX),
    };
    let order_id = new_order_id();
    let order = NewOrder {
        id: order_id.clone(),
        merchant_id: merchant.id.clone(),
        currency: draft.currency,
        items: draft.items,
        total: draft.total,
        merchant_reference: draft.merchant_reference,
        return_url: draft.return_url,
        client_token: client_token(&order_id),
        created_at: now,
        expires_at: now.saturating_add(ttl_ms),
    };
    let idempotency = key.map(|key| NewIdempotencyRecord {
        merchant_id: merchant.id.clone(),
        key,
        request_hash: hex::encode(Sha256::digest(&body.0)),
        created_at: now,
    });
    let created = order.to_record();
    let (status, order) = match state.store.create_order(order, idempotency).await? {
        CreateOrderOutcome::Created => (StatusCode::CREATED, created),
        CreateOrderOutcome::Replayed { order_id } => {
            let first = state
                .store
                .order(&merchant.id, &order_id)
                .await?
                .ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!(
                        "idempotency key names missing order {order_id}"
                    ))
                })?;
            (StatusCode::CREATED, first)
        }
    };
    Ok((
        status,
        Json(wire::created_order_response(&order, &state.public_url)),
    )
        .into_response())
}
