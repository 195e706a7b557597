//! `cargo xtask bench-orders`: order creation throughput and latency against the release
//! gateway, next to `GET /health` on the same server as the baseline for what the
//! machine and the HTTP stack can do at all.
//!
//! Also the pieces every gateway benchmark shares: the gateway under test, load on
//! kept-alive connections, and integer statistics.

use std::ffi::OsStr;
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
use tempfile::TempDir;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::http::{self, Connection};
use crate::process;
use crate::services::{DemoMerchant, Service, ensure_keys, release_binary, wait_until_ready};
use crate::supervisor::Supervisor;
use crate::tools::{self, Browser, Tools};

pub(crate) const CONNECTIONS: usize = 64;
const WARM_UP: Duration = Duration::from_secs(2);
const DEFAULT_SECONDS: u64 = 10;
const HOST: &str = "127.0.0.1";
/// No shop runs during a benchmark; the gateway only needs the URL to register the
/// demo merchant's return and webhook URLs. Port 9 (discard) never answers.
const SHOP_URL: &str = "http://127.0.0.1:9";

pub(crate) fn orders(root: &Path, args: &[String]) -> Result<()> {
    let seconds = parse_count(args, "--seconds", DEFAULT_SECONDS, "bench-orders")?;
    let duration = Duration::from_secs(seconds);
    let tools = Tools::locate()?;
    tools::setup(&tools, root, Browser::Skip)?;
    let gateway = BenchGateway::build(root, &tools)?;
    let merchant = gateway.merchant.clone();
    gateway.run(async |addr| measure(addr, &merchant, duration).await)
}

/// The release gateway on free ports with a temporary data directory, fresh keys and
/// the demo merchant; no bank and no shop run.
pub(crate) struct BenchGateway {
    /// Removed when the benchmark ends.
    pub(crate) data: TempDir,
    pub(crate) merchant: DemoMerchant,
    service: Service,
    command: Command,
}

impl BenchGateway {
    /// Builds the release gateway and prepares its data directory; starts nothing yet.
    pub(crate) fn build(root: &Path, tools: &Tools) -> Result<Self> {
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
        let service = Service {
            name: "gateway",
            binary: "paydesk-gateway",
            port: gateway_port,
        };
        let mut command = Command::new(release_binary(root, service.binary));
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
        Ok(BenchGateway {
            data,
            merchant,
            service,
            command,
        })
    }

    /// One more variable in the gateway's environment.
    pub(crate) fn env(&mut self, name: &str, value: impl AsRef<OsStr>) -> &mut Self {
        self.command.env(name, value);
        self
    }

    /// Starts the gateway, waits until it is healthy, runs `work` against its address
    /// and stops it, whether `work` succeeded or not.
    pub(crate) fn run(mut self, work: impl AsyncFnOnce(SocketAddr) -> Result<()>) -> Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("could not start the async runtime")?;
        runtime.block_on(async {
            let mut supervisor = Supervisor::new();
            supervisor.spawn(self.service.name, &mut self.command)?;
            let result = async {
                wait_until_ready(&mut supervisor, HOST, &[&self.service]).await?;
                work(SocketAddr::from((Ipv4Addr::LOCALHOST, self.service.port))).await
            }
            .await;
            supervisor.stop_all().await;
            result
        })
    }
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
    let warm_up = drive_for(addr, &orders, WARM_UP).await?;
    println!(
        "measuring: {}s of POST /v1/orders, then {}s of GET /health",
        duration.as_secs(),
        duration.as_secs()
    );
    let created = drive_for(addr, &orders, duration).await?;
    let health = drive_for(addr, &Target::Health, duration).await?;

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
            Target::Orders(context) => order_request(
                addr,
                &context.authorization,
                &format!("bench-{}-{worker}-{seq}", context.run_id),
            ),
        }
    }
}

/// `POST /v1/orders` with [`order_body`]; `key` is both the Idempotency-Key and the
/// merchant's reference, so it must be unique per order.
pub(crate) fn order_request(
    addr: SocketAddr,
    authorization: &str,
    key: &str,
) -> Result<Request<Full<Bytes>>> {
    Ok(Request::post("/v1/orders")
        .header(header::HOST, addr.to_string())
        .header(header::AUTHORIZATION, authorization)
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", key)
        .body(Full::new(Bytes::from(order_body(key)?)))?)
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
        expires_in: None,
    };
    Ok(serde_json::to_vec(&order)?)
}

/// What one phase saw: every successful request's latency, and what went wrong.
#[derive(Debug, Default)]
pub(crate) struct Phase {
    pub(crate) elapsed: Duration,
    pub(crate) latencies_us: Vec<u64>,
    pub(crate) non_2xx: u64,
    pub(crate) errors: u64,
    pub(crate) first_failure: Option<String>,
}

