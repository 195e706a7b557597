//! A request id on every request: on the response (`X-Request-Id`), on every log line
//! of the request (a span, which also makes the access log line), and in the body of
//! every 5xx, so an operator handed a failed answer finds its cause in the log.
//!
//! The id is always the gateway's own (`req_…`): one a caller sends is replaced, so
//! nobody can make two requests share an id or put their text in the log. The span
//! names the route template, never the path: paths hold client tokens.

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use paydesk_shared::ErrorBody;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub(crate) const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Error bodies are small; a 5xx body larger than this is passed on untouched.
const MAX_ERROR_BODY: usize = 16 * 1024;

/// Wraps every route of `router` with the id, its span and the access log line.
pub(crate) fn layer<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(span)
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(middleware::from_fn(assign))
}

fn span(request: &Request<Body>) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("-", MatchedPath::as_str);
    tracing::info_span!("request", id, method = %request.method(), route)
}

async fn assign(mut request: Request, next: Next) -> Response {
    let id = format!("req_{}", uuid::Uuid::now_v7().simple());
    let value = HeaderValue::from_str(&id).expect("req_ and hex digits are a header value");
    request
        .headers_mut()
        .insert(REQUEST_ID_HEADER, value.clone());
    let mut response = next.run(request).await;
    if response.status().is_server_error() {
        response = with_id_in_body(response, &id).await;
    }
    response.headers_mut().insert(REQUEST_ID_HEADER, value);
    response
}

/// Adds `request_id` to a 5xx answer in the JSON error format; any other body is
/// passed on as it was.
async fn with_id_in_body(response: Response, id: &str) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut error) = serde_json::from_slice::<ErrorBody>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    error.error.request_id = Some(id.to_owned());
    let body = serde_json::to_vec(&error).expect("an error body serialises");
    let mut response = Response::from_parts(parts, Body::from(body));
    response.headers_mut().remove(header::CONTENT_LENGTH);
    response
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;
    use crate::http::error::ApiError;

    /// Log output kept in memory.
    #[derive(Clone, Default)]
    struct Logs(Arc<Mutex<Vec<u8>>>);

    impl Write for Logs {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log buffer").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Logs {
        fn lines_with(&self, text: &str) -> Vec<String> {
            String::from_utf8_lossy(&self.0.lock().expect("log buffer"))
                .lines()
                .filter(|l| l.contains(text))
                .map(str::to_owned)
                .collect()
        }
    }

    async fn boom() -> ApiError {
        ApiError::Internal(anyhow::anyhow!("the disk is on fire"))
    }

    #[tokio::test]
    async fn one_id_in_the_header_every_log_line_and_the_5xx_body() {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        // A callsite first reached by another test's thread before this subscriber
        // existed would stay silent for it.
        tracing::callsite::rebuild_interest_cache();
        let app = layer(
            Router::new()
                .route("/orders/{id}", get(boom))
                .route("/missing", get(|| async { ApiError::not_found("order") })),
        );

        let request = Request::get("/orders/ct_secret")
            .header(REQUEST_ID_HEADER, "chosen-by-the-caller")
            .body(Body::empty())
            .expect("request");
        let response = app.clone().oneshot(request).await.expect("infallible");
        assert_eq!(response.status(), 500);
        let id = response.headers()[REQUEST_ID_HEADER]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(id.starts_with("req_") && id.len() == 36, "{id}");

        let body = axum::body::to_bytes(response.into_body(), MAX_ERROR_BODY)
            .await
            .expect("body");
        let body: ErrorBody = serde_json::from_slice(&body).expect("error body");
        assert_eq!(body.error.request_id.as_deref(), Some(id.as_str()));
        assert!(
            !body.error.message.contains("fire"),
            "{}",
            body.error.message
        );

        let cause = logs.lines_with("the disk is on fire");
        assert_eq!(cause.len(), 1, "{cause:?}");
        assert!(cause[0].contains(&id), "{}", cause[0]);
        let access = logs.lines_with("finished processing request");
        assert_eq!(access.len(), 1, "{access:?}");
        assert!(access[0].contains(&id), "{}", access[0]);
        assert!(access[0].contains("status=500"), "{}", access[0]);
        assert!(
            access[0].contains("route=\"/orders/{id}\""),
            "{}",
            access[0]
        );
        assert!(logs.lines_with("ct_secret").is_empty());
        assert!(logs.lines_with("chosen-by-the-caller").is_empty());

        // Below 500 the body is left as it was; the header is still there.
        let request = Request::get("/missing")
            .body(Body::empty())
            .expect("request");
        let response = app.oneshot(request).await.expect("infallible");
        assert_eq!(response.status(), 404);
        assert!(response.headers().contains_key(REQUEST_ID_HEADER));
        let body = axum::body::to_bytes(response.into_body(), MAX_ERROR_BODY)
            .await
            .expect("body");
        let body: ErrorBody = serde_json::from_slice(&body).expect("error body");
        assert_eq!(body.error.request_id, None);
    }
}
