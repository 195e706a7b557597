//! `cargo xtask bench-orders`: order creation throughput and latency against the release
//! gateway, next to `GET /health` on the same server as the baseline for what the
//! machine and the HTTP stack can do at all. Closed loop on [`CONNECTIONS`].
//!
//! `--replicas N` measures SQLite, then PostgreSQL with 1 … N replicas, one after the
//! other in the same run, and ends with a table of them all.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Result, bail};
use http_body_util::Full;
use hyper::Request;
use hyper::body::Bytes;
use tokio::time::Instant;

use super::harness::args::Flags;
use super::harness::gateway::{BenchGateway, Store};
use super::harness::load::{CONNECTIONS, Load, drive};
use super::harness::merchant::Merchant;
use super::harness::random_id;
use super::harness::stats::{Phase, table, thousandths};
use crate::http;
use crate::tools::{self, SystemPackages, Tools};

const COMMAND: &str = "bench-orders";
const WARM_UP: Duration = Duration::from_secs(2);
const DEFAULT_SECONDS: u64 = 10;
/// More replicas than cores measure the scheduler.
const MAX_REPLICAS: u64 = 8;

pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    let flags = Flags::parse(args, COMMAND, &["--seconds", "--replicas"])?;
    let duration = Duration::from_secs(flags.get_or("--seconds", DEFAULT_SECONDS));
    let stores = match flags.get("--replicas") {
        None => vec![Store::Inherited],
        Some(n) if n <= MAX_REPLICAS => Store::comparison(n as usize),
        Some(n) => bail!("--replicas {n}: at most {MAX_REPLICAS}"),
    };
    let tools = Tools::locate()?;
    tools::setup(&tools, root, SystemPackages::Skip)?;
    let mut measured = Vec::new();
    for store in stores {
        println!("\n== {store}");
        let gateway = BenchGateway::build(root, &tools, store)?;
        let merchant = gateway.merchant_api();
        let mut phases = None;
        gateway.run(async |addrs| {
            phases = Some(measure(addrs, merchant, duration).await?);
            Ok(())
        })?;
        if let Some((created, health)) = phases {
            measured.push((store, created, health));
        }
    }
    if measured.len() > 1 {
        println!("\n{}", comparison(&measured));
    }
    Ok(())
}

/// Order creation, then health, on `addrs`; both phases, once every request succeeded.
async fn measure(
    addrs: &[SocketAddr],
    merchant: Merchant,
    duration: Duration,
) -> Result<(Phase, Phase)> {
    let orders = Target::Orders {
        merchant,
        run_id: random_id(),
    };
    println!(
        "\nwarming up: {}s of POST /v1/orders on {CONNECTIONS} connections",
        WARM_UP.as_secs()
    );
    let warm_up = drive_for(addrs, &orders, WARM_UP).await?;
    println!(
        "measuring: {}s of POST /v1/orders, then {}s of GET /health",
        duration.as_secs(),
        duration.as_secs()
    );
    let created = drive_for(addrs, &orders, duration).await?;
    let health = drive_for(addrs, &Target::Health, duration).await?;

    println!("\n{}", report(&created, &health));
    for (name, phase) in [("POST /v1/orders", &created), ("GET /health", &health)] {
        if phase.latencies.is_empty() {
            bail!("no {name} request succeeded");
        }
    }
    check(&[&warm_up, &created, &health])?;
    Ok((created, health))
}

/// Every request must have succeeded, the warm-up's too.
fn check(phases: &[&Phase]) -> Result<()> {
    let failed: Vec<&&Phase> = phases.iter().filter(|phase| phase.failures() > 0).collect();
    if failed.is_empty() {
        return Ok(());
    }
    for phase in &failed {
        if let Some(sample) = &phase.first_failure {
            eprintln!("first failure: {sample}");
        }
    }
    let total: u64 = failed.iter().map(|phase| phase.failures()).sum();
    bail!(
        "{total} requests failed (non-2xx or connection errors, warm-up included); the benchmark needs every one to succeed"
    )
}

