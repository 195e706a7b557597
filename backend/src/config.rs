//! The gateway's settings as plain data; `main.rs` fills them from the environment.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use paydesk_shared::signing::{PublicKey, Signer};

use crate::clock::{Clock, SystemClock};

pub struct Config {
    /// The SQLite database file.
    pub database_path: PathBuf,
    /// Base URL browsers and banks reach the gateway at, without a trailing slash.
    pub public_url: String,
    /// The gateway's key for messages to banks.
    pub signer: Signer,
    /// Bank keys trusted for notifications; several during a rotation.
    pub bank_keys: Vec<PublicKey>,
    /// Base URL of the sandbox bank, which serves every bank in the directory.
    pub sandbox_bank_url: String,
    /// The built widget (Trunk's output), served at `/assets/`.
    pub widget_dir: PathBuf,
    /// How long a new order can be paid.
    pub order_ttl: Duration,
    /// Merchants to create or update at start-up (the demo merchant).
    pub merchants: Vec<MerchantSeed>,
    pub clock: Arc<dyn Clock>,
}

impl Config {
    pub const DEFAULT_ORDER_TTL: Duration = Duration::from_secs(15 * 60);

    /// Settings with defaults for everything that has one.
    pub fn new(
        database_path: PathBuf,
        public_url: String,
        signer: Signer,
        bank_keys: Vec<PublicKey>,
        sandbox_bank_url: String,
    ) -> Self {
        Config {
            database_path,
            public_url,
            signer,
            bank_keys,
            sandbox_bank_url,
            widget_dir: PathBuf::from("frontend/dist"),
            order_ttl: Self::DEFAULT_ORDER_TTL,
            merchants: Vec::new(),
            clock: Arc::new(SystemClock),
        }
    }
}

/// A merchant as configured: the secret key in clear, hashed before it is stored.
#[derive(Clone)]
pub struct MerchantSeed {
    pub id: String,
    pub name: String,
    pub secret_key: String,
    pub webhook_url: Option<String>,
    pub webhook_secret: String,
    pub return_urls: Vec<String>,
}

impl std::fmt::Debug for MerchantSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MerchantSeed")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("webhook_url", &self.webhook_url)
            .field("return_urls", &self.return_urls)
            .finish_non_exhaustive()
    }
}
