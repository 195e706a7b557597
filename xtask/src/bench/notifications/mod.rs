//! `cargo xtask bench-notifications`: signed bank notifications against the release
//! gateway.
//!
//! Setup (not measured): orders with one ICBC attempt each. Then either
//! - closed loop (default, [`closed`]): one signed success notification per attempt
//!   on [`CONNECTIONS`](crate::bench::harness::load::CONNECTIONS) connections, each
//!   request's time to its 200, then the bank inbox polled until nothing is left to
//!   apply: the most the gateway does;
//! - open loop (`--rate N`, [`open`]): notifications at a fixed rate, latency from each
//!   scheduled send time to its 200, then at `--webhook-rate` to the merchant's webhook
//!   endpoint (in process) receiving `order.paid`: latency below saturation.

mod closed;
mod inbox;
mod notify;
mod open;
mod setup;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use paydesk_shared::signing::Signer;

use super::harness::args::Flags;
use super::harness::gateway::{BenchGateway, Store};
use super::harness::merchant::Merchant;
use super::harness::random_id;
use super::harness::webhooks::WebhookEndpoint;
use crate::services::{OPERATOR_KEY_VAR, random_operator_key};
use crate::tools::Tools;
use closed::Figures;
use notify::Bank;
use open::OpenOptions;

const COMMAND: &str = "bench-notifications";
const FLAGS: [&str; 5] = [
    "--orders",
    "--rate",
    "--replicas",
    "--seconds",
    "--webhook-rate",
];
/// More replicas than cores measure the scheduler.
const MAX_REPLICAS: u64 = 8;
const DEFAULT_ORDERS: u64 = 10_000;
const DEFAULT_SECONDS: u64 = 10;
const DEFAULT_WEBHOOK_RATE: u64 = 500;
/// No bank runs here, so the gateway's status queries (30 s after an attempt by
/// default) would only fail; an hour keeps them out of the measurement.
const QUERY_FIRST_SECS: &str = "3600";
/// In the closed loop no shop runs: every paid order's webhook fails at once (its URL
/// is on 127.0.0.1, which this gateway is not allowed to send to) and is retried with
/// backoff. One warning per order would drown the report.
const RUST_LOG: &str = "warn,paydesk_gateway::webhooks=error";

/// Which loop, with its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Closed { orders: usize },
    Open(OpenOptions),
}

pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    let (mode, stores) = parse_mode(args)?;
    let tools = Tools::locate()?;
    let mut measured = Vec::new();
    for &store in &stores {
        if stores.len() > 1 {
            println!("\n== {store}");
        }
        if let Some(figures) = run_on(root, &tools, store, mode)? {
            measured.push((store, figures));
        }
    }
    if measured.len() > 1 {
        println!("\n{}", closed::comparison(&measured));
    }
    Ok(())
}

/// One gateway (or set of replicas) on `store` under `mode`; the closed loop's figures.
fn run_on(root: &Path, tools: &Tools, store: Store, mode: Mode) -> Result<Option<Figures>> {
    let mut gateway = BenchGateway::build(root, tools, store)?;
    let operator_key = random_operator_key();
    gateway
        .env(OPERATOR_KEY_VAR, &operator_key)
        .env("PAYDESK_BANK_QUERY_FIRST_SECS", QUERY_FIRST_SECS)
        .env("RUST_LOG", RUST_LOG);
    let endpoint = match mode {
        Mode::Closed { .. } => None,
        Mode::Open(_) => {
            let endpoint = WebhookEndpoint::bind(&gateway.merchant.webhook_secret)?;
            gateway.shop_at(&endpoint.shop_url()?);
            Some(endpoint)
        }
    };
    let bench = Bench {
        merchant: gateway.merchant_api(),
        operator_authorization: format!("Bearer {operator_key}"),
        bank: Bank {
            signer: Arc::new(bank_signer(gateway.data.path())?),
            run_id: random_id().into(),
        },
    };
    let mut figures = None;
    gateway.run(async |addrs| match (mode, endpoint) {
        (Mode::Open(options), Some(endpoint)) => {
            let webhooks = endpoint.serve()?;
            open::run(&bench, addrs[0], options, &webhooks).await
        }
        (Mode::Closed { orders }, _) => {
            figures = Some(closed::run(&bench, addrs, orders).await?);
            Ok(())
        }
        (Mode::Open(_), None) => unreachable!("the open loop binds its webhook endpoint"),
    })?;
    Ok(figures)
}

/// What both loops need besides the gateway's address.
struct Bench {
    merchant: Merchant,
    operator_authorization: String,
    bank: Bank,
}

/// The sandbox bank's key from the gateway's data directory: the benchmark signs as
/// the bank.
fn bank_signer(data: &Path) -> Result<Signer> {
    let key_path = data.join("keys/bank.key");
    let key_text = std::fs::read_to_string(&key_path)
        .with_context(|| format!("could not read {}", key_path.display()))?;
    Signer::from_text(key_text.trim()).map_err(|e| anyhow::anyhow!("{}: {e}", key_path.display()))
}

