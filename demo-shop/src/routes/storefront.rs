//! `GET /`

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use crate::startup::AppState;
use crate::views;

pub(super) fn router() -> Router<Arc<AppState>> {
    Router::new().route("/", get(storefront))
}

async fn storefront(State(state): State<Arc<AppState>>) -> Response {
    views::storefront::render(&state.catalog)
}
