//! The gateway's HTTP surface, one module per audience.

mod auth;
mod bank_notify;
mod health;
mod hosted;
mod merchant;
mod request;
mod widget;

use std::path::Path;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use paydesk_shared::ErrorCode;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;
use crate::state::AppState;

/// Bodies above this are refused before they are read.
const MAX_BODY_BYTES: usize = 256 * 1024;

pub(crate) fn router(state: AppState, widget_dir: &Path) -> Router {
    let assets = Router::new()
        .fallback_service(ServeDir::new(widget_dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        // Unversioned names for now: browsers must revalidate.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ));
    Router::new()
        .merge(health::router())
        .merge(merchant::router())
        .merge(widget::router())
        .merge(hosted::router())
        .merge(bank_notify::router())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .nest_service("/assets", assets)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("endpoint")
}

async fn method_not_allowed() -> impl IntoResponse {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "this endpoint does not take that method",
    )
}
