//! The gateway's settings as plain data; `main.rs` fills them from the environment.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use paydesk_shared::signing::{PublicKey, Signer};

pub use crate::books::BooksConfig;
use crate::domain::merchant::SettlementAccount;

use crate::banking::BankSchedule;
use crate::clock::{Clock, SystemClock};

/// Where the gateway keeps its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file: one gateway process, nothing to install.
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://…`): any number of gateway replicas.
    Postgres(String),
}

impl Database {
    /// `postgres://…` (or `postgresql://…`) names a PostgreSQL database; anything else
    /// is an SQLite file's path, with or without `sqlite://`.
    pub fn parse(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Database::Postgres(url.to_owned())
        } else {
            Database::Sqlite(PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url)))
        }
    }
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Self {
        Database::Sqlite(path)
    }
}

pub struct Config {
    /// The database: an SQLite file or a PostgreSQL URL.
    pub database: Database,
    /// Base URL browsers and banks reach the gateway at, without a trailing slash.
    pub public_url: String,
    /// Which connector serves which banks, with which keys.
    pub connectors: Vec<ConnectorConfig>,
    /// Status queries, refund retries and maintenance checks.
    pub bank_schedule: BankSchedule,
    /// The key for `/v1/operator/…`; without one that API is off.
    pub operator_key: Option<String>,
    /// The built widget (Trunk's output), served at `/assets/`.
    pub widget_dir: PathBuf,
    /// How long a new order can be paid.
    pub order_ttl: Duration,
    /// Webhook URLs may point at private and loopback addresses (the sandbox's shop is
    /// on 127.0.0.1); off by default, so no merchant can aim the gateway inside.
    pub webhook_allow_private_urls: bool,
    /// Extra root certificates (PEM) trusted for webhook endpoints, for merchants whose
    /// endpoints use a private certificate authority.
    pub webhook_ca_pem: Option<Vec<u8>>,
    /// Merchants to create or update at start-up (the demo merchant).
    pub merchants: Vec<MerchantSeed>,
    /// Settlement runs, reconciliation and payouts.
    pub books: BooksConfig,
    /// Limits on the public routes.
    pub rate_limits: RateLimits,
    /// How long a background worker's lease lasts on a database replicas share: how
    /// soon a killed replica's work moves to another. Renewed once less than 70% of it
    /// is left.
    pub worker_lease: Duration,
    pub clock: Arc<dyn Clock>,
}

impl Config {
    pub const DEFAULT_ORDER_TTL: Duration = Duration::from_secs(15 * 60);
    pub const DEFAULT_WORKER_LEASE: Duration = Duration::from_secs(10);

    /// Settings with defaults for everything that has one, and one sandbox connector
    /// serving every bank of the directory.
    pub fn new(
        database: impl Into<Database>,
        public_url: String,
        signer: Signer,
        bank_keys: Vec<PublicKey>,
        sandbox_bank_url: String,
    ) -> Self {
        Config {
            database: database.into(),
            public_url,
            connectors: vec![ConnectorConfig {
                name: "sandbox".into(),
                protocol: Protocol::Sandbox,
                url: sandbox_bank_url,
                banks: BankSelection::All,
                signer,
                bank_keys,
            }],
            bank_schedule: BankSchedule::default(),
            operator_key: None,
            widget_dir: PathBuf::from("frontend/dist"),
            order_ttl: Self::DEFAULT_ORDER_TTL,
            webhook_allow_private_urls: false,
            webhook_ca_pem: None,
            merchants: Vec::new(),
            books: BooksConfig::default(),
            rate_limits: RateLimits::default(),
            worker_lease: Self::DEFAULT_WORKER_LEASE,
            clock: Arc::new(SystemClock),
        }
    }
}

impl MerchantSeed {
    /// The demo merchant the binary creates for the demo shop at `shop` (its webhook and
    /// return URLs), paid out to its account at the sandbox bank's ICBC, where its
    /// payouts can be checked.
    pub fn demo(secret_key: String, webhook_secret: String, shop: &str) -> Self {
        MerchantSeed {
            id: "mer_demo".into(),
            name: "Paydesk Tea House".into(),
            secret_key,
            webhook_url: Some(format!("{shop}/webhooks/paydesk")),
            webhook_secret,
            return_urls: vec![format!("{shop}/checkout/complete")],
            settlement_account: Some(SettlementAccount {
                bank: "ICBC".into(),
                account_number: "6222020000001001".into(),
            }),
        }
    }
}

/// One bank protocol endpoint and the banks it serves.
#[derive(Debug, Clone)]
pub struct ConnectorConfig {
    /// Names the connector in logs and in its notification URL.
    pub name: String,
    pub protocol: Protocol,
    /// The bank's base URL.
    pub url: String,
    pub banks: BankSelection,
    /// The gateway's key for this bank.
    pub signer: Signer,
    /// Bank keys trusted for its messages: two while the bank rotates its key.
    pub bank_keys: Vec<PublicKey>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// The sandbox bank protocol, `paydesk_shared::bank_protocol`.
    Sandbox,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankSelection {
    /// Every bank of the directory no other connector names.
    All,
    Only(Vec<String>),
}

/// A merchant as configured: the secret key in clear, hashed before it is stored.
#[derive(Clone)]
pub struct MerchantSeed {
    pub id: String,
    pub name: String,
    pub secret_key: String,
    /// Registered as the merchant's endpoint `we_<merchant id>` for every event type.
    pub webhook_url: Option<String>,
    pub webhook_secret: String,
    pub return_urls: Vec<String>,
    /// Where its payouts go.
    pub settlement_account: Option<SettlementAccount>,
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

/// How many requests the public routes take before answering `429 rate_limited`; each
/// limit refills at its rate and holds twice that as a burst. `None` turns one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Widget API, hosted pages and receipts: requests per second per client address.
    pub client_per_second: Option<NonZeroU32>,
    /// Bank notifications: requests per second per connector.
    pub bank_per_second: Option<NonZeroU32>,
    /// Payment attempts (the shopper pressing Pay) per order and minute.
    pub attempts_per_minute: Option<NonZeroU32>,
    /// The client address is the last `X-Forwarded-For` entry: only behind a proxy that
    /// sets it, or any client could pick its own address.
    pub trust_forwarded_for: bool,
}

impl RateLimits {
    /// No limit at all (benchmarks, load tests).
    pub const OFF: RateLimits = RateLimits {
        client_per_second: None,
        bank_per_second: None,
        attempts_per_minute: None,
        trust_forwarded_for: false,
    };
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            client_per_second: NonZeroU32::new(50),
            bank_per_second: NonZeroU32::new(2_000),
            attempts_per_minute: NonZeroU32::new(10),
            trust_forwarded_for: false,
        }
    }
}
