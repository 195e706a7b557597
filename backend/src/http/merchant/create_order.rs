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

/// Creates an order for the shopper to pay. The gateway computes each line's total and
/// the order's total from `unit_price` and `quantity`. Hand `client_token` to the
/// widget, or send the shopper to `hosted_url`.
#[utoipa::path(post, path = "/v1/orders", tag = "Orders", operation_id = "create_order",
    security(("merchant_key" = [])),
    request_body(content = CreateOrderRequest, example = json!({
        "currency": "CNY",
        "items": [{"name": "Tea set", "quantity": 1, "unit_price": "25.00"}],
        "merchant_reference": "order-1042",
        "return_url": "https://shop.example/orders/1042",
    })),
    responses(
        (status = 201, description = "The order, `created`.", body = paydesk_shared::api::OrderResponse),
        (status = 422, description = "`currency_unknown`, `amount_invalid`, `quantity_invalid`, `items_empty`, `items_too_many`, `field_too_long`, `url_invalid`, `expires_in_invalid`, `invalid_field`: a field is not acceptable; `message` names it. `return_url_not_registered`: `return_url` matches none of your return URLs."),
    ))]
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
