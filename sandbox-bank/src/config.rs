//! What the sandbox bank needs to run. Plain data: `main.rs` fills it from the
//! environment, tests build it by hand.

use std::path::PathBuf;

use paydesk_shared::signing::{PublicKey, Signer};

use crate::faults::Faults;

#[derive(Debug, Clone)]
pub struct Config {
    /// The bank's private key; it signs every notification and answer to the gateway.
    pub signer: Signer,
    /// The gateway keys whose signed requests the bank accepts (two while the gateway
    /// rotates its key).
    pub gateway_keys: Vec<PublicKey>,
    /// The bank's own base URL, without a trailing slash.
    pub public_url: String,
    /// The SQLite file holding the bank's books; created on first start.
    pub database_path: PathBuf,
    /// The faults to play from the start (see `crate::faults`); none by default.
    pub faults: Faults,
}

impl Config {
    /// A bank that plays no faults.
    pub fn new(
        signer: Signer,
        gateway_keys: Vec<PublicKey>,
        public_url: String,
        database_path: PathBuf,
    ) -> Self {
        Config {
            signer,
            gateway_keys,
            public_url,
            database_path,
            faults: Faults::default(),
        }
    }
}
