//! Delivers signed payment notifications to the gateway, each from its own background
//! task, retrying with exponential backoff until the gateway acknowledges.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use paydesk_shared::bank_protocol::{PaymentNotification, SIGNATURE_HEADER};
use paydesk_shared::signing::Signer;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::clock::now_unix;

/// When to try again after a failed delivery.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    pub(crate) first: Duration,
    pub(crate) max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_millis(250),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The wait after the `failures`-th failed try (1-based): `first`, doubling each
    /// time, never above `max`.
    pub(crate) fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.first
            .checked_mul(1u32 << doublings)
            .map_or(self.max, |d| d.min(self.max))
    }
}

/// Per try: a gateway that takes longer than this is treated like a network error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub(crate) struct Notifier {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    signer: Signer,
    backoff: Backoff,
    stop: watch::Sender<bool>,
    tasks: Mutex<JoinSet<()>>,
}

impl Notifier {
    pub(crate) fn new(signer: Signer, backoff: Backoff) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            // A redirect would turn the POST into a GET or send it somewhere the
            // request never named; the notify URL must answer itself.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()?;
        let (stop, _) = watch::channel(false);
        Ok(Notifier {
            inner: Arc::new(Inner {
                client,
                signer,
                backoff,
                stop,
                tasks: Mutex::new(JoinSet::new()),
            }),
        })
    }

    /// Starts delivering `notification` to `notify_url` in the background.
    pub(crate) fn send(&self, notify_url: String, notification: &PaymentNotification) {
        let body = match serde_json::to_vec(notification) {
            Ok(body) => body,
            Err(error) => {
                // Serialising plain strings and enums cannot fail; if it ever did,
                // the gateway would learn the outcome from a status query instead.
                tracing::error!(%error, attempt_id = %notification.attempt_id, "cannot encode notification");
                return;
            }
        };
        let delivery = Delivery {
            inner: Arc::clone(&self.inner),
            url: notify_url,
            body,
            attempt_id: notification.attempt_id.clone(),
        };
        let mut tasks = self
            .inner
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Reap finished deliveries so the set only holds the ones still running.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(delivery.run(self.inner.stop.subscribe()));
    }

    /// Tells every delivery to give up and waits until they have.
    pub(crate) async fn shut_down(&self) {
        self.inner.stop.send_replace(true);
        let mut tasks = std::mem::take(
            &mut *self
                .inner
                .tasks
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        while tasks.join_next().await.is_some() {}
    }
}

struct Delivery {
    inner: Arc<Inner>,
    url: String,
    body: Vec<u8>,
    attempt_id: String,
}

enum TryResult {
    Delivered,
    Refused(StatusCode),
    Retry(String),
}

impl Delivery {
    async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut failures = 0u32;
        loop {
            if *stop.borrow() {
                self.abandon();
                return;
            }
            let result = tokio::select! {
                result = self.try_once() => result,
                _ = stop.wait_for(|stopped| *stopped) => {
                    self.abandon();
                    return;
                }
            };
            match result {
                TryResult::Delivered => {
                    tracing::info!(attempt_id = %self.attempt_id, tries = failures + 1, "notification delivered");
                    return;
                }
                TryResult::Refused(status) => {
                    tracing::error!(
                        attempt_id = %self.attempt_id,
                        %status,
                        "gateway refused the notification; not retrying"
                    );
                    return;
                }
                TryResult::Retry(reason) => {
                    failures = failures.saturating_add(1);
                    let delay = self.inner.backoff.delay(failures);
                    tracing::warn!(
                        attempt_id = %self.attempt_id,
                        failures,
                        retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        %reason,
                        "notification not acknowledged"
                    );
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        _ = stop.wait_for(|stopped| *stopped) => {
                            self.abandon();
                            return;
                        }
                    }
                }
            }
        }
    }

    async fn try_once(&self) -> TryResult {
        // Signed afresh on every try so a late retry is not stale at the gateway.
        let signature = self.inner.signer.sign(now_unix(), &self.body);
        let response = self
            .inner
            .client
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .body(self.body.clone())
            .send()
            .await;
        match response {
            Ok(response) => classify(response.status()),
            Err(error) => TryResult::Retry(error.to_string()),
        }
    }

    fn abandon(&self) {
        tracing::warn!(attempt_id = %self.attempt_id, "shutting down with a notification undelivered");
    }
}

fn classify(status: StatusCode) -> TryResult {
    if status.is_success() {
        TryResult::Delivered
    } else if status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        // Timeouts and rate limits are transient, whatever their 4xx class says.
        TryResult::Retry(format!("gateway answered {status}"))
    } else {
        TryResult::Refused(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_250ms_up_to_30s() {
        let b = Backoff::default();
        let ms = |n| b.delay(n).as_millis();
        assert_eq!([ms(1), ms(2), ms(3), ms(4)], [250, 500, 1000, 2000]);
        assert_eq!(ms(8), 30_000);
        assert_eq!(ms(9), 30_000);
        assert_eq!(ms(u32::MAX), 30_000);
    }

    #[test]
    fn classifies_statuses() {
        assert!(matches!(classify(StatusCode::OK), TryResult::Delivered));
        assert!(matches!(
            classify(StatusCode::NO_CONTENT),
            TryResult::Delivered
        ));
        assert!(matches!(
            classify(StatusCode::INTERNAL_SERVER_ERROR),
            TryResult::Retry(_)
        ));
        assert!(matches!(
            classify(StatusCode::SERVICE_UNAVAILABLE),
            TryResult::Retry(_)
        ));
        assert!(matches!(
            classify(StatusCode::TOO_MANY_REQUESTS),
            TryResult::Retry(_)
        ));
        assert!(matches!(
            classify(StatusCode::BAD_REQUEST),
            TryResult::Refused(_)
        ));
        assert!(matches!(
            classify(StatusCode::FORBIDDEN),
            TryResult::Refused(_)
        ));
        assert!(matches!(classify(StatusCode::FOUND), TryResult::Refused(_)));
    }
}
