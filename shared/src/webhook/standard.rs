//! The Standard Webhooks signature (<https://www.standardwebhooks.com>), sent beside
//! `Paydesk-Signature` so that the specification's libraries, in any language, verify a
//! delivery unchanged.
//!
//! Three headers: `webhook-id` (the event's id, the same on every retry),
//! `webhook-timestamp` (unix seconds) and `webhook-signature`: `v1,<base64 of
//! HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per secret, space-separated. The HMAC
//! key is the base64 after the secret's `whsec_` prefix (a Paydesk secret's 32 letters
//! and digits are 24 bytes in base64), where `Paydesk-Signature` keys with the whole
//! secret as Stripe does; one secret serves both.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{WebhookError, fresh, judge};

pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";

const PREFIX: &str = "whsec_";

/// The HMAC key of a secret: the base64 after `whsec_`, or `None` if it is not base64.
fn key(secret: &str) -> Option<Vec<u8>> {
    let encoded = secret.strip_prefix(PREFIX).unwrap_or(secret);
    STANDARD.decode(encoded).ok().filter(|key| !key.is_empty())
}

fn mac(key: &[u8], id: &str, t: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `webhook-signature` value for `body` sent as message `id` at `t`, signed with
/// every secret given that has a base64 key; `None` if none has.
pub fn sign(secrets: &[&str], id: &str, t: i64, body: &[u8]) -> Option<String> {
    let signatures: Vec<String> = secrets
        .iter()
        .filter_map(|secret| key(secret))
        .map(|key| {
            let digest = mac(&key, id, t, body).finalize().into_bytes();
            format!("v1,{}", STANDARD.encode(digest))
        })
        .collect();
    (!signatures.is_empty()).then(|| signatures.join(" "))
}

/// Checks a received delivery's three headers. Comparison is constant-time.
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: &str,
    signature: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), WebhookError> {
    let t: i64 = timestamp.parse().map_err(|_| WebhookError::Malformed)?;
    let key = key(secret).ok_or(WebhookError::Malformed)?;
    let mut signatures = Vec::new();
    for part in signature.split_whitespace() {
        // Other versions are skipped so the header can grow.
        if let Some(("v1", encoded)) = part.split_once(',') {
            signatures.push(
                STANDARD
                    .decode(encoded)
                    .map_err(|_| WebhookError::Malformed)?,
            );
        }
    }
    judge(&signatures, |sig| {
        mac(&key, id, t, body).verify_slice(sig).is_ok()
    })?;
    fresh(t, now, tolerance_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's own example, also computed with Python's hmac and base64.
    #[test]
    fn the_specifications_test_vector() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let signature = sign(&[secret], id, 1_614_265_330, body);
        assert_eq!(
            signature.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        let signature = signature.unwrap_or_default();
        let check = |body: &[u8], now| verify(secret, id, "1614265330", &signature, body, now, 300);
        assert_eq!(check(body, 1_614_265_330), Ok(()));
        assert_eq!(check(b"{}", 1_614_265_330), Err(WebhookError::NoMatch));
        assert_eq!(check(body, 1_614_265_631), Err(WebhookError::Stale));
    }

    #[test]
    fn rotation_signs_with_both_and_either_verifies() {
        let (old, new) = (
            "whsec_b2xkc2VjcmV0b2xkc2VjcmV0",
            "whsec_bmV3c2VjcmV0bmV3c2VjcmV0",
        );
        let header = sign(&[new, old], "evt_1", 100, b"{}").expect("both are base64");
        assert_eq!(header.split(' ').count(), 2);
        for secret in [old, new] {
            assert_eq!(
                verify(secret, "evt_1", "100", &header, b"{}", 100, 300),
                Ok(())
            );
        }
        // The id is signed: the same body under another id does not verify.
        assert_eq!(
            verify(old, "evt_2", "100", &header, b"{}", 100, 300),
            Err(WebhookError::NoMatch)
        );
    }

    #[test]
    fn secrets_that_are_not_base64_sign_nothing() {
        assert_eq!(sign(&["whsec_one"], "evt_1", 1, b"{}"), None);
        assert_eq!(
            verify("whsec_one", "evt_1", "1", "v1,AAAA", b"{}", 1, 300),
            Err(WebhookError::Malformed)
        );
        assert_eq!(
            verify(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "evt_1",
                "1",
                "v2,AAAA",
                b"{}",
                1,
                300
            ),
            Err(WebhookError::Malformed)
        );
    }
}
