//! The gateway binary's settings: every one an environment variable (and a flag of the
//! same name), listed with its default by `paydesk-gateway --help`. Turned into a
//! [`Config`] by [`Settings::into_config`]; the defaults are [`Config`]'s own.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use paydesk_shared::signing::{PublicKey, Signer};
use rust_decimal::Decimal;

use crate::banking::BankSchedule;
use crate::config::{BooksConfig, Config, Database, MerchantSeed, RateLimits};

#[derive(Debug, Clone, Parser)]
#[command(
    name = "paydesk-gateway",
    version,
    about = "The Paydesk gateway: merchant, widget and operator APIs, hosted checkout, bank \
             connectors, webhooks, ledger, settlement and payouts, on one SQLite file.",
    after_help = "Every option is also read from the environment variable shown with it; a \
                  flag wins over its variable. Logging: RUST_LOG (default info), for example \
                  RUST_LOG=paydesk_gateway=debug."
)]
pub struct Settings {
    /// Address to bind, also the host of the default public URL and of the sandbox bank.
    #[arg(long, env = "PAYDESK_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port of the gateway.
    #[arg(long, env = "PAYDESK_GATEWAY_PORT", default_value_t = 8080)]
    pub gateway_port: u16,
    /// Port of the sandbox bank on the same host.
    #[arg(long, env = "PAYDESK_BANK_PORT", default_value_t = 8081)]
    pub bank_port: u16,
    /// Port of the demo shop on the same host (its webhook and return URLs).
    #[arg(long, env = "PAYDESK_SHOP_PORT", default_value_t = 8082)]
    pub shop_port: u16,
    /// The SQLite file (gateway.sqlite) and the keys (keys/) live here.
    #[arg(long, env = "PAYDESK_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// The database: postgres://USER@HOST/DB for one or more replicas on PostgreSQL,
    /// or an SQLite file's path [default: DATA_DIR/gateway.sqlite].
    #[arg(long, env = "PAYDESK_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The origin the gateway advertises (hosted page, bank return and notification
    /// URLs), e.g. https://pay.example.com behind a TLS proxy [default:
    /// http://HOST:GATEWAY_PORT].
    #[arg(long, env = "PAYDESK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The built widget, served at /assets/.
    #[arg(long, env = "PAYDESK_WIDGET_DIR", default_value = "frontend/dist")]
    pub widget_dir: PathBuf,
    /// How long a new order can be paid, in seconds.
    #[arg(long, env = "PAYDESK_ORDER_TTL_SECS", default_value_t = Config::DEFAULT_ORDER_TTL.as_secs())]
    pub order_ttl_secs: u64,
    /// With replicas on PostgreSQL: how long a background worker's lease lasts, in
    /// seconds, so how soon a killed replica's work moves to another.
    #[arg(long, env = "PAYDESK_WORKER_LEASE_SECS", default_value_t = Config::DEFAULT_WORKER_LEASE.as_secs(), value_parser = clap::value_parser!(u64).range(2..=300))]
    pub worker_lease_secs: u64,
    /// JSON file saying which bank uses which connector and keys [default: one sandbox
    /// connector for every bank].
    #[arg(long, env = "PAYDESK_CONNECTORS")]
    pub connectors: Option<PathBuf>,
    /// Webhook URLs may point at private and loopback addresses.
    #[arg(long, env = "PAYDESK_WEBHOOK_ALLOW_PRIVATE_URLS", value_parser = yes_no, default_value = "false", action = clap::ArgAction::Set)]
    pub webhook_allow_private_urls: bool,
    /// PEM file of extra root certificates trusted for webhook endpoints.
    #[arg(long, env = "PAYDESK_WEBHOOK_CA_FILE")]
    pub webhook_ca_file: Option<PathBuf>,
    /// Bearer key for /v1/operator/…; without one the operator API is off.
    #[arg(long, env = "PAYDESK_OPERATOR_KEY", hide_env_values = true)]
    pub operator_key: Option<String>,
    /// First status query of an attempt without a bank verdict, in seconds.
    #[arg(long, env = "PAYDESK_BANK_QUERY_FIRST_SECS", default_value_t = BankSchedule::default().query_first.as_secs())]
    pub bank_query_first_secs: u64,
    /// Status queries double up to this interval, in seconds.
    #[arg(long, env = "PAYDESK_BANK_QUERY_MAX_SECS", default_value_t = BankSchedule::default().query_max.as_secs())]
    pub bank_query_max_secs: u64,
    /// UTC time of the daily settlement run, HH:MM.
    #[arg(long, env = "PAYDESK_SETTLEMENT_TIME", value_parser = minute_of_day, default_value = "02:00")]
    pub settlement_time: u32,
    /// A settlement run pays a merchant out once this much (major units) is available.
    #[arg(long, env = "PAYDESK_PAYOUT_MINIMUM", value_parser = amount, default_value_t = BooksConfig::default().payout_minimum)]
    pub payout_minimum: Decimal,
    /// A payment or refund this recent (seconds) may not be on the bank's file yet, nor
    /// a bank line this recent at the gateway.
    #[arg(long, env = "PAYDESK_RECONCILE_GRACE_SECS", default_value_t = BooksConfig::default().reconcile_grace.as_secs())]
    pub reconcile_grace_secs: u64,
    /// Widget API, hosted page and receipt requests per second per client address (a
    /// burst of twice that); 0 turns the limit off.
    #[arg(long, env = "PAYDESK_RATE_LIMIT_CLIENT", default_value_t = limit_value(RateLimits::default().client_per_second))]
    pub rate_limit_client: u32,
    /// Bank notifications per second per connector (a burst of twice that); 0: off.
    #[arg(long, env = "PAYDESK_RATE_LIMIT_BANK", default_value_t = limit_value(RateLimits::default().bank_per_second))]
    pub rate_limit_bank: u32,
    /// Payment attempts per order per minute; 0: off.
    #[arg(long, env = "PAYDESK_RATE_LIMIT_ATTEMPTS", default_value_t = limit_value(RateLimits::default().attempts_per_minute))]
    pub rate_limit_attempts: u32,
    /// A client's address is the last X-Forwarded-For entry; only behind a proxy that
    /// sets it.
    #[arg(long, env = "PAYDESK_TRUST_FORWARDED_FOR", value_parser = yes_no, default_value = "false", action = clap::ArgAction::Set)]
    pub trust_forwarded_for: bool,
    /// Log lines as text or as one JSON object each.
    #[arg(long, env = "PAYDESK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// The demo merchant's secret key (sk_test_…); with it the demo merchant is created
    /// at start-up.
    #[arg(
        long,
        env = "PAYDESK_DEMO_SECRET_KEY",
        hide_env_values = true,
        requires = "demo_webhook_secret"
    )]
    pub demo_secret_key: Option<String>,
    /// The demo merchant's webhook secret (whsec_…).
    #[arg(long, env = "PAYDESK_DEMO_WEBHOOK_SECRET", hide_env_values = true)]
    pub demo_webhook_secret: Option<String>,
    /// The demo shop's origin [default: http://HOST:SHOP_PORT].
    #[arg(long, env = "PAYDESK_DEMO_SHOP_URL")]
    pub demo_shop_url: Option<String>,
}