/// The loop, and the stores to run it on: as the environment says, or with
/// `--replicas N` SQLite and PostgreSQL with 1 … N replicas (the closed loop only).
fn parse_mode(args: &[String]) -> Result<(Mode, Vec<Store>)> {
    let flags = Flags::parse(args, COMMAND, &FLAGS)?;
    let stores = match flags.get("--replicas") {
        None => vec![Store::Inherited],
        Some(n) => {
            ensure!(n <= MAX_REPLICAS, "--replicas {n}: at most {MAX_REPLICAS}");
            ensure!(
                flags.get("--rate").is_none(),
                "--replicas compares the closed loop; the open loop (`--rate N`) runs on one gateway"
            );
            Store::comparison(usize::try_from(n)?)
        }
    };
    let Some(rate) = flags.get("--rate") else {
        for open_only in ["--seconds", "--webhook-rate"] {
            ensure!(
                flags.get(open_only).is_none(),
                "{open_only} is for the open loop: give `--rate N` too"
            );
        }
        let orders = flags.get_or("--orders", DEFAULT_ORDERS);
        let orders = usize::try_from(orders).context("--orders is too large for this machine")?;
        return Ok((Mode::Closed { orders }, stores));
    };
    ensure!(
        flags.get("--orders").is_none(),
        "--orders is for the closed loop; with `--rate N` each phase sends rate × seconds"
    );
    let mode = Mode::Open(OpenOptions {
        rate,
        webhook_rate: flags.get_or("--webhook-rate", DEFAULT_WEBHOOK_RATE),
        duration: Duration::from_secs(flags.get_or("--seconds", DEFAULT_SECONDS)),
    });
    Ok((mode, stores))
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use http_body_util::{BodyExt, Full};
    use hyper::Request;
    use hyper::body::Bytes;
    use paydesk_shared::currency::Currency;

    use super::*;

    /// Requests are only built here, never sent.
    pub(super) fn test_addr() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 8080))
    }

    pub(super) fn cny() -> Currency {
        Currency::try_from("CNY".to_owned()).unwrap()
    }

    pub(super) async fn body_of(
        request: Request<Full<Bytes>>,
    ) -> (hyper::http::request::Parts, Bytes) {
        let (parts, body) = request.into_parts();
        (parts, body.collect().await.unwrap().to_bytes())
    }

    fn parse_all(list: &[&str]) -> Result<(Mode, Vec<Store>)> {
        let args: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
        parse_mode(&args)
    }

    fn parse(list: &[&str]) -> Result<Mode> {
        parse_all(list).map(|(mode, _)| mode)
    }

    #[test]
    fn without_a_rate_the_closed_loop_takes_orders() {
        assert_eq!(parse(&[]).unwrap(), Mode::Closed { orders: 10_000 });
        assert_eq!(
            parse(&["--orders", "500"]).unwrap(),
            Mode::Closed { orders: 500 }
        );
        assert_eq!(
            parse(&["--orders=20"]).unwrap(),
            Mode::Closed { orders: 20 }
        );
        assert!(parse(&["--orders", "0"]).is_err());
        assert!(parse(&["--orders", "ten"]).is_err());
        assert!(parse(&["--orders"]).is_err());
        let alone = parse(&["--seconds", "3"]).unwrap_err().to_string();
        assert!(alone.contains("give `--rate N` too"), "{alone}");
        let unknown = parse(&["--fast"]).unwrap_err().to_string();
        assert!(
            unknown.contains(
                "bench-notifications takes `--orders N`, `--rate N`, `--replicas N`, `--seconds N`, `--webhook-rate N`"
            ),
            "{unknown}"
        );
    }

    #[test]
    fn a_rate_selects_the_open_loop_with_defaults() {
        let open = |rate, webhook_rate, secs| {
            Mode::Open(OpenOptions {
                rate,
                webhook_rate,
                duration: Duration::from_secs(secs),
            })
        };
        assert_eq!(parse(&["--rate", "1000"]).unwrap(), open(1000, 500, 10));
        assert_eq!(
            parse(&["--rate=1000", "--seconds", "5", "--webhook-rate", "200"]).unwrap(),
            open(1000, 200, 5)
        );
        let both = parse(&["--rate", "1000", "--orders", "5"]).unwrap_err();
        assert!(both.to_string().contains("closed loop"), "{both}");
        assert!(parse(&["--rate", "0"]).is_err());
    }

    #[test]
    fn replicas_compare_the_closed_loop_on_each_store() {
        assert_eq!(parse_all(&[]).unwrap().1, [Store::Inherited]);
        let (mode, stores) = parse_all(&["--replicas", "2", "--orders", "100"]).unwrap();
        assert_eq!(mode, Mode::Closed { orders: 100 });
        assert_eq!(
            stores,
            [
                Store::Sqlite,
                Store::Postgres { replicas: 1 },
                Store::Postgres { replicas: 2 }
            ]
        );
        let open = parse_all(&["--replicas", "2", "--rate", "100"]).unwrap_err();
        assert!(open.to_string().contains("runs on one gateway"), "{open}");
        assert!(parse_all(&["--replicas", "9"]).is_err());
    }
}
