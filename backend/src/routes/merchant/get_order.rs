use axum::Json;
use axum::extract::{Path, State};
use paydesk_shared::api::OrderResponse;

use crate::error::ApiError;
use crate::routes::auth::AuthMerchant;
use crate::state::AppState;
use crate::wire;

/// `GET /v1/orders/{id}`: another merchant's order is indistinguishable from none.
pub(super) async fn handler(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    Path(id): Path<String>,
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
