//! Webhook endpoints merchants register, one delivery per (event, endpoint), every
//! HTTP attempt, and the retry policy: delivered, try again later (exponential backoff
//! with jitter), give up after three days, or stop for good on `410 Gone`.

use std::time::Duration;

use paydesk_shared::backoff::Backoff;

use super::event::EventType;
use super::ids::{EndpointId, EventId, MerchantId};
use super::time::{Millis, millis};

/// A delivery still failing this long after it was scheduled gives up.
pub const RETRY_WINDOW: Duration = Duration::from_secs(3 * 24 * 60 * 60);
/// 5 s, 10 s, 20 s … capped at an hour.
pub const RETRY_BACKOFF: Backoff =
    Backoff::new(Duration::from_secs(5), Duration::from_secs(60 * 60));
pub use paydesk_shared::backoff::JITTER_MAX;

/// How the endpoint answered one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Status(u16),
    /// No HTTP answer: refused, timed out, reset, or the URL is not allowed.
    NoAnswer(String),
}

/// What one attempt means for its delivery. A failed attempt is retried after the
/// backoff, stretched by `jitter` (of [`JITTER_MAX`]) so a recovering merchant is not
/// hit by every retry at once, unless that falls after the retry window.
pub fn outcome(
    answer: &Answer,
    previous_attempts: u32,
    scheduled_at: Millis,
    now: Millis,
    jitter: u32,
) -> DeliveryOutcome {
    match answer {
        Answer::Status(s) if (200..300).contains(s) => DeliveryOutcome::Delivered,
        Answer::Status(410) => DeliveryOutcome::Gone,
        Answer::Status(_) | Answer::NoAnswer(_) => {
            let delay = RETRY_BACKOFF.stretched(previous_attempts, jitter);
            let next_attempt_at = now.saturating_add(millis(delay));
            if next_attempt_at > scheduled_at.saturating_add(millis(RETRY_WINDOW)) {
                DeliveryOutcome::GiveUp
            } else {
                DeliveryOutcome::Retry { next_attempt_at }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointStatus {
    Enabled,
    /// By the merchant, or because the endpoint answered `410 Gone`: gets no events.
    Disabled,
    Deleted,
}

impl EndpointStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointStatus::Enabled => "enabled",
            EndpointStatus::Disabled => "disabled",
            EndpointStatus::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Enabled, Self::Disabled, Self::Deleted]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: EndpointId,
    pub merchant_id: MerchantId,
    pub url: String,
    /// Event types, or `["*"]` for all.
    pub event_types: Vec<String>,
    pub description: Option<String>,
    pub secret: String,
    /// The secret before the last rotation, still signing until `previous_secret_until`.
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<Millis>,
    pub status: EndpointStatus,
    pub disabled_reason: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl WebhookEndpoint {
    /// Whether the endpoint takes events of `kind` (`*` takes every kind).
    pub fn subscribes_to(&self, kind: EventType) -> bool {
        self.event_types
            .iter()
            .any(|t| t == "*" || t == kind.as_str())
    }

    /// The secrets that sign a delivery at `now`: the current one, and during a
    /// rotation's overlap the previous one too.
    pub fn signing_secrets(&self, now: Millis) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_secret_until)
            && now < until
        {
            secrets.push(previous);
        }
        secrets
    }
}

impl std::fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("id", &self.id)
            .field("merchant_id", &self.merchant_id)
            .field("url", &self.url)
            .field("event_types", &self.event_types)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    /// Still failing when the retry window closed.
    Failed,
    /// Its endpoint was disabled or deleted first.
    Cancelled,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
            DeliveryState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Delivered,
            Self::Failed,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// A delivery whose next attempt is due, with what sending it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub event_id: EventId,
    /// See [`super::event::NewEvent::subject`].
    pub subject: String,
    pub kind: EventType,
    pub payload: String,
    pub attempts: u32,
    /// When its retry window opened.
    pub scheduled_at: Millis,
    pub endpoint: WebhookEndpoint,
}

/// One HTTP attempt as the endpoint answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptLog {
    pub started_at: Millis,
    pub duration_ms: i64,
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

/// What an attempt means for its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered,
    Retry {
        next_attempt_at: Millis,
    },
    /// The retry window closed.
    GiveUp,
    /// `410 Gone`: the endpoint is disabled and its other pending deliveries cancelled.
    Gone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryResult {
    pub event_id: EventId,
    pub endpoint_id: EndpointId,
    pub attempt: AttemptLog,
    pub outcome: DeliveryOutcome,
}

/// A delivery with its attempts, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub event_id: EventId,
    pub endpoint_id: EndpointId,
    pub state: DeliveryState,
    pub attempts: Vec<AttemptLog>,
    pub next_attempt_at: Option<Millis>,
    pub delivered_at: Option<Millis>,
    pub last_error: Option<String>,
}

/// Webhook deliveries by state, for the operator; `pending` is the backlog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeliveryCounts {
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
    pub cancelled: i64,
    /// When the oldest pending delivery was scheduled (ms).
    pub oldest_pending_at: Option<Millis>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let ms = |n, jitter| millis(RETRY_BACKOFF.stretched(n, jitter));
        assert_eq!(ms(0, 0), 5_000);
        assert_eq!(ms(0, JITTER_MAX), 6_000);
        assert_eq!(ms(3, 0), 40_000);
        assert_eq!(ms(40, 0), HOUR);
        assert_eq!(ms(40, JITTER_MAX), HOUR + HOUR / 5);
    }

    #[test]
    fn answers_decide_the_delivery() {
        let ok = Answer::Status(204);
        assert_eq!(outcome(&ok, 9, 0, 100, 500), DeliveryOutcome::Delivered);
        assert_eq!(
            outcome(&Answer::Status(410), 0, 0, 100, 500),
            DeliveryOutcome::Gone
        );
        for failed in [
            Answer::Status(500),
            Answer::Status(302),
            Answer::Status(404),
            Answer::NoAnswer("connection refused".into()),
        ] {
            assert_eq!(
                outcome(&failed, 0, 0, 100, 0),
                DeliveryOutcome::Retry {
                    next_attempt_at: 5_100
                }
            );
        }
    }

    #[test]
    fn gives_up_once_the_next_try_would_fall_after_three_days() {
        let window = 72 * HOUR;
        let failed = Answer::Status(503);
        assert_eq!(
            outcome(&failed, 30, 0, window - HOUR, 0),
            DeliveryOutcome::Retry {
                next_attempt_at: window
            }
        );
        assert_eq!(
            outcome(&failed, 30, 0, window - HOUR + 1, 0),
            DeliveryOutcome::GiveUp
        );
    }
}
