//! `GET /metrics` for Prometheus, behind the operator key (the figures are the
//! business's own), and the layer that counts every answered request.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::auth::Operator;
use crate::http::error::ApiError;
use crate::state::AppState;

/// What Prometheus asks for and this text is.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(scrape))
}

/// Prometheus metrics (OpenMetrics text): requests by route and status, the bank
/// inbox's backlog, webhook deliveries, ledger postings, settlements, payouts and the
/// database pool.
#[utoipa::path(get, path = "/metrics", tag = "Health", operation_id = "scrape_metrics",
    security(("operator_key" = [])),
    responses((status = 200, description = "The metrics.", content_type = "application/openmetrics-text", body = String)))]
async fn scrape(_: Operator, State(state): State<AppState>) -> Result<Response, ApiError> {
    let text = state
        .metrics
        .render(&*state.store, state.clock.now_ms())
        .await?;
    Ok(([(header::CONTENT_TYPE, OPENMETRICS)], text).into_response())
}

/// `Router::layer(from_fn_with_state(state, metrics::track))`: runs after routing, so
/// the route template is known.
pub(super) async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // A shared string: cloning it copies no text.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let response = next.run(request).await;
    state.metrics.observe(
        route.as_ref().map(MatchedPath::as_str),
        &method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