impl Phase {
    pub(crate) fn failures(&self) -> u64 {
        self.non_2xx + self.errors
    }

    pub(crate) fn requests(&self) -> u64 {
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
    pub(crate) fn rate_tenths(&self) -> u128 {
        per_second_tenths(self.requests(), self.elapsed)
    }

    /// Latency at percentile `p` (0–100) of successful requests, in microseconds.
    pub(crate) fn percentile_us(&self, p: usize) -> u64 {
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        match sorted.len() {
            0 => 0,
            n => sorted[(n - 1) * p / 100],
        }
    }
}

/// What one load-generating connection sends, and what it keeps of the answers.
pub(crate) trait Load: Send + 'static {
    /// The next request, or `None` when this connection is done.
    fn next_request(&mut self, addr: SocketAddr) -> Option<Result<Request<Full<Bytes>>>>;

    /// The body of a 2xx answer to the last request; an error counts that request as
    /// failed.
    fn answered(&mut self, body: &Bytes) -> Result<()>;
}

/// One connection of `bench-orders`: `target` until `deadline`.
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
async fn drive_for(addr: SocketAddr, target: &Target, duration: Duration) -> Result<Phase> {
    let deadline = Instant::now() + duration;
    let loads = (0..CONNECTIONS).map(|worker| Timed {
        target: target.clone(),
        deadline,
        worker,
        seq: 0,
    });
    Ok(drive(addr, loads).await?.0)
}

/// Runs one kept-alive connection per load, each sending its next request as soon as
/// the previous answer is read, until every load is done; gives the loads back.
pub(crate) async fn drive<L: Load>(
    addr: SocketAddr,
    loads: impl IntoIterator<Item = L>,
) -> Result<(Phase, Vec<L>)> {
    let started = Instant::now();
    let mut workers = JoinSet::new();
    for load in loads {
        workers.spawn(connection_loop(addr, load));
    }
    let mut phase = Phase::default();
    let mut finished = Vec::with_capacity(workers.len());
    while let Some(done) = workers.join_next().await {
        let (part, load) = done.context("a load-generating task panicked")?;
        phase.merge(part);
        finished.push(load);
    }
    phase.elapsed = started.elapsed();
    Ok((phase, finished))
}

async fn connection_loop<L: Load>(addr: SocketAddr, mut load: L) -> (Phase, L) {
    let mut phase = Phase::default();
    let mut kept: Option<Connection> = None;
    while let Some(request) = load.next_request(addr) {
        let request = match request {
            Ok(request) => request,
            Err(error) => {
                phase.errors += 1;
                phase.note_failure(|| format!("could not build a request: {error:#}"));
                break;
            }
        };
        let mut open = match ready_connection(addr, kept.take()).await {
            Ok(open) => open,
            Err(error) => {
                phase.errors += 1;
                phase.note_failure(|| format!("{error:#}"));
                break;
            }
        };
        let sent = Instant::now();
        match exchange(&mut open, request).await {
            Ok((status, body)) if status.is_success() => {
                let latency = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
                kept = Some(open);
                match load.answered(&body) {
                    Ok(()) => phase.latencies_us.push(latency),
                    Err(error) => {
                        phase.errors += 1;
                        phase.note_failure(|| format!("unexpected {status} answer: {error:#}"));
                    }
                }
            }
            Ok((status, body)) => {
                phase.non_2xx += 1;
                phase.note_failure(|| {
                    let body = String::from_utf8_lossy(&body);
                    format!("{status}: {}", body.chars().take(300).collect::<String>())
                });
                kept = Some(open);
            }
            Err(error) => {
                phase.errors += 1;
                phase.note_failure(|| format!("{error:#}"));
            }
        }
    }
    (phase, load)
}

/// `kept` if the server still holds it open, else a new connection.
pub(crate) async fn ready_connection(
    addr: SocketAddr,
    kept: Option<Connection>,
) -> Result<Connection> {
    if let Some(mut open) = kept {
        // A kept-alive connection the server closed while idle is no failed request.
        if open.ready().await.is_ok() {
            return Ok(open);
        }
    }
    let mut open = http::connect(addr).await?;
    open.ready()
        .await
        .context("the server closed a new connection")?;
    Ok(open)
}

