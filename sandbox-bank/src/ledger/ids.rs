//! The bank's own ids: pay-page sessions, transactions and transfers.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};

/// The opaque id of one visit to the online-banking page. Random and unguessable: it
/// is the only thing that ties a form post to a verified payment request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SessionId(String);

const SESSION_ID_BYTES: usize = 24;

impl SessionId {
    pub(super) fn generate() -> Self {
        let mut bytes = [0u8; SESSION_ID_BYTES];
        OsRng.fill_bytes(&mut bytes);
        SessionId(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts only strings shaped like a generated id.
    pub(crate) fn parse(input: &str) -> Option<Self> {
        let expected_len = SESSION_ID_BYTES.div_ceil(3) * 4;
        (input.len() == expected_len
            && input
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| SessionId(input.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A payment's or decline's id: `SBX` and 20 random digits. The log's UNIQUE
/// constraint catches the (practically impossible) repeat.
pub(super) fn transaction_id() -> String {
    with_digits("SBX")
}

/// A refund's id: `SBR` and 20 random digits.
pub(super) fn refund_transaction_id() -> String {
    with_digits("SBR")
}

/// A transfer's id (the credit to a merchant account): `SBT` and 20 random digits.
pub(super) fn transfer_id() -> String {
    with_digits("SBT")
}

fn with_digits(prefix: &str) -> String {
    let digits: String = (0..20)
        .map(|_| char::from(b'0' + OsRng.gen_range(0..10u8)))
        .collect();
    format!("{prefix}{digits}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_round_trip_and_reject_junk() {
        let id = SessionId::generate();
        assert_eq!(SessionId::parse(id.as_str()), Some(id.clone()));
        assert!(SessionId::parse("short").is_none());
        assert!(SessionId::parse(&"<".repeat(32)).is_none());
    }

    #[test]
    fn transaction_ids_are_prefixed_digits() {
        for (id, prefix) in [
            (transaction_id(), "SBX"),
            (refund_transaction_id(), "SBR"),
            (transfer_id(), "SBT"),
        ] {
            assert_eq!(id.len(), 23);
            assert!(id.starts_with(prefix));
            assert!(id[3..].bytes().all(|b| b.is_ascii_digit()), "{id}");
        }
        assert_ne!(transaction_id(), transaction_id());
    }
}
