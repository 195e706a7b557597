//! Webhook delivery from the outbox. Events are written in the same transaction as the
//! change they report, with one delivery per subscribed endpoint; the dispatcher sends
//! due deliveries (per order and endpoint in sequence order), records every attempt, and
//! retries with backoff for three days. Nothing is in memory that a crash could lose:
//! a delivery sent but not yet recorded is sent again after a restart.

mod in_flight;
mod retry;
pub(crate) mod url_policy;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use paydesk_shared::webhook;
use rand::Rng;
use tokio::sync::{Notify, Semaphore, mpsc, watch};

use crate::background::{idle, until_due};
use crate::clock::Clock;
use crate::store::{AttemptLog, DeliveryResult, DueDelivery, Store};
use in_flight::InFlight;
use retry::{Answer, JITTER_MAX};

/// Deliveries in flight at once.
const CONCURRENCY: usize = 64;
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest the dispatcher sleeps without looking at the outbox.
const MAX_IDLE: Duration = Duration::from_secs(30);
/// Most attempts recorded in one transaction.
const RECORD_BATCH: usize = 256;
/// How an attempt's error is kept: the first characters say what happened.
const MAX_ERROR_LEN: usize = 300;

pub(crate) struct Dispatcher {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Woken when an event is enqueued, and when attempts are recorded.
    pub(crate) wakeup: Arc<Notify>,
    pub(crate) http: reqwest::Client,
    /// The operator allows webhook URLs on private and loopback addresses.
    pub(crate) allow_private: bool,
}

impl Dispatcher {
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

    /// Keeps up to [`CONCURRENCY`] deliveries in flight; a recorder commits their
    /// results in batches. A delivery stays pending in the store until its result is
    /// committed; [`InFlight`] keeps it from being picked again meanwhile, and from a
    /// read that began before that commit.
    pub(crate) async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let this = Arc::new(self);
        let in_flight: Arc<InFlight> = Arc::default();
        let slots = Arc::new(Semaphore::new(CONCURRENCY));
        let (done, results) = mpsc::channel(CONCURRENCY * 2);
        let recorder = tokio::spawn(record(this.clone(), results, in_flight.clone()));
        loop {
            let free = slots.available_permits();
            if free > 0 {
                match this.start_due(free, &in_flight, &slots, &done).await {
                    Ok(started) if started == free => continue,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "webhook dispatcher could not read the outbox")
                    }
                }
            }
            let wait = until_due(&*this.clock, this.store.next_delivery_due().await, MAX_IDLE);
            // Deliveries in flight still read as due; the recorder wakes us when they end.
            let busy = in_flight.sending();
            let wait = if wait.is_zero() && busy > 0 {
                MAX_IDLE
            } else {
                wait
            };
            if !idle(&*this.clock, wait, Some(&this.wakeup), &mut shutdown).await {
                break;
            }
        }
        drop(done);
        // Attempts under way finish and are recorded; none starts any more.
        let _ = recorder.await;
    }

    /// Starts up to `free` due deliveries that are not in flight; returns how many.
    async fn start_due(
        self: &Arc<Self>,
        free: usize,
        in_flight: &InFlight,
        slots: &Arc<Semaphore>,
        done: &mpsc::Sender<DeliveryResult>,
    ) -> Result<usize, crate::store::StoreError> {
        let limit = u32::try_from(free + in_flight.sending()).unwrap_or(u32::MAX);
        let mark = in_flight.before_read();
        let due = self
            .store
            .due_deliveries(self.clock.now_ms(), limit)
            .await?;
        let mut started = 0;
        for delivery in due {
            if started == free {
                break;
            }
            let key = (delivery.event_id.clone(), delivery.endpoint.id.clone());
            if !in_flight.take(key, &mark) {
                continue;
            }
            let Ok(permit) = slots.clone().acquire_owned().await else {
                break;
            };
            started += 1;
            let (this, done) = (self.clone(), done.clone());
            tokio::spawn(async move {
                let result = this.attempt(delivery).await;
                let _ = done.send(result).await;
                drop(permit);
            });
        }
        Ok(started)
    }

    async fn attempt(&self, delivery: DueDelivery) -> DeliveryResult {
        let started_at = self.clock.now_ms();
        let clock_started = Instant::now();
        let answer = self.send(&delivery).await;
        let duration_ms = i64::try_from(clock_started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let jitter = rand::thread_rng().gen_range(0..=JITTER_MAX);
        let outcome = retry::outcome(
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
            tracing::debug!(event = %delivery.event_id, kind = %delivery.kind, order = %delivery.order_id, "webhook delivered");
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
        let signature = webhook::sign(
            &endpoint.signing_secrets(self.clock.now_ms()),
            self.clock.now_secs(),
            delivery.payload.as_bytes(),
        );
        let sent = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header(webhook::SIGNATURE_HEADER, signature)
            .body(delivery.payload.clone())
            .send()
            .await;
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

/// Commits results as they come, in batches; frees their deliveries for the next pick
/// only after the commit, then wakes the dispatcher (later events of the same orders
/// may be sendable now).
async fn record(
    dispatcher: Arc<Dispatcher>,
    mut results: mpsc::Receiver<DeliveryResult>,
    in_flight: Arc<InFlight>,
) {
    let mut batch = Vec::with_capacity(RECORD_BATCH);
    while results.recv_many(&mut batch, RECORD_BATCH).await > 0 {
        let done = std::mem::take(&mut batch);
        if let Err(e) = dispatcher.store.record_deliveries(&done).await {
            // The deliveries stay pending and are sent again: at least once, never lost.
            tracing::error!(error = %e, attempts = done.len(), "could not record webhook attempts");
        }
        in_flight.recorded(
            done.iter()
                .map(|r| (r.event_id.clone(), r.endpoint_id.clone())),
        );
        dispatcher.wakeup.notify_one();
    }
}
