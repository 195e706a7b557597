//! The demo merchant's webhook endpoint, in process: verifies each delivery's
//! signature like a merchant would, answers `200`, and notes when each order's
//! `order.paid` first arrived.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::convert::Infallible;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use paydesk_shared::webhook::{self, DEFAULT_TOLERANCE_SECS, SIGNATURE_HEADER};
use serde_json::Value;
use tokio::task::JoinHandle;
use tokio::time::Instant;

const PAID: &str = "order.paid";
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// A bound, not yet serving endpoint: bind before the gateway starts (it needs the
/// URL), serve once the runtime runs.
pub(crate) struct WebhookEndpoint {
    listener: TcpListener,
    secret: String,
}

impl WebhookEndpoint {
    /// Binds a free loopback port; deliveries must be signed with `secret`.
    pub(crate) fn bind(secret: &str) -> Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .context("could not bind the webhook endpoint")?;
        listener.set_nonblocking(true)?;
        Ok(WebhookEndpoint {
            listener,
            secret: secret.to_owned(),
        })
    }

    /// The shop's base URL; the gateway posts to `{url}/webhooks/paydesk`.
    pub(crate) fn shop_url(&self) -> Result<String> {
        Ok(format!("http://{}", self.listener.local_addr()?))
    }

    /// Accepts deliveries until the answer is dropped. Inside the runtime only.
    pub(crate) fn serve(self) -> Result<Webhooks> {
        let listener = tokio::net::TcpListener::from_std(self.listener)?;
        let shared = Arc::new(Shared {
            secret: self.secret,
            arrivals: Mutex::default(),
        });
        let accepting = tokio::spawn(accept(listener, Arc::clone(&shared)));
        Ok(Webhooks { shared, accepting })
    }
}

/// What the endpoint has received so far.
pub(crate) struct Webhooks {
    shared: Arc<Shared>,
    accepting: JoinHandle<()>,
}

impl Drop for Webhooks {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl Webhooks {
    /// When `order_id`'s first `order.paid` arrived.
    pub(crate) fn paid_at(&self, order_id: &str) -> Option<Instant> {
        self.shared.arrivals().paid.get(order_id).copied()
    }

    /// Counts so far: distinct orders paid, repeats, refused deliveries.
    pub(crate) fn counts(&self) -> Counts {
        let arrivals = self.shared.arrivals();
        Counts {
            paid: u64::try_from(arrivals.paid.len()).unwrap_or(u64::MAX),
            repeated: arrivals.repeated,
            refused: arrivals.refused,
            first_refusal: arrivals.first_refusal.clone(),
        }
    }

