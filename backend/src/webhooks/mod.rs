//! Webhook delivery from the outbox. Events are written in the same transaction as the
//! change they report, with one delivery per subscribed endpoint; the dispatcher
//! (`workers::dispatcher`) sends due deliveries (per order and endpoint in sequence
//! order) through the [`Sender`], records every attempt, and retries with backoff for
//! three days. Nothing is in memory that a crash could lose: a delivery sent but not
//! yet recorded is sent again after a restart.

pub(crate) mod in_flight;
pub(crate) mod payload;
pub(crate) mod url_policy;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use paydesk_shared::webhook;
use rand::Rng;

use crate::clock::Clock;
use crate::domain::time::millis;
use crate::domain::webhook::{
    self as policy, Answer, AttemptLog, DeliveryResult, DueDelivery, JITTER_MAX,
};

const TIMEOUT: Duration = Duration::from_secs(10);
/// How an attempt's error is kept: the first characters say what happened.
const MAX_ERROR_LEN: usize = 300;

/// Sends one delivery and says what its answer means for it.
pub(crate) struct Sender {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) http: reqwest::Client,
    /// The operator allows webhook URLs on private and loopback addresses.
    pub(crate) allow_private: bool,
}

impl Sender {
    /// The client every delivery uses: no redirects, a timeout, the private-address
    /// resolver unless the operator allows private URLs, and the operator's extra root
    /// certificates. Fails rather than fall back to a client without those guards.
    pub(crate) fn http_client(
        allow_private: bool,
        extra_roots_pem: Option<&[u8]>,
    ) -> anyhow::Result<reqwest::Client> {
        let mut builder = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Paydesk-Webhooks/1");
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(url_policy::PublicResolver));
        }
        if let Some(pem) = extra_roots_pem {
            let roots = reqwest::Certificate::from_pem_bundle(pem)
                .context("the webhook CA file is not PEM")?;
            anyhow::ensure!(
                !roots.is_empty(),
                "the webhook CA file holds no certificate"
            );
            for root in roots {
                builder = builder.add_root_certificate(root);
            }
        }
        builder
            .build()
            .context("cannot build the webhook HTTP client")
    }

    pub(crate) async fn attempt(&self, delivery: DueDelivery) -> DeliveryResult {
        let started_at = self.clock.now_ms();
        let clock_started = Instant::now();
        let answer = self.send(&delivery).await;
        let duration_ms = millis(clock_started.elapsed());
        let jitter = rand::thread_rng().gen_range(0..=JITTER_MAX);
        let outcome = policy::outcome(
            &answer,
            delivery.attempts,
            delivery.scheduled_at,
            self.clock.now_ms(),
            jitter,
        );
        let (status_code, error) = match answer {
            Answer::Status(s) if (200..300).contains(&s) => (Some(s), None),
            Answer::Status(s) => (Some(s), Some(format!("the endpoint answered {s}"))),
            Answer::NoAnswer(e) => (None, Some(e)),
        };
        if error.is_some() {
            tracing::warn!(
                event = %delivery.event_id,
                endpoint = %delivery.endpoint.id,
                attempt = delivery.attempts + 1,
                error = error.as_deref().unwrap_or_default(),
                ?outcome,
                "webhook not delivered"
            );
        } else {
            tracing::debug!(event = %delivery.event_id, kind = %delivery.kind, subject = %delivery.subject, "webhook delivered");
        }
        DeliveryResult {
            event_id: delivery.event_id,
            endpoint_id: delivery.endpoint.id,
            attempt: AttemptLog {
                started_at,
                duration_ms,
                status_code,
                error: error.map(|e| e.chars().take(MAX_ERROR_LEN).collect()),
            },
            outcome,
        }
    }

    async fn send(&self, delivery: &DueDelivery) -> Answer {
        let endpoint = &delivery.endpoint;
        let url = match url_policy::check(&endpoint.url, self.allow_private) {
            Ok(url) => url,
            Err(refusal) => return Answer::NoAnswer(format!("URL refused: {refusal}")),
        };
        let secrets = endpoint.signing_secrets(self.clock.now_ms());
        let t = self.clock.now_secs();
        let body = delivery.payload.as_bytes();
        let mut request = self
            .http
            .post(url)
            .header("content-type", "application/json");
        for (name, value) in webhook::delivery_headers(&secrets, &delivery.event_id, t, body) {
            request = request.header(name, value);
        }
        let sent = request.body(delivery.payload.clone()).send().await;
        match sent {
            Ok(response) => Answer::Status(response.status().as_u16()),
            Err(e) => Answer::NoAnswer(describe(&e)),
        }
    }
}

/// reqwest's error with its causes, without the URL (it is the merchant's, and known).
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out after 10 s".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
