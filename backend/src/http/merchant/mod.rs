//! The merchant API, authenticated by secret key.

mod cancel_order;
mod create_order;
mod get_order;
mod list_orders;
mod refunds;
mod return_url;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/orders",
            post(create_order::handler).get(list_orders::handler),
        )
        .route("/v1/orders/{id}", get(get_order::handler))
        .route("/v1/orders/{id}/cancel", post(cancel_order::handler))
        .route(
            "/v1/orders/{id}/refunds",
            post(refunds::create).get(refunds::list),
        )
        .route("/v1/refunds/{id}", get(refunds::get))
}
