//! `GET /health`: answers once the shop is serving, for supervisors and readiness
//! checks.

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::startup::AppState;

pub(super) fn router() -> Router<Arc<AppState>> {
    Router::new().route("/health", get(|| async { "ok" }))
}
