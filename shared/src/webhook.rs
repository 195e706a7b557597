//! Webhook signatures, for the gateway that sends and the merchant who receives.
//!
//! The header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`; during a
//! secret rotation it carries one `v1=` per secret. A receiver accepts the body if any
//! `v1` matches its secret and `t` is within the tolerance of its clock.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub mod standard;

pub const SIGNATURE_HEADER: &str = "Paydesk-Signature";
/// Every event the gateway sends, the one place their names are written; an endpoint
/// subscribes to some or to `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    OrderPaid,
    OrderFailed,
    OrderExpired,
    OrderCancelled,
    RefundSucceeded,
    RefundFailed,
    SettlementCreated,
    PayoutPaid,
    PayoutFailed,
}

impl EventType {
    pub const ALL: [EventType; 9] = [
        EventType::OrderPaid,
        EventType::OrderFailed,
        EventType::OrderExpired,
        EventType::OrderCancelled,
        EventType::RefundSucceeded,
        EventType::RefundFailed,
        EventType::SettlementCreated,
        EventType::PayoutPaid,
        EventType::PayoutFailed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::OrderPaid => "order.paid",
            EventType::OrderFailed => "order.failed",
            EventType::OrderExpired => "order.expired",
            EventType::OrderCancelled => "order.cancelled",
            EventType::RefundSucceeded => "refund.succeeded",
            EventType::RefundFailed => "refund.failed",
            EventType::SettlementCreated => "settlement.created",
            EventType::PayoutPaid => "payout.paid",
            EventType::PayoutFailed => "payout.failed",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Every name, comma-separated, for error messages.
    pub fn names() -> String {
        Self::ALL.map(EventType::as_str).join(", ")
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("signature header is malformed")]
    Malformed,
    #[error("no signature matches")]
    NoMatch,
    #[error("timestamp is outside the tolerance window")]
    Stale,
}

fn mac(secret: &str, t: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` sent at `t`, signed with every secret given (one
/// normally, two while a secret rotates).
pub fn sign(secrets: &[&str], t: i64, body: &[u8]) -> String {
    let mut header = format!("t={t}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&hex::encode(mac(secret, t, body).finalize().into_bytes()));
    }
    header
}

/// A new endpoint secret: `whsec_` and 32 random letters and digits (190 bits), which
/// is also base64 of 24 bytes, the form Standard Webhooks libraries take.
pub fn new_secret() -> String {
    use rand::Rng;
    let random: String = rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    format!("whsec_{random}")
}

/// Every signature header of one delivery of event `event_id`, sent at `t`: ours
/// (`Paydesk-Signature`) and the Standard Webhooks trio (`webhook-id`,
/// `webhook-timestamp`, and `webhook-signature` for the secrets of that form).
pub fn delivery_headers(
    secrets: &[&str],
    event_id: &str,
    t: i64,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        (SIGNATURE_HEADER, sign(secrets, t, body)),
        // The event's id is the message id, the same on every retry.
        (standard::ID_HEADER, event_id.to_owned()),
        (standard::TIMESTAMP_HEADER, t.to_string()),
    ];
    if let Some(signature) = standard::sign(secrets, event_id, t, body) {
        headers.push((standard::SIGNATURE_HEADER, signature));
    }
    headers
}

/// Checks a received webhook. Comparison is constant-time.
pub fn verify(
    secret: &str,
    header: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), WebhookError> {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.parse::<i64>().map_err(|_| WebhookError::Malformed)?),
            Some(("v1", v)) => {
                signatures.push(hex::decode(v).map_err(|_| WebhookError::Malformed)?)
            }
            // Unknown schemes are ignored so the header can grow.
            Some(_) => {}
            None => return Err(WebhookError::Malformed),
        }
    }
    let t = t.ok_or(WebhookError::Malformed)?;
    judge(&signatures, |sig| {
        mac(secret, t, body).verify_slice(sig).is_ok()
    })?;
    fresh(t, now, tolerance_secs)
}

/// Some signature was sent and one of them `matches`; for both schemes.
fn judge(signatures: &[Vec<u8>], matches: impl Fn(&[u8]) -> bool) -> Result<(), WebhookError> {
    if signatures.is_empty() {
        return Err(WebhookError::Malformed);
    }
    if !signatures.iter().any(|sig| matches(sig)) {
        return Err(WebhookError::NoMatch);
    }
    Ok(())
}

/// Signed at `t`, within the tolerance of `now` either way.
fn fresh(t: i64, now: i64, tolerance_secs: i64) -> Result<(), WebhookError> {
    if (now - t).abs() > tolerance_secs {
        return Err(WebhookError::Stale);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_round_trip() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(EventType::parse("order.shipped"), None);
        assert!(EventType::names().starts_with("order.paid, order.failed"));
    }

    #[test]
    fn round_trip_and_rotation() {
        let header = sign(&["whsec_old", "whsec_new"], 100, b"{}");
        assert!(verify("whsec_old", &header, b"{}", 100, 300).is_ok());
        assert!(verify("whsec_new", &header, b"{}", 100, 300).is_ok());
        assert_eq!(
            verify("whsec_x", &header, b"{}", 100, 300),
            Err(WebhookError::NoMatch)
        );
        assert_eq!(
            verify("whsec_old", &header, b"{} ", 100, 300),
            Err(WebhookError::NoMatch)
        );
        assert_eq!(
            verify("whsec_old", &header, b"{}", 401, 300),
            Err(WebhookError::Stale)
        );
        assert_eq!(
            verify("whsec_old", "v1=00", b"{}", 100, 300),
            Err(WebhookError::Malformed)
        );
    }

    #[test]
    fn known_vector() {
        // HMAC-SHA256(key="secret", message "1.body"), computed with Python's hmac module.
        assert_eq!(
            sign(&["secret"], 1, b"body"),
            "t=1,v1=842b24d9575dee4b6ec460b7e3af7d683501d84fe6279102340787c79d2e2bab"
        );
    }
}
