//! `GET /health`: the process is up and serving.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

async fn health() -> StatusCode {
    StatusCode::OK
}
