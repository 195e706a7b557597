//! `cargo xtask bench-orders`: order creation throughput and latency against the release
//! gateway, next to `GET /health` on the same server as the baseline for what the
//! machine and the HTTP stack can do at all.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, StatusCode, header};
use paydesk_shared::api::{CreateOrderRequest, LineItemRequest};
use rand::Rng;
use rand::distributions::Alphanumeric;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::http::{self, Connection};
use crate::process;
use crate::services::{DemoMerchant, Service, ensure_keys, release_binary, wait_until_ready};
use crate::supervisor::Supervisor;
use crate::tools::{self, Browser, Tools};

const CONNECTIONS: usize = 64;
const WARM_UP: Duration = Duration::from_secs(2);
const DEFAULT_SECONDS: u64 = 10;
const HOST: &str = "127.0.0.1";
/// No shop runs during the benchmark; the gateway only needs the URL to register the
/// demo merchant's return and webhook URLs. Port 9 (discard) never answers.
const SHOP_URL: &str = "http://127.0.0.1:9";

pub(crate) fn orders(root: &Path, args: &[String]) -> Result<()> {
    let duration = Duration::from_secs(parse_seconds(args)?);
    let tools = Tools::locate()?;
    tools::setup(&tools, root, Browser::Skip)?;
    process::run(tools.cargo().current_dir(root).args([
        "build",
        "--release",
        "-p",
        "paydesk-gateway",
    ]))?;

    let data = tempfile::Builder::new()
        .prefix("paydesk-bench-")
        .tempdir()
        .context("could not create a temporary data directory")?;
    ensure_keys(data.path())?;
    let merchant = DemoMerchant::generate();
    let [gateway_port, bank_port, shop_port] = free_ports()?;
    let gateway = Service {
        name: "gateway",
        binary: "paydesk-gateway",
        port: gateway_port,
    };

    let mut command = Command::new(release_binary(root, gateway.binary));
    command
        .current_dir(root)
        .env("PAYDESK_HOST", HOST)
        .env("PAYDESK_GATEWAY_PORT", gateway_port.to_string())
        .env("PAYDESK_BANK_PORT", bank_port.to_string())
        .env("PAYDESK_SHOP_PORT", shop_port.to_string())
        .env("PAYDESK_DEMO_SHOP_URL", SHOP_URL)
        .env("PAYDESK_DATA_DIR", data.path())
        .env("PAYDESK_WIDGET_DIR", data.path().join("no-widget"))
        .env("RUST_LOG", "warn")
        .envs(merchant.env());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async {
        let mut supervisor = Supervisor::new();
        supervisor.spawn(gateway.name, &mut command)?;
        let result = async {
            wait_until_ready(&mut supervisor, HOST, &[&gateway]).await?;
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, gateway_port));
            measure(addr, &merchant, duration).await
        }
        .await;
        supervisor.stop_all().await;
        result
    })
}

async fn measure(addr: SocketAddr, merchant: &DemoMerchant, duration: Duration) -> Result<()> {
    let orders = Target::Orders(Arc::new(OrderContext {
        authorization: format!("Bearer {}", merchant.secret_key),
        run_id: random_id(),
    }));
    println!(
        "\nwarming up: {}s of POST /v1/orders on {CONNECTIONS} connections",
        WARM_UP.as_secs()
    );
    let warm_up = drive(addr, &orders, WARM_UP).await?;
    println!(
        "measuring: {}s of POST /v1/orders, then {}s of GET /health",
        duration.as_secs(),
        duration.as_secs()
    );
    let created = drive(addr, &orders, duration).await?;
    let health = drive(addr, &Target::Health, duration).await?;

    println!("\n{}", report(&created, &health));
    for (name, phase) in [("POST /v1/orders", &created), ("GET /health", &health)] {
        if phase.latencies_us.is_empty() {
            bail!("no {name} request succeeded");
        }
    }
    let failed: Vec<&Phase> = [&warm_up, &created, &health]
        .into_iter()
        .filter(|phase| phase.failures() > 0)
        .collect();
    if !failed.is_empty() {
        for phase in &failed {
            if let Some(sample) = &phase.first_failure {
                eprintln!("first failure: {sample}");
            }
        }
        let total: u64 = failed.iter().map(|phase| phase.failures()).sum();
        bail!(
            "{total} requests failed (non-2xx or connection errors, warm-up included); the benchmark needs every one to succeed"
        );
    }
    Ok(())
}

struct OrderContext {
    authorization: String,
    /// Keeps idempotency keys unique across runs against the same gateway.
    run_id: String,
}

#[derive(Clone)]
enum Target {
    Orders(Arc<OrderContext>),
    Health,
}

