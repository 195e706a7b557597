//! Webhook delivery from the outbox. Events are written in the same transaction as the
//! order change they report; this dispatcher sends each until the merchant answers 2xx.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use paydesk_shared::webhook;
use tokio::sync::{Notify, watch};

use crate::background::{idle, until_due};
use crate::clock::Clock;
use crate::store::{OutboxEvent, Store};

const BATCH: u32 = 64;
const CONCURRENCY: usize = 16;
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest the dispatcher sleeps without looking at the outbox.
const MAX_IDLE: Duration = Duration::from_secs(30);
const MAX_BACKOFF_MS: i64 = 60 * 60 * 1000;

pub(crate) struct Dispatcher {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) wakeup: Arc<Notify>,
    pub(crate) http: reqwest::Client,
}

impl Dispatcher {
    pub(crate) fn http_client() -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    }

    pub(crate) async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            let delivered_full_batch = match self.deliver_due().await {
                Ok(n) => n == BATCH as usize,
                Err(e) => {
                    tracing::error!(error = %e, "webhook dispatcher could not read the outbox");
                    false
                }
            };
            if delivered_full_batch {
                continue;
            }
            let wait = until_due(&*self.clock, self.store.next_event_due().await, MAX_IDLE);
            if !idle(&*self.clock, wait, Some(&self.wakeup), &mut shutdown).await {
                return;
            }
        }
    }

    async fn deliver_due(&self) -> Result<usize, crate::store::StoreError> {
        let due = self.store.due_events(self.clock.now_ms(), BATCH).await?;
        let n = due.len();
        futures::stream::iter(due)
            .for_each_concurrent(CONCURRENCY, |event| self.deliver(event))
            .await;
        Ok(n)
    }

    async fn deliver(&self, event: OutboxEvent) {
        let result = self.send(&event).await;
        let now = self.clock.now_ms();
        let stored = match result {
            Ok(()) => self.store.mark_event_delivered(&event.id, now).await,
            Err(error) => {
                let next = now + backoff_ms(event.attempts);
                tracing::warn!(event = %event.id, attempts = event.attempts + 1, %error, "webhook delivery failed; will retry");
                self.store.mark_event_failed(&event.id, next, &error).await
            }
        };
        if let Err(e) = stored {
            tracing::error!(event = %event.id, error = %e, "could not record webhook delivery result");
        }
    }

    async fn send(&self, event: &OutboxEvent) -> Result<(), String> {
        let merchant = self
            .store
            .merchant(&event.merchant_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("merchant no longer exists")?;
        let url = merchant.webhook_url.ok_or("merchant has no webhook URL")?;
        let signature = webhook::sign(
            &[&merchant.webhook_secret],
            self.clock.now_secs(),
            event.payload.as_bytes(),
        );
        let response = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .header(webhook::SIGNATURE_HEADER, signature)
            .body(event.payload.clone())
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        if response.status().is_success() {
            tracing::info!(event = %event.id, kind = %event.kind, order = %event.order_id, "webhook delivered");
            Ok(())
        } else {
            Err(format!("merchant answered {}", response.status()))
        }
    }
}

/// 1 s, 2 s, 4 s … capped at an hour, with up to 10 % jitter so a recovering merchant
/// is not hit by every retry at once.
fn backoff_ms(previous_attempts: u32) -> i64 {
    let base = 1000_i64
        .saturating_mul(1_i64 << previous_attempts.min(22))
        .min(MAX_BACKOFF_MS);
    base + rand::Rng::gen_range(&mut rand::thread_rng(), 0..=base / 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!((1000..=1100).contains(&backoff_ms(0)));
        assert!((8000..=8800).contains(&backoff_ms(3)));
        assert!(backoff_ms(40) <= MAX_BACKOFF_MS + MAX_BACKOFF_MS / 10);
    }
}