/// A limit as its setting: 0 for off.
fn limit_value(limit: Option<NonZeroU32>) -> u32 {
    limit.map_or(0, NonZeroU32::get)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Settings {
    /// The limits on the public routes.
    pub fn rate_limits(&self) -> RateLimits {
        RateLimits {
            client_per_second: NonZeroU32::new(self.rate_limit_client),
            bank_per_second: NonZeroU32::new(self.rate_limit_bank),
            attempts_per_minute: NonZeroU32::new(self.rate_limit_attempts),
            trust_forwarded_for: self.trust_forwarded_for,
        }
    }

    /// The address to bind.
    pub fn bind_address(&self) -> String {
        format!("{}:{}", self.host, self.gateway_port)
    }

    /// The gateway's configuration: keys read from the data directory, files named by
    /// the settings read and checked.
    pub fn into_config(self) -> anyhow::Result<Config> {
        let data_dir = &self.data_dir;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create {}", data_dir.display()))?;
        let keys = data_dir.join("keys");
        let signer =
            Signer::from_text(&read_key_file(&keys.join("gateway.key"))?).context("gateway.key")?;
        let default_public = format!("http://{}", self.bind_address());
        let public_url = public_url(self.public_url.as_deref().unwrap_or(&default_public))?;
        let database = match &self.database_url {
            Some(url) => Database::parse(url),
            None => data_dir.join("gateway.sqlite").into(),
        };
        let mut config = Config::new(
            database,
            public_url,
            signer,
            bank_keys(&keys)?,
            format!("http://{}:{}", self.host, self.bank_port),
        );
        config.widget_dir = self.widget_dir.clone();
        config.order_ttl = Duration::from_secs(self.order_ttl_secs);
        config.worker_lease = Duration::from_secs(self.worker_lease_secs);
        if let Some(path) = &self.connectors {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            config.connectors = crate::connectors_file::load(&text, data_dir)
                .with_context(|| format!("PAYDESK_CONNECTORS {}", path.display()))?;
        }
        config.webhook_allow_private_urls = self.webhook_allow_private_urls;
        if let Some(path) = &self.webhook_ca_file {
            config.webhook_ca_pem = Some(std::fs::read(path).with_context(|| {
                format!("PAYDESK_WEBHOOK_CA_FILE: cannot read {}", path.display())
            })?);
        }
        config.operator_key = self.operator_key.clone().filter(|k| !k.is_empty());
        config.bank_schedule.query_first = Duration::from_secs(self.bank_query_first_secs);
        config.bank_schedule.query_max = Duration::from_secs(self.bank_query_max_secs);
        config.books.settlement_minute = self.settlement_time;
        config.books.payout_minimum = self.payout_minimum;
        config.books.reconcile_grace = Duration::from_secs(self.reconcile_grace_secs);
        config.rate_limits = self.rate_limits();
        if let (Some(secret_key), Some(webhook_secret)) =
            (&self.demo_secret_key, &self.demo_webhook_secret)
        {
            let shop = self
                .demo_shop_url
                .clone()
                .unwrap_or_else(|| format!("http://{}:{}", self.host, self.shop_port));
            config.merchants.push(MerchantSeed::demo(
                secret_key.clone(),
                webhook_secret.clone(),
                &shop,
            ));
        }
        Ok(config)
    }
}

fn read_key_file(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read {} (`cargo xtask run` creates the sandbox keys)",
            path.display()
        )
    })
}

