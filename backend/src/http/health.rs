//! Health for load balancers and orchestrators: `/health` and `/health/live` answer
//! while the process serves; `/health/ready` also asks the database, which must answer
//! and hold every migration of this build.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(live))
        .routes(routes!(ready))
}

/// Answers while the process serves.
#[utoipa::path(get, path = "/health", tag = "Health",
    responses((status = 200, description = "The text `ok`.", content_type = "text/plain", body = String, example = "ok")))]
async fn health() -> &'static str {
    "ok"
}

/// Liveness: answers while the process serves.
#[utoipa::path(get, path = "/health/live", tag = "Health",
    responses((status = 200, description = "Live.", body = Object, example = json!({"status": "live"}))))]
async fn live() -> Json<Value> {
    Json(json!({"status": "live"}))
}

/// Readiness: the database answers and holds every migration of this build.
#[utoipa::path(get, path = "/health/ready", tag = "Health",
    responses(
        (status = 200, description = "Ready for traffic.", body = Object, example = json!({"status": "ready"})),
        (status = 503, description = "Not ready: `reason` says why.", body = Object, example = json!({"status": "not_ready", "reason": "database unreachable"})),
    ))]
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store.ready().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ready"}))),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "not_ready", "reason": e.to_string()})),
            )
        }
    }
}