/// What the connections send.
#[derive(Clone)]
enum Target {
    Orders {
        merchant: Merchant,
        /// Keeps idempotency keys unique across runs against the same gateway.
        run_id: String,
    },
    Health,
}

impl Target {
    fn request(&self, addr: SocketAddr, worker: usize, seq: u64) -> Result<Request<Full<Bytes>>> {
        match self {
            Target::Health => http::get(addr, "/health"),
            Target::Orders { merchant, run_id } => {
                merchant.order_request(addr, &format!("bench-{run_id}-{worker}-{seq}"))
            }
        }
    }
}

/// One connection: `target` until `deadline`.
struct Timed {
    target: Target,
    deadline: Instant,
    worker: usize,
    seq: u64,
}

impl Load for Timed {
    fn next_request(&mut self, addr: SocketAddr) -> Option<Result<Request<Full<Bytes>>>> {
        if Instant::now() >= self.deadline {
            return None;
        }
        self.seq += 1;
        Some(self.target.request(addr, self.worker, self.seq))
    }

    fn answered(&mut self, _body: &Bytes) -> Result<()> {
        // Throughput only: nothing in the answer is needed later.
        Ok(())
    }
}

/// `target` on `CONNECTIONS` connections until `duration` is over.
async fn drive_for(addrs: &[SocketAddr], target: &Target, duration: Duration) -> Result<Phase> {
    let deadline = Instant::now() + duration;
    let loads = (0..CONNECTIONS).map(|worker| Timed {
        target: target.clone(),
        deadline,
        worker,
        seq: 0,
    });
    Ok(drive(addrs, loads).await?.0)
}

/// orders/s ÷ health/s, in thousandths.
fn ratio(orders: &Phase, health: &Phase) -> String {
    (orders.rate_tenths() * 1000)
        .checked_div(health.rate_tenths())
        .map_or_else(|| "n/a".to_owned(), thousandths)
}

/// Every store's two rows in one table, then each store's ratio.
fn comparison(measured: &[(Store, Phase, Phase)]) -> String {
    let names: Vec<(String, String)> = measured
        .iter()
        .map(|(store, _, _)| {
            (
                format!("{store}: POST /v1/orders"),
                format!("{store}: GET /health"),
            )
        })
        .collect();
    let rows: Vec<_> = measured
        .iter()
        .zip(&names)
        .flat_map(|((_, orders, health), (o, h))| [orders.row(o), health.row(h)])
        .collect();
    let mut out = table(&rows);
    for (store, orders, health) in measured {
        out += &format!("{store}: orders/s ÷ health/s = {}\n", ratio(orders, health));
    }
    out + &format!("{CONNECTIONS} connections, spread over each store's replicas")
}

fn report(orders: &Phase, health: &Phase) -> String {
    let mut out = table(&[orders.row("POST /v1/orders"), health.row("GET /health")]);
    out += &format!(
        "{CONNECTIONS} connections; orders/s ÷ health/s = {}",
        ratio(orders, health)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_gives_both_rows_and_their_ratio() {
        let phase = Phase {
            elapsed: Duration::from_secs(2),
            latencies: (1..=100).map(|n| n * 100).collect(),
            non_2xx: 1,
            ..Phase::default()
        };
        let report = report(&phase, &phase);
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines.len(), 4, "{report}");
        assert!(lines[1].starts_with("POST /v1/orders "), "{report}");
        assert!(lines[2].starts_with("GET /health "), "{report}");
        assert!(lines[3].contains("orders/s ÷ health/s = 1.000"), "{report}");
    }

    #[test]
    fn any_failure_fails_the_run() {
        let clean = Phase::default();
        assert!(check(&[&clean, &clean]).is_ok());
        let mut failed = Phase::default();
        failed.note_error(|| "reset".to_owned());
        let error = check(&[&clean, &failed]).unwrap_err().to_string();
        assert!(error.starts_with("1 requests failed"), "{error}");
    }
}