/// Every `bank*.pub` in the key directory: during a rotation the old and the new key
/// both verify; removing the old file ends the overlap.
fn bank_keys(dir: &Path) -> anyhow::Result<Vec<PublicKey>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("bank") && n.ends_with(".pub"))
        })
        .collect();
    names.sort();
    anyhow::ensure!(
        !names.is_empty(),
        "no bank*.pub in {} (`cargo xtask run` creates the sandbox keys)",
        dir.display()
    );
    names
        .iter()
        .map(|p| PublicKey::from_text(&read_key_file(p)?).with_context(|| p.display().to_string()))
        .collect()
}

/// `1`, `true`, `yes` or `0`, `false`, `no`.
fn yes_no(text: &str) -> Result<bool, String> {
    match text {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" | "" => Ok(false),
        _ => Err("expected 1/true/yes or 0/false/no".into()),
    }
}

/// `HH:MM`, 00:00 to 23:59, as minutes after midnight.
fn minute_of_day(text: &str) -> Result<u32, String> {
    let parsed = text.split_once(':').and_then(|(h, m)| {
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60 && text.len() == 5).then_some(h * 60 + m)
    });
    parsed.ok_or_else(|| "expected HH:MM (UTC), 00:00 to 23:59".into())
}

/// A non-negative decimal amount such as `1.00`.
fn amount(text: &str) -> Result<Decimal, String> {
    text.parse::<Decimal>()
        .ok()
        .filter(|m| !m.is_sign_negative())
        .ok_or_else(|| "expected a decimal amount such as 1.00".into())
}

