//! Every request but a live stream gets an answer within [`REQUEST_TIMEOUT`]: past it
//! the handler is dropped (an open database transaction rolls back) and the caller gets
//! `503 request_timeout`, so no client waits on a stuck request and no stuck request
//! holds the gateway's resources. The widget's status stream is exempt: it is meant to
//! stay open.

use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use paydesk_shared::ErrorCode;

use crate::http::error::ApiError;

/// Longer than any request should take: the gateway never waits for a bank inside a
/// request (refunds and status queries are the workers'), only for its own database.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// `axum::middleware::from_fn(timeout::layer)` on the routes it bounds.
pub(crate) async fn layer(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(limit_s = REQUEST_TIMEOUT.as_secs(), "request timed out");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::RequestTimeout,
                format!(
                    "the gateway did not finish the request within {} s; retry it with the \
                     same Idempotency-Key",
                    REQUEST_TIMEOUT.as_secs()
                ),
            )
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    /// A route that never finishes and one that does, behind the limit.
    fn app() -> Router {
        Router::new()
            .route("/stuck", get(std::future::pending::<&'static str>))
            .route("/quick", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn(layer))
    }

    async fn call(path: &str) -> (StatusCode, serde_json::Value) {
        let response = app()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, body)
    }

    // Paused time: the runtime moves the clock on whenever every task waits.
    #[tokio::test(start_paused = true)]
    async fn a_request_still_running_at_the_limit_gets_503_request_timeout() {
        let started = tokio::time::Instant::now();
        let (status, body) = call("/stuck").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["error"]["code"], "request_timeout", "{body}");
        assert_eq!(started.elapsed(), REQUEST_TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_within_the_limit_is_untouched() {
        let started = tokio::time::Instant::now();
        let (status, _) = call("/quick").await;
        assert_eq!(status, StatusCode::OK);
        assert!(started.elapsed() < REQUEST_TIMEOUT);
    }
}
