use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/health", get(|| async { "ok" }))
}