/// `PAYDESK_PUBLIC_URL`: an absolute http(s) URL without path, query or credentials,
/// kept without a trailing slash.
fn public_url(raw: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(raw).with_context(|| format!("PAYDESK_PUBLIC_URL {raw:?}"))?;
    anyhow::ensure!(
        matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some()
            && url.path() == "/"
            && url.query().is_none()
            && url.fragment().is_none()
            && url.username().is_empty()
            && url.password().is_none(),
        "PAYDESK_PUBLIC_URL {raw:?}: an http(s) origin such as https://pay.example.com"
    );
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Settings, clap::Error> {
        Settings::try_parse_from(std::iter::once("paydesk-gateway").chain(args.iter().copied()))
    }

    #[test]
    fn the_settings_are_consistent() {
        Settings::command().debug_assert();
    }

    #[test]
    fn defaults_are_the_configs_own() {
        let s = parse(&[]).unwrap();
        assert_eq!(s.bind_address(), "127.0.0.1:8080");
        assert_eq!(
            Duration::from_secs(s.order_ttl_secs),
            Config::DEFAULT_ORDER_TTL
        );
        let books = BooksConfig::default();
        assert_eq!(s.settlement_time, books.settlement_minute);
        assert_eq!(s.payout_minimum, books.payout_minimum);
        assert_eq!(
            Duration::from_secs(s.reconcile_grace_secs),
            books.reconcile_grace
        );
        let schedule = BankSchedule::default();
        assert_eq!(
            Duration::from_secs(s.bank_query_first_secs),
            schedule.query_first
        );
        assert_eq!(
            Duration::from_secs(s.bank_query_max_secs),
            schedule.query_max
        );
        assert_eq!(
            Duration::from_secs(s.worker_lease_secs),
            Config::DEFAULT_WORKER_LEASE
        );
        assert_eq!(s.log_format, LogFormat::Text);
        assert!(!s.webhook_allow_private_urls);
        assert_eq!(s.rate_limits(), RateLimits::default());
    }

    #[test]
    fn a_worker_lease_is_between_two_seconds_and_five_minutes() {
        assert_eq!(
            parse(&["--worker-lease-secs", "3"])
                .unwrap()
                .worker_lease_secs,
            3
        );
        for outside in ["1", "301", "0", "soon"] {
            assert!(
                parse(&["--worker-lease-secs", outside]).is_err(),
                "{outside}"
            );
        }
    }

    #[test]
    fn a_rate_limit_of_zero_is_off() {
        let s = parse(&[
            "--rate-limit-client",
            "0",
            "--rate-limit-bank",
            "0",
            "--rate-limit-attempts",
            "0",
        ])
        .unwrap();
        assert_eq!(s.rate_limits(), RateLimits::OFF);
    }

    #[test]
    fn values_are_checked_when_read() {
        for bad in [
            &["--settlement-time", "24:00"][..],
            &["--settlement-time", "2:00"],
            &["--payout-minimum", "-1"],
            &["--payout-minimum", "one"],
            &["--gateway-port", "70000"],
            &["--webhook-allow-private-urls", "maybe"],
            &["--log-format", "xml"],
            &["--rate-limit-client", "-1"],
            &["--rate-limit-bank", "many"],
            // A demo merchant needs both of its secrets.
            &["--demo-secret-key", "sk_test_1"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
        let s = parse(&[
            "--settlement-time",
            "23:59",
            "--payout-minimum",
            "0.50",
            "--log-format",
            "json",
            "--webhook-allow-private-urls",
            "1",
        ])
        .unwrap();
        assert_eq!(s.settlement_time, 23 * 60 + 59);
        assert_eq!(s.payout_minimum, Decimal::new(50, 2));
        assert_eq!(s.log_format, LogFormat::Json);
        assert!(s.webhook_allow_private_urls);
    }

    #[test]
    fn public_urls_are_origins() {
        assert_eq!(
            public_url("https://pay.example.com/").unwrap(),
            "https://pay.example.com"
        );
        for bad in [
            "pay.example.com",
            "ftp://pay.example.com",
            "https://pay.example.com/checkout",
            "https://user@pay.example.com",
            "https://pay.example.com/?a=1",
        ] {
            assert!(public_url(bad).is_err(), "{bad}");
        }
    }
}