pub(crate) async fn exchange(
    connection: &mut Connection,
    request: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes)> {
    let response = connection.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

fn report(orders: &Phase, health: &Phase) -> String {
    let mut out = table(&[("POST /v1/orders", orders), ("GET /health", health)]);
    let ratio = (orders.rate_tenths() * 1000)
        .checked_div(health.rate_tenths())
        .map_or_else(|| "n/a".to_owned(), thousandths);
    out += &format!("{CONNECTIONS} connections; orders/s ÷ health/s = {ratio}");
    out
}

/// One line per phase: rate, latency percentiles and failures.
pub(crate) fn table(rows: &[(&str, &Phase)]) -> String {
    let width = rows
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0)
        .max("endpoint".len());
    let line = |cells: [&str; 9]| {
        let [name, numbers @ ..] = cells;
        let mut line = format!("{name:<width$}");
        for (cell, cell_width) in numbers.iter().zip([10, 10, 10, 10, 10, 9, 8, 10]) {
            line += &format!(" {cell:>cell_width$}");
        }
        line + "\n"
    };
    let mut out = line([
        "endpoint", "req/s", "p50", "p90", "p99", "max", "non-2xx", "errors", "requests",
    ]);
    for (name, phase) in rows {
        out += &line([
            name,
            &tenths(phase.rate_tenths()),
            &millis(phase.percentile_us(50)),
            &millis(phase.percentile_us(90)),
            &millis(phase.percentile_us(99)),
            &millis(phase.latencies_us.iter().copied().max().unwrap_or(0)),
            &phase.non_2xx.to_string(),
            &phase.errors.to_string(),
            &phase.requests().to_string(),
        ]);
    }
    out
}

/// `count` events in `elapsed`, per second, in tenths.
pub(crate) fn per_second_tenths(count: u64, elapsed: Duration) -> u128 {
    u128::from(count) * 10_000_000 / elapsed.as_micros().max(1)
}

pub(crate) fn tenths(value: u128) -> String {
    format!("{}.{}", value / 10, value % 10)
}

fn thousandths(value: u128) -> String {
    format!("{}.{:03}", value / 1000, value % 1000)
}

pub(crate) fn millis(micros: u64) -> String {
    format!("{}.{:02} ms", micros / 1000, micros % 1000 / 10)
}

/// A command's only option, `flag N` or `flag=N` with N a positive whole number;
/// `default` without it.
pub(crate) fn parse_count(args: &[String], flag: &str, default: u64, command: &str) -> Result<u64> {
    let mut count = default;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix(flag) {
            Some("") => args
                .next()
                .with_context(|| format!("{flag} needs a value"))?
                .as_str(),
            Some(rest) if rest.starts_with('=') => &rest[1..],
            _ => bail!("unknown argument `{arg}` ({command} takes `{flag} N`)"),
        };
        count = value
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .with_context(|| format!("{flag} `{value}` is not a positive whole number"))?;
    }
    Ok(count)
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

/// Eight random characters that keep keys and references unique across runs.
pub(crate) fn random_id() -> String {
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
        let parse_seconds = |list: &[&str]| parse_count(&args(list), "--seconds", 10, "bench");
        assert_eq!(parse_seconds(&[]).unwrap(), 10);
        assert_eq!(parse_seconds(&["--seconds", "3"]).unwrap(), 3);
        assert_eq!(parse_seconds(&["--seconds=30"]).unwrap(), 30);
        assert!(parse_seconds(&["--seconds", "0"]).is_err());
        assert!(parse_seconds(&["--seconds"]).is_err());
        assert!(parse_seconds(&["--seconds", "-1"]).is_err());
        let unknown = parse_seconds(&["--fast"]).unwrap_err().to_string();
        assert!(unknown.contains("bench takes `--seconds N`"), "{unknown}");
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
        assert_eq!(
            tenths(per_second_tenths(10_000, Duration::from_millis(4_210))),
            "2375.2"
        );
        let report = report(&phase, &phase);
        assert!(report.contains("orders/s ÷ health/s = 1.000"), "{report}");
    }

    #[test]
    fn the_table_widens_for_long_names() {
        let phase = Phase {
            elapsed: Duration::from_secs(1),
            latencies_us: vec![1_000, 2_000],
            ..Phase::default()
        };
        let table = table(&[("POST /v1/bank/notifications/sandbox", &phase)]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("endpoint   "), "{table}");
        assert!(lines[0].contains("p90"), "{table}");
        assert_eq!(
            lines[0].chars().count(),
            lines[1].chars().count(),
            "{table}"
        );
        assert!(lines[1].starts_with("POST /v1/bank/notifications/sandbox "));
        assert!(lines[1].trim_end().ends_with(" 2"), "{table}");
    }

    #[test]
    fn free_ports_differ() {
        let [a, b, c] = free_ports().unwrap();
        assert!(a != b && b != c && a != c);
    }
}
