//! A merchant's webhook receiver that answers what the test says (200, 503, 410 …) and
//! remembers every request, answered or not.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use paydesk_shared::api::WebhookEvent;
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub struct Hit {
    pub signature: String,
    /// Every header of the request, the signature's among them.
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The status the receiver answered.
    pub answered: u16,
}

impl Hit {
    pub fn event(&self) -> WebhookEvent {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Clone, Default)]
struct Shared {
    answer: Arc<AtomicU16>,
    hits: Arc<Mutex<Vec<Hit>>>,
    changed: Arc<Notify>,
}

pub struct Receiver {
    /// `http://127.0.0.1:<port>/hooks`; every path of the origin is received the same.
    pub url: String,
    shared: Shared,
}

impl Receiver {
    /// Listens on 127.0.0.1 and answers 200 until told otherwise.
    pub async fn spawn() -> Receiver {
        let shared = Shared::default();
        shared.answer.store(200, Ordering::SeqCst);
        // Any path: the gateway binary posts to `<shop>/webhooks/paydesk`.
        let router = Router::new()
            .fallback(post(take))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://127.0.0.1:{}/hooks",
            listener.local_addr().unwrap().port()
        );
        tokio::spawn(async move { axum::serve(listener, router).await });
        Receiver { url, shared }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> &str {
        self.url.trim_end_matches("/hooks")
    }

    pub fn answer_with(&self, status: u16) {
        self.shared.answer.store(status, Ordering::SeqCst);
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().clone()
    }

    /// Waits until `done` holds for the requests so far (60 s at most).
    pub async fn wait_until(&self, what: &str, done: impl Fn(&[Hit]) -> bool) -> Vec<Hit> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let changed = self.shared.changed.notified();
            let hits = self.hits();
            if done(&hits) {
                return hits;
            }
            assert!(
                tokio::time::timeout_at(deadline, changed).await.is_ok(),
                "receiver: {what} did not happen within 60 s ({} requests so far)",
                hits.len()
            );
        }
    }
}

async fn take(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let answered = shared.answer.load(Ordering::SeqCst);
    let signature = headers
        .get("paydesk-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    shared.hits.lock().unwrap().push(Hit {
        signature,
        headers,
        body,
        answered,
    });
    shared.changed.notify_waiters();
    StatusCode::from_u16(answered).unwrap()
}
