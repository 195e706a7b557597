//! Records of webhook delivery: the endpoints merchants register, the events the
//! gateway stores for them, one delivery per (event, endpoint) and every HTTP attempt.

use paydesk_shared::api::{WebhookData, WebhookEvent};

use crate::http::wire;

/// An event to store in the same transaction as the change it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub id: String,
    pub merchant_id: String,
    pub order_id: String,
    pub kind: String,
    pub data: WebhookData,
    pub created_at: i64,
}

impl NewEvent {
    /// The body every delivery of this event sends, byte for byte: the store numbers
    /// the event within its order when it inserts it.
    pub fn body(&self, sequence: i64) -> String {
        let event = WebhookEvent {
            id: self.id.clone(),
            kind: self.kind.clone(),
            sequence,
            created_at: wire::timestamp(self.created_at),
            data: self.data.clone(),
        };
        serde_json::to_string(&event).expect("a struct of strings, numbers and enums serialises")
    }
}

/// A stored event as the merchant's API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: String,
    pub order_id: String,
    pub kind: String,
    pub sequence: i64,
    /// The exact body every delivery sends.
    pub payload: String,
    pub created_at: i64,
}

/// Which events `GET /v1/events` lists, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub kind: Option<String>,
    pub order_id: Option<String>,
    /// Only events older than this one (its id).
    pub starting_after: Option<String>,
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
    pub id: String,
    pub merchant_id: String,
    pub url: String,
    /// Event types, or `["*"]` for all.
    pub event_types: Vec<String>,
    pub description: Option<String>,
    pub secret: String,
    /// The secret before the last rotation, still signing until `previous_secret_until`.
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<i64>,
    pub status: EndpointStatus,
    pub disabled_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl WebhookEndpoint {
    /// The secrets that sign a delivery at `now`: the current one, and during a
    /// rotation's overlap the previous one too.
    pub fn signing_secrets(&self, now: i64) -> Vec<&str> {
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
    pub event_id: String,
    pub order_id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: u32,
    /// When its retry window opened.
    pub scheduled_at: i64,
    pub endpoint: WebhookEndpoint,
}

/// One HTTP attempt as the endpoint answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptLog {
    pub started_at: i64,
    pub duration_ms: i64,
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

/// What an attempt means for its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered,
    Retry {
        next_attempt_at: i64,
    },
    /// The retry window closed.
    GiveUp,
    /// `410 Gone`: the endpoint is disabled and its other pending deliveries cancelled.
    Gone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryResult {
    pub event_id: String,
    pub endpoint_id: String,
    pub attempt: AttemptLog,
    pub outcome: DeliveryOutcome,
}

/// A delivery with its attempts, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub event_id: String,
    pub endpoint_id: String,
    pub state: DeliveryState,
    pub attempts: Vec<AttemptLog>,
    pub next_attempt_at: Option<i64>,
    pub delivered_at: Option<i64>,
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
    pub oldest_pending_at: Option<i64>,
}