impl Target {
    fn request(&self, addr: SocketAddr, worker: usize, seq: u64) -> Result<Request<Full<Bytes>>> {
        match self {
            Target::Health => http::get(addr, "/health"),
            Target::Orders(context) => {
                let key = format!("bench-{}-{worker}-{seq}", context.run_id);
                Ok(Request::post("/v1/orders")
                    .header(header::HOST, addr.to_string())
                    .header(header::AUTHORIZATION, &context.authorization)
                    .header(header::CONTENT_TYPE, "application/json")
                    .header("Idempotency-Key", &key)
                    .body(Full::new(Bytes::from(order_body(&key)?)))?)
            }
        }
    }
}

/// Two line items in CNY, as a tea shop's checkout would send.
fn order_body(reference: &str) -> Result<Vec<u8>> {
    let order = CreateOrderRequest {
        currency: "CNY".to_owned(),
        items: vec![
            LineItemRequest {
                name: "Longjing green tea, 250 g".to_owned(),
                quantity: 2_u32.into(),
                unit_price: "168.00".to_owned(),
                image_url: None,
            },
            LineItemRequest {
                name: "Celadon tea cup".to_owned(),
                quantity: 1_u32.into(),
                unit_price: "89.50".to_owned(),
                image_url: None,
            },
        ],
        merchant_reference: reference.to_owned(),
        return_url: format!("{SHOP_URL}/checkout/complete?order={reference}"),
    };
    Ok(serde_json::to_vec(&order)?)
}

/// What one phase saw: every successful request's latency, and what went wrong.
#[derive(Debug, Default)]
struct Phase {
    elapsed: Duration,
    latencies_us: Vec<u64>,
    non_2xx: u64,
    errors: u64,
    first_failure: Option<String>,
}

impl Phase {
    fn failures(&self) -> u64 {
        self.non_2xx + self.errors
    }

    fn requests(&self) -> u64 {
        u64::try_from(self.latencies_us.len()).unwrap_or(u64::MAX) + self.failures()
    }

    fn note_failure(&mut self, what: impl FnOnce() -> String) {
        if self.first_failure.is_none() {
            self.first_failure = Some(what());
        }
    }

    fn merge(&mut self, other: Phase) {
        self.latencies_us.extend(other.latencies_us);
        self.non_2xx += other.non_2xx;
        self.errors += other.errors;
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
    }

    /// Completed requests per second, in tenths.
    fn rate_tenths(&self) -> u128 {
        let micros = self.elapsed.as_micros().max(1);
        u128::from(self.requests()) * 10_000_000 / micros
    }

    /// Latency at percentile `p` (0–100) of successful requests, in microseconds.
    fn percentile_us(&self, p: usize) -> u64 {
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        match sorted.len() {
            0 => 0,
            n => sorted[(n - 1) * p / 100],
        }
    }
}

/// Runs `CONNECTIONS` kept-alive connections, each sending its next request as soon as
/// the previous answer is read, until `duration` is over.
async fn drive(addr: SocketAddr, target: &Target, duration: Duration) -> Result<Phase> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = JoinSet::new();
    for worker in 0..CONNECTIONS {
        workers.spawn(connection_loop(addr, target.clone(), deadline, worker));
    }
    let mut phase = Phase::default();
    while let Some(done) = workers.join_next().await {
        phase.merge(done.context("a load-generating task panicked")?);
    }
    phase.elapsed = started.elapsed();
    Ok(phase)
}

async fn connection_loop(
    addr: SocketAddr,
    target: Target,
    deadline: Instant,
    worker: usize,
) -> Phase {
    let mut phase = Phase::default();
    let mut connection: Option<Connection> = None;
    let mut seq = 0_u64;
    while Instant::now() < deadline {
        let (mut open, fresh) = match connection.take() {
            Some(open) => (open, false),
            None => match http::connect(addr).await {
                Ok(open) => (open, true),
                Err(error) => {
                    phase.errors += 1;
                    phase.note_failure(|| format!("{error:#}"));
                    break;
                }
            },
        };
        if let Err(error) = open.ready().await {
            // A kept-alive connection the server closed while idle is no failed request.
            if fresh {
                phase.errors += 1;
                phase.note_failure(|| format!("the server closed a new connection: {error}"));
                break;
            }
            continue;
        }
        seq += 1;
        let request = match target.request(addr, worker, seq) {
            Ok(request) => request,
            Err(error) => {
                phase.errors += 1;
                phase.note_failure(|| format!("could not build a request: {error:#}"));
                break;
            }
        };
        let sent = Instant::now();
        match exchange(&mut open, request).await {
            Ok((status, _)) if status.is_success() => {
                phase
                    .latencies_us
                    .push(u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX));
                connection = Some(open);
            }
            Ok((status, body)) => {
                phase.non_2xx += 1;
                phase.note_failure(|| {
                    let body = String::from_utf8_lossy(&body);
                    format!("{status}: {}", body.chars().take(300).collect::<String>())
                });
                connection = Some(open);
            }
            Err(error) => {
                phase.errors += 1;
                phase.note_failure(|| format!("{error:#}"));
            }
        }
    }
    phase
}

