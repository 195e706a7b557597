//! `GET /orders/{reference}`

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

use crate::error::PageError;
use crate::startup::AppState;
use crate::views;

pub(super) fn router() -> Router<Arc<AppState>> {
    Router::new().route("/orders/{reference}", get(show_order))
}

async fn show_order(
    State(state): State<Arc<AppState>>,
    Path(reference): Path<String>,
) -> Result<Response, PageError> {
    let order = state.find_order(&reference)?;
    Ok(views::order::render(&order))
}
