//! One copy of a notification: tried until the gateway answers 2xx (delivered) or a
//! 4xx that retrying will not change (refused), or until the bank stops.

use std::sync::Arc;
use std::time::Duration;

use paydesk_shared::bank_protocol::SIGNATURE_HEADER;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use tokio::sync::watch;

use super::Inner;
use crate::clock::{now_ms, now_unix};
use crate::ledger::{DeliveryEnd, PendingDelivery};

pub(super) struct Delivery {
    inner: Arc<Inner>,
    pending: PendingDelivery,
}

enum TryResult {
    Delivered,
    Refused(StatusCode),
    Retry(String),
}

impl Delivery {
    pub(super) fn new(inner: Arc<Inner>, pending: PendingDelivery) -> Self {
        Delivery { inner, pending }
    }

    pub(super) async fn run(self, mut stop: watch::Receiver<bool>) {
        let wait = self.pending.not_before_ms.saturating_sub(now_ms());
        if wait > 0 {
            let wait = Duration::from_millis(u64::try_from(wait).unwrap_or(0));
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = stop.wait_for(|stopped| *stopped) => {
                    self.abandon();
                    return;
                }
            }
        }
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
            let tries = failures.saturating_add(1);
            match result {
                TryResult::Delivered => {
                    tracing::info!(attempt_id = %self.pending.attempt_id, tries, "notification delivered");
                    self.finish(DeliveryEnd::Delivered, tries).await;
                    return;
                }
                TryResult::Refused(status) => {
                    tracing::error!(
                        attempt_id = %self.pending.attempt_id,
                        %status,
                        "gateway refused the notification; not retrying"
                    );
                    self.finish(DeliveryEnd::Refused, tries).await;
                    return;
                }
                TryResult::Retry(reason) => {
                    failures = tries;
                    // The first retry waits `first`: one doubling per failure after it.
                    let delay = self.inner.backoff.delay(failures.saturating_sub(1));
                    tracing::warn!(
                        attempt_id = %self.pending.attempt_id,
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
        let body = self.pending.body.clone().into_bytes();
        // Signed afresh on every try (and every copy), so a late retry is not stale at
        // the gateway and no two tries share a nonce.
        let signature = self.inner.signer.sign(now_unix(), &body);
        let response = self
            .inner
            .client
            .post(&self.pending.url)
            .header(CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await;
        match response {
            Ok(response) => classify(response.status()),
            Err(error) => TryResult::Retry(error.to_string()),
        }
    }

    async fn finish(&self, end: DeliveryEnd, tries: u32) {
        if let Err(error) = self
            .inner
            .ledger
            .finish_delivery(self.pending.id, end, tries, now_unix())
            .await
        {
            // The gateway has its answer; the worst case is one more copy after a
            // restart, which it recognises by the bank transaction id.
            tracing::error!(%error, delivery = self.pending.id, "cannot record the delivery's end");
        }
    }

    fn abandon(&self) {
        tracing::warn!(attempt_id = %self.pending.attempt_id, "stopping with a notification undelivered; it resumes on the next start");
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