    /// Waits until `paid` orders have had their `order.paid`, or `timeout` passed;
    /// answers the counts then.
    pub(crate) async fn wait_for_paid(&self, paid: u64, timeout: Duration) -> Counts {
        let deadline = Instant::now() + timeout;
        loop {
            let counts = self.counts();
            if counts.paid >= paid || Instant::now() >= deadline {
                return counts;
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Orders whose `order.paid` arrived.
    pub(crate) paid: u64,
    /// Deliveries of an event for an order already paid here (redeliveries).
    pub(crate) repeated: u64,
    /// Deliveries answered 400: bad signature or no event.
    pub(crate) refused: u64,
    pub(crate) first_refusal: Option<String>,
}

struct Shared {
    secret: String,
    arrivals: Mutex<Arrivals>,
}

#[derive(Default)]
struct Arrivals {
    paid: HashMap<String, Instant>,
    repeated: u64,
    refused: u64,
    first_refusal: Option<String>,
}

impl Shared {
    fn arrivals(&self) -> MutexGuard<'_, Arrivals> {
        self.arrivals.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks one delivery and notes it; the status to answer.
    fn receive(&self, signature: Option<&str>, body: &[u8], at: Instant) -> StatusCode {
        match self.paid_order(signature, body) {
            Ok(None) => StatusCode::OK,
            Ok(Some(order_id)) => {
                let mut arrivals = self.arrivals();
                match arrivals.paid.entry(order_id) {
                    Entry::Occupied(_) => arrivals.repeated += 1,
                    Entry::Vacant(first) => {
                        first.insert(at);
                    }
                }
                StatusCode::OK
            }
            Err(error) => {
                let mut arrivals = self.arrivals();
                arrivals.refused += 1;
                arrivals
                    .first_refusal
                    .get_or_insert_with(|| format!("{error:#}"));
                StatusCode::BAD_REQUEST
            }
        }
    }

    /// The order an `order.paid` event is about; `None` for other events.
    fn paid_order(&self, signature: Option<&str>, body: &[u8]) -> Result<Option<String>> {
        let signature = signature.context("no signature header")?;
        let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())?;
        webhook::verify(&self.secret, signature, body, now, DEFAULT_TOLERANCE_SECS)
            .context("the signature does not verify")?;
        let event: Value = serde_json::from_slice(body).context("the body is not JSON")?;
        if event["type"] != PAID {
            return Ok(None);
        }
        let order_id = event["data"]["order"]["id"]
            .as_str()
            .with_context(|| format!("an {PAID} event without data.order.id: {event}"))?;
        Ok(Some(order_id.to_owned()))
    }
}

async fn accept(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&shared), request));
            // A connection the gateway drops mid-request only loses that delivery,
            // which the gateway retries.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let signature = request
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let status = match request.into_body().collect().await {
        Ok(body) => shared.receive(signature.as_deref(), &body.to_bytes(), Instant::now()),
        Err(_) => StatusCode::BAD_REQUEST,
    };
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> Shared {
        Shared {
            secret: "whsec_test".to_owned(),
            arrivals: Mutex::default(),
        }
    }

    fn signed(body: &str, secret: &str) -> String {
        let now = i64::try_from(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        )
        .unwrap();
        webhook::sign(&[secret], now, body.as_bytes())
    }

    #[test]
    fn the_first_paid_event_per_order_is_noted_and_the_rest_counted() {
        let shared = shared();
        let paid = r#"{"type":"order.paid","data":{"order":{"id":"ord_1"}}}"#;
        let other = r#"{"type":"order.expired","data":{"order":{"id":"ord_2"}}}"#;
        let first = Instant::now();
        let header = signed(paid, "whsec_test");
        assert_eq!(
            shared.receive(Some(&header), paid.as_bytes(), first),
            StatusCode::OK
        );
        let later = first + Duration::from_millis(5);
        assert_eq!(
            shared.receive(Some(&header), paid.as_bytes(), later),
            StatusCode::OK
        );
        let header = signed(other, "whsec_test");
        assert_eq!(
            shared.receive(Some(&header), other.as_bytes(), later),
            StatusCode::OK
        );
        let arrivals = shared.arrivals();
        assert_eq!(arrivals.paid.len(), 1);
        assert_eq!(arrivals.paid["ord_1"], first);
        assert_eq!((arrivals.repeated, arrivals.refused), (1, 0));
    }

    #[test]
    fn unsigned_and_wrongly_signed_deliveries_are_refused() {
        let shared = shared();
        let paid = r#"{"type":"order.paid","data":{"order":{"id":"ord_1"}}}"#;
        let now = Instant::now();
        assert_eq!(
            shared.receive(None, paid.as_bytes(), now),
            StatusCode::BAD_REQUEST
        );
        let wrong = signed(paid, "whsec_other");
        assert_eq!(
            shared.receive(Some(&wrong), paid.as_bytes(), now),
            StatusCode::BAD_REQUEST
        );
        let arrivals = shared.arrivals();
        assert!(arrivals.paid.is_empty());
        assert_eq!(arrivals.refused, 2);
        assert_eq!(
            arrivals.first_refusal.as_deref(),
            Some("no signature header")
        );
    }
}
