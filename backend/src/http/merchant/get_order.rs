use axum::Json;
use axum::extract::State;
use paydesk_shared::api::OrderResponse;

use crate::domain::ids::{MerchantId, OrderId};
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::extract::PathParam;
use crate::http::wire;
use crate::state::AppState;

/// One of your orders, with its payment attempts. Another merchant's order is
/// indistinguishable from none.
#[utoipa::path(get, path = "/v1/orders/{id}", tag = "Orders", operation_id = "get_order",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The order's id.")),
    responses(
        (status = 200, description = "The order.", body = OrderResponse),
        (status = 404, description = "`not_found`: you have no order with this id."),
    ))]
pub(super) async fn handler(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<OrderId>,
) -> Result<Json<OrderResponse>, ApiError> {
    Ok(Json(read(&state, &merchant.id, &id).await?))
}

/// The merchant's order as the API shows it, or `404` if it has no such order.
pub(crate) async fn read(
    state: &AppState,
    merchant_id: &MerchantId,
    id: &OrderId,
) -> Result<OrderResponse, ApiError> {
    let order = state
        .store
        .order(merchant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    Ok(wire::order_response(
        &order,
        &state.public_url,
        state.clock.now_ms(),
    ))
}
