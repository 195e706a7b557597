//! Identifiers. Ids are time-ordered (UUIDv7) so indexes stay append-mostly; client
//! tokens are 192 random bits because they authorise a shopper.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

pub(crate) fn client_token() -> String {
    format!("ct_{}", URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>()))
}
