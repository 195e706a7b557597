use axum::Json;
use axum::extract::State;
use paydesk_shared::api::OrderResponse;

use crate::domain::ids::OrderId;
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::extract::PathParam;
use crate::http::wire;
use crate::state::AppState;

/// `GET /v1/orders/{id}`: another merchant's order is indistinguishable from none.
pub(super) async fn handler(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<OrderId>,
) -> Result<Json<OrderResponse>, ApiError> {
    let order = state
        .store
        .order(&merchant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    Ok(Json(wire::order_response(
        &order,
        &state.public_url,
        state.clock.now_ms(),
    )))
}
