//! The gateway's HTTP surface, one module per audience.

mod assets;
mod auth;
mod bank_notify;
pub(crate) mod error;
pub(crate) mod extract;
mod health;
mod hosted;
pub(crate) mod idempotency;
mod list_query;
pub(crate) mod merchant;
mod metrics;
mod operator;
pub(crate) mod rate_limit;
mod request;
mod request_id;
mod test_helpers;
pub(crate) mod timeout;
mod webhooks;
mod widget;
pub(crate) mod wire;

use std::path::Path;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use paydesk_shared::ErrorCode;

use crate::http::error::ApiError;
use crate::state::AppState;

/// Bodies above this are refused before they are read.
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;

pub(crate) fn router(state: AppState, widget_dir: &Path) -> Router {
    let bounded = Router::new()
        .merge(health::router())
        .merge(metrics::router())
        .merge(merchant::router().merge(webhooks::router()).route_layer(
            axum::middleware::from_fn_with_state(state.clone(), idempotency::layer),
        ))
        .merge(
            hosted::router().route_layer(from_fn_with_state(state.clone(), rate_limit::per_client)),
        )
        .merge(
            bank_notify::router()
                .route_layer(from_fn_with_state(state.clone(), rate_limit::per_connector)),
        )
        .merge(operator::router())
        .merge(test_helpers::router())
        .route_layer(axum::middleware::from_fn(timeout::layer));
    let router = bounded
        // The widget's routes are bounded there: all but its live status stream.
        .merge(widget::router(&state))
        .merge(webhooks::stream_router())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .nest_service("/assets", assets::router(widget_dir))
        .fallback(not_found)
        // Not `method_not_allowed_fallback`: it would answer the widget API's CORS
        // preflights (OPTIONS) before the CORS layer sees them.
        .layer(axum::middleware::map_response(json_method_not_allowed))
        .layer(from_fn_with_state(state.clone(), metrics::track));
    request_id::layer(router).with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("endpoint")
}

/// Gives axum's bare 405 our error body.
async fn json_method_not_allowed(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut json = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "this endpoint does not take that method",
    )
    .into_response();
    if let Some(allow) = allow {
        json.headers_mut().insert(header::ALLOW, allow);
    }
    json
}
