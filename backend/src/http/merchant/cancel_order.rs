use axum::extract::State;
use axum::http::StatusCode;
use paydesk_shared::{ErrorCode, OrderStatus};

use crate::domain::event::EventType;
use crate::domain::ids::OrderId;
use crate::domain::order::CancelOutcome;
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::extract::PathParam;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::wire;
use crate::payments::publish_status;
use crate::state::AppState;
use crate::store::CancelOrder;

/// Cancels an order: only while it waits for the shopper (`created`, or `failed` after a
/// declined attempt); never while the shopper is at the bank, nor after. Sends
/// `order.cancelled`.
#[utoipa::path(post, path = "/v1/orders/{id}/cancel", tag = "Orders", operation_id = "cancel_order",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The order's id.")),
    responses(
        (status = 200, description = "The cancelled order.", body = paydesk_shared::api::OrderResponse),
        (status = 404, description = "`not_found`: you have no order with this id."),
        (status = 409, description = "`order_not_cancellable`: the order is paid, expired, cancelled, or the shopper is at the bank."),
    ))]
pub(super) async fn handler(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<OrderId>,
    idempotency: Idempotency,
) -> Result<Answer, ApiError> {
    let order = state
        .store
        .order(&merchant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    let now = state.clock.now_ms();
    let mut cancelled = order;
    cancelled.status = OrderStatus::Cancelled;
    let event = state
        .events
        .order_event(&cancelled, EventType::OrderCancelled, now);
    let answer = Answer::json(
        StatusCode::OK,
        &wire::order_response(&cancelled, &state.public_url, now),
    );
    let cancel = CancelOrder {
        event,
        now,
        answer: idempotency.record(&answer),
    };
    match state.store.cancel_order(&cancel).await? {
        CancelOutcome::Cancelled => {
            tracing::info!(merchant = %merchant.id, order = %id, "order cancelled");
            state.outbox.notify_one();
            publish_status(&state, &id).await;
            Ok(answer)
        }
        CancelOutcome::NotCancellable(status) => Err(ApiError::conflict(
            ErrorCode::OrderNotCancellable,
            match status {
                OrderStatus::Pending => {
                    "the shopper is at the bank: the order can be cancelled once the bank declines, or it expires".to_owned()
                }
                other => format!("the order is {} and cannot be cancelled", other.as_str()),
            },
        )),
    }
}