async fn exchange(
    connection: &mut Connection,
    request: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes)> {
    let response = connection.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

fn report(orders: &Phase, health: &Phase) -> String {
    let mut out = format!(
        "{:<22} {:>10} {:>10} {:>10} {:>10} {:>9} {:>8} {:>10}\n",
        "endpoint", "req/s", "p50", "p99", "max", "non-2xx", "errors", "requests"
    );
    for (name, phase) in [("POST /v1/orders", orders), ("GET /health", health)] {
        out += &format!(
            "{:<22} {:>10} {:>10} {:>10} {:>10} {:>9} {:>8} {:>10}\n",
            name,
            tenths(phase.rate_tenths()),
            millis(phase.percentile_us(50)),
            millis(phase.percentile_us(99)),
            millis(phase.latencies_us.iter().copied().max().unwrap_or(0)),
            phase.non_2xx,
            phase.errors,
            phase.requests(),
        );
    }
    let ratio = (orders.rate_tenths() * 1000)
        .checked_div(health.rate_tenths())
        .map_or_else(|| "n/a".to_owned(), thousandths);
    out += &format!("{CONNECTIONS} connections; orders/s ÷ health/s = {ratio}");
    out
}

fn tenths(value: u128) -> String {
    format!("{}.{}", value / 10, value % 10)
}

fn thousandths(value: u128) -> String {
    format!("{}.{:03}", value / 1000, value % 1000)
}

fn millis(micros: u64) -> String {
    format!("{}.{:02} ms", micros / 1000, micros % 1000 / 10)
}

fn parse_seconds(args: &[String]) -> Result<u64> {
    let mut seconds = DEFAULT_SECONDS;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--seconds") {
            Some("") => args.next().context("--seconds needs a value")?.as_str(),
            Some(rest) if rest.starts_with('=') => &rest[1..],
            _ => bail!("unknown argument `{arg}` (bench-orders takes `--seconds N`)"),
        };
        seconds = value
            .parse()
            .ok()
            .filter(|&s| s > 0)
            .with_context(|| format!("--seconds `{value}` is not a positive whole number"))?;
    }
    Ok(seconds)
}

/// Ports nothing listens on right now; held open together so the three differ.
fn free_ports() -> Result<[u16; 3]> {
    let listeners = [(); 3].map(|()| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)));
    let mut ports = [0; 3];
    for (port, listener) in ports.iter_mut().zip(listeners) {
        *port = listener
            .and_then(|l| l.local_addr())
            .context("could not find a free port")?
            .port();
    }
    Ok(ports)
}

fn random_id() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(8)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_seconds() {
        assert_eq!(parse_seconds(&[]).unwrap(), 10);
        assert_eq!(parse_seconds(&args(&["--seconds", "3"])).unwrap(), 3);
        assert_eq!(parse_seconds(&args(&["--seconds=30"])).unwrap(), 30);
        assert!(parse_seconds(&args(&["--seconds", "0"])).is_err());
        assert!(parse_seconds(&args(&["--seconds"])).is_err());
        assert!(parse_seconds(&args(&["--fast"])).is_err());
    }

    #[test]
    fn the_order_body_is_a_valid_create_order_request() {
        let body = order_body("bench-x-1-1").unwrap();
        let parsed: CreateOrderRequest = serde_json::from_slice(&body).unwrap();
        assert_eq!(parsed.currency, "CNY");
        assert_eq!(parsed.items.len(), 2);
        assert_eq!(
            parsed.return_url,
            "http://127.0.0.1:9/checkout/complete?order=bench-x-1-1"
        );
    }

    #[test]
    fn statistics_use_integer_arithmetic() {
        let phase = Phase {
            elapsed: Duration::from_secs(2),
            latencies_us: (1..=100).map(|n| n * 100).collect(),
            non_2xx: 1,
            ..Phase::default()
        };
        assert_eq!(phase.requests(), 101);
        assert_eq!(tenths(phase.rate_tenths()), "50.5");
        assert_eq!(millis(phase.percentile_us(50)), "5.00 ms");
        assert_eq!(millis(phase.percentile_us(99)), "9.90 ms");
        assert_eq!(thousandths(412), "0.412");
        let report = report(&phase, &phase);
        assert!(report.contains("orders/s ÷ health/s = 1.000"), "{report}");
    }

    #[test]
    fn free_ports_differ() {
        let [a, b, c] = free_ports().unwrap();
        assert!(a != b && b != c && a != c);
    }
}
