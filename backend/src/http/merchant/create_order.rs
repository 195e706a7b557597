use axum::extract::State;
use axum::http::StatusCode;
use paydesk_shared::ErrorCode;
use paydesk_shared::api::CreateOrderRequest;
use paydesk_shared::order::OrderDraft;

use super::return_urls;
use crate::domain::ids::{OrderId, client_token};
use crate::domain::order::NewOrder;
use crate::domain::time::millis;
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::request::JsonBody;
use crate::http::wire;
use crate::state::AppState;
use crate::store::CreateOrder;

/// `POST /v1/orders`: validates, computes totals, stores, answers 201.
pub(super) async fn handler(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    idempotency: Idempotency,
    body: JsonBody,
) -> Result<Answer, ApiError> {
    let request: CreateOrderRequest = body.parse()?;
    let draft = OrderDraft::parse(&request)?;
    if !return_urls::is_registered(&merchant.return_urls, &draft.return_url) {
        return Err(ApiError::unprocessable(
            ErrorCode::ReturnUrlNotRegistered,
            "return_url: must match one of your registered return URLs (scheme, host, port and path)",
        ));
    }

    let now = state.clock.now_ms();
    let ttl_ms = match draft.expires_in {
        Some(secs) => i64::from(secs) * 1000,
        None => millis(state.order_ttl),
    };
    let order_id = OrderId::generate();
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
    let answer = Answer::json(
        StatusCode::CREATED,
        &wire::created_order_response(&order.to_order(), &state.public_url),
    );
    let answer_record = idempotency.record(&answer);
    state
        .store
        .create_order(CreateOrder {
            order,
            answer: answer_record,
        })
        .await?;
    Ok(answer)
}
