//! The widget API, authorised by an order's client token. Open to any origin: the
//! widget runs on merchants' pages, and the token (not a cookie) is the credential.

mod attempts;
mod session;
mod status;

use axum::http::{HeaderName, Method, header};
use axum::middleware::from_fn_with_state;
use tower_http::cors::{Any, CorsLayer};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::rate_limit;
use crate::state::AppState;

pub(super) fn router(state: &AppState) -> OpenApiRouter<AppState> {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ]);
    let (schemas, paths, attempts) = routes!(attempts::handler);
    let attempts = attempts.route_layer(from_fn_with_state(state.clone(), rate_limit::per_order));
    OpenApiRouter::new()
        .routes(routes!(session::handler))
        .routes((schemas, paths, attempts))
        .routes(routes!(status::current))
        // Every route above is bounded in time; the live stream below is meant to stay.
        .route_layer(axum::middleware::from_fn(super::timeout::layer))
        .routes(routes!(status::stream))
        // Inside CORS, so a browser can read the 429 too.
        .route_layer(from_fn_with_state(state.clone(), rate_limit::per_client))
        .layer(cors)
}
