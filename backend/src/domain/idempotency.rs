//! `Idempotency-Key`: what a key may do when a request arrives with it, and the answer
//! stored with the change it reports so a retry replays it byte for byte.

use super::ids::MerchantId;
use std::time::Duration;

use super::time::Millis;

/// How long a key replays its answer.
pub const KEEP: Duration = Duration::from_secs(24 * 60 * 60);

/// The first successful answer to a request with an `Idempotency-Key`, stored with
/// the change it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAnswer {
    pub merchant_id: MerchantId,
    pub key: String,
    /// SHA-256 of method, path and body, hex.
    pub request_hash: String,
    pub status: u16,
    pub body: Vec<u8>,
    pub created_at: Millis,
}

/// What a request with an `Idempotency-Key` may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyClaim {
    /// Nobody used the key (in the last 24 hours): this request runs, and holds the key
    /// until it ends.
    Claimed,
    /// The key answered this request before: here is that answer.
    Replay { status: u16, body: Vec<u8> },
    /// The key was used for a different request.
    Mismatch,
    /// A request with this key is running now.
    InUse,
}
