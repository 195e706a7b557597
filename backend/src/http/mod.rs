//! The gateway's HTTP surface, one module per audience.

mod api_doc;
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
    use api_doc::Layer::{Bounded, Idempotent, RateLimited};
    let mut doc = api_doc::Collector::new();
    let bounded = Router::new()
        .merge(doc.take(health::router(), &[Bounded]))
        .merge(doc.take(metrics::router(), &[Bounded]))
        .merge(
            doc.take(
                merchant::router().merge(webhooks::router()),
                &[Bounded, Idempotent],
            )
            .route_layer(from_fn_with_state(state.clone(), idempotency::layer)),
        )
        .merge(
            doc.take(hosted::router(), &[Bounded, RateLimited])
                .route_layer(from_fn_with_state(state.clone(), rate_limit::per_client)),
        )
        .merge(
            doc.take(bank_notify::router(), &[Bounded, RateLimited])
                .route_layer(from_fn_with_state(state.clone(), rate_limit::per_connector)),
        )
        .merge(doc.take(operator::router(), &[Bounded]))
        .merge(doc.take(test_helpers::router(), &[Bounded]));
    let reference = doc.take(api_doc::router(), &[Bounded]);
    // The widget's routes are bounded there: all but its live status stream.
    let widget = doc.take(widget::router(&state), &[Bounded, RateLimited]);
    let stream = doc.take(webhooks::stream_router(), &[]);
    let published = api_doc::Published::new(doc.finish(&state.public_url));
    let router = bounded
        .merge(api_doc::publish(reference, published))
        .route_layer(axum::middleware::from_fn(timeout::layer))
        .merge(widget)
        .merge(stream)
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
