//! The merchant API, authenticated by secret key.

mod create_order;
mod get_order;
mod return_url;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/orders", post(create_order::handler))
        .route("/v1/orders/{id}", get(get_order::handler))
}
