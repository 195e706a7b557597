//! `cargo xtask run`: gateway, sandbox bank and demo shop on this machine, ready to
//! click through, until Ctrl-C.

mod cluster;
mod demo_merchant;
mod keys;
mod operator_key;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tokio::signal::unix::{SignalKind, signal};

pub(crate) use cluster::{Layout, REPLICA_NAMES, ScratchDatabase};
pub(crate) use demo_merchant::DemoMerchant;
pub(crate) use keys::ensure_keys;
pub(crate) use operator_key::{OPERATOR_KEY_VAR, OperatorKey, random_operator_key};

use crate::supervisor::{Exit, Supervisor};
use crate::tools::{self, SystemPackages, Tools};
use crate::{http, process, widget};

/// How often readiness is probed, and how long all three services get to come up.
const READY_POLL_INTERVAL: Duration = Duration::from_millis(100);
const READY_TIMEOUT: Duration = Duration::from_secs(60);

const SANDBOX_CARDS: &str = "\
Sandbox test cards (valid at every bank, payment password 123456):
  6222 0000 0000 0001  debit   100000.00 (JPY/KRW 10000000)
  6222 0000 0000 0002  debit   10.00 (JPY/KRW 1000): insufficient funds
  6250 0000 0000 0003  credit  50000.00 (JPY/KRW 5000000)";

/// One of the three servers: its package, its binary and where it listens.
#[derive(Debug, Clone)]
pub(crate) struct Service {
    pub(crate) name: &'static str,
    pub(crate) binary: &'static str,
    pub(crate) port: u16,
}

impl Service {
    pub(crate) fn url(&self, host: &str) -> String {
        format!("http://{host}:{}", self.port)
    }
}

/// What `run` reads from the environment, with the documented defaults.
#[derive(Debug, Clone)]
struct Settings {
    host: String,
    gateway: Service,
    bank: Service,
    shop: Service,
    rust_log: String,
    data_dir: PathBuf,
}

impl Settings {
    fn from_env(root: &Path) -> Result<Self> {
        let data_dir = PathBuf::from(env_or("PAYDESK_DATA_DIR", "data"));
        Ok(Settings {
            host: env_or("PAYDESK_HOST", "127.0.0.1"),
            gateway: Service {
                name: "gateway",
                binary: "paydesk-gateway",
                port: port_from_env("PAYDESK_GATEWAY_PORT", 8080)?,
            },
            bank: Service {
                name: "sandbox bank",
                binary: "paydesk-sandbox-bank",
                port: port_from_env("PAYDESK_BANK_PORT", 8081)?,
            },
            shop: Service {
                name: "demo shop",
                binary: "paydesk-demo-shop",
                port: port_from_env("PAYDESK_SHOP_PORT", 8082)?,
            },
            rust_log: env_or("RUST_LOG", "info"),
            data_dir: root.join(data_dir),
        })
    }

    fn services(&self) -> [&Service; 3] {
        [&self.gateway, &self.bank, &self.shop]
    }

    /// The environment every service gets, so their URLs point at each other.
    fn env(&self, root: &Path, merchant: &DemoMerchant) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("PAYDESK_HOST", self.host.clone()),
            ("PAYDESK_GATEWAY_PORT", self.gateway.port.to_string()),
            ("PAYDESK_BANK_PORT", self.bank.port.to_string()),
            ("PAYDESK_SHOP_PORT", self.shop.port.to_string()),
            ("PAYDESK_DATA_DIR", self.data_dir.display().to_string()),
            (
                "PAYDESK_WIDGET_DIR",
                widget::dist_dir(root).display().to_string(),
            ),
            ("RUST_LOG", self.rust_log.clone()),
            // The demo shop receives its webhooks on this machine.
            ("PAYDESK_WEBHOOK_ALLOW_PRIVATE_URLS", "1".to_owned()),
        ];
        env.extend(merchant.env().map(|(k, v)| (k, v.to_owned())));
        env
    }
}

pub(crate) fn run(root: &Path, layout: Layout) -> Result<()> {
    let tools = Tools::locate()?;
    tools::setup(&tools, root, SystemPackages::Skip)?;
    let database = layout.postgres.then(cluster::database_url).transpose()?;
    if layout.replicas > 1 {
        cluster::ensure_haproxy()?;
    }
    widget::build(root, &tools)?;
    let settings = Settings::from_env(root)?;
    let mut build = tools.cargo();
    build.current_dir(root).args(["build", "--release"]);
    for service in settings.services() {
        build.args(["-p", service.binary]);
    }
    process::run(&mut build)?;

    ensure_keys(&settings.data_dir)?;
    let merchant = DemoMerchant::load_or_create(&settings.data_dir)?;
    let operator = OperatorKey::load_or_create(&settings.data_dir)?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let gateways = Gateways {
        layout,
        database: database.as_deref(),
    };
    runtime.block_on(supervise(root, &settings, &merchant, &operator, gateways))
}

/// How the gateway runs: on which database, as how many replicas.
struct Gateways<'a> {
    layout: Layout,
    database: Option<&'a str>,
}

async fn supervise(
    root: &Path,
    settings: &Settings,
    merchant: &DemoMerchant,
    operator: &OperatorKey,
    gateways: Gateways<'_>,
) -> Result<()> {
    // Listening before any child starts: from here on Ctrl-C stops the children
    // instead of killing the task runner and leaving them orphaned.
    let shutdown = shutdown_requested()?;
    tokio::pin!(shutdown);

    let mut supervisor = Supervisor::new();
    let env = settings.env(root, merchant);
    let mut services = Vec::new();
    for service in [&settings.bank, &settings.shop] {
        let mut command = Command::new(release_binary(root, service.binary));
        command
            .current_dir(root)
            .envs(env.iter().map(|(k, v)| (k, v)));
        supervisor.spawn(service.name, &mut command)?;
        services.push(service.clone());
    }
    let replicated = gateways.layout.replicas > 1;
    let ports: Vec<u16> = if replicated {
        (0..gateways.layout.replicas)
            .map(|i| Layout::replica_port(settings.gateway.port, i))
            .collect()
    } else {
        vec![settings.gateway.port]
    };
    for (i, port) in ports.iter().enumerate() {
        let mut command = Command::new(release_binary(root, settings.gateway.binary));
        command
            .current_dir(root)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("PAYDESK_GATEWAY_PORT", port.to_string());
        // Only the gateway serves the operator API; the others never see its key.
        let (name, key) = operator.env();
        command.env(name, key);
        if let Some(url) = gateways.database {
            command.env("PAYDESK_DATABASE_URL", url);
        }
        let mut service = Service {
            port: *port,
            ..settings.gateway.clone()
        };
        if replicated {
            service.name = cluster::REPLICA_NAMES[i];
            // Every replica advertises the load balancer, and trusts the client
            // address it forwards (rate limits are per client).
            if std::env::var_os("PAYDESK_PUBLIC_URL").is_none() {
                command.env("PAYDESK_PUBLIC_URL", settings.gateway.url(&settings.host));
            }
            command.env("PAYDESK_TRUST_FORWARDED_FOR", "1");
        }
        supervisor.spawn(service.name, &mut command)?;
        services.push(service);
    }
    if replicated {
        let mut balancer = cluster::haproxy(
            &settings.data_dir,
            &settings.host,
            settings.gateway.port,
            &ports,
        )?;
        supervisor.spawn("load balancer", &mut balancer)?;
        services.push(Service {
            name: "load balancer",
            ..settings.gateway.clone()
        });
    }

    let services: Vec<&Service> = services.iter().collect();
    let ready = tokio::select! {
        biased;
        () = &mut shutdown => None,
        ready = wait_until_ready(&mut supervisor, &settings.host, &services) => Some(ready),
    };
    match ready {
        None => return stop(&mut supervisor).await,
        Some(Err(error)) => {
            supervisor.stop_all().await;
            return Err(error);
        }
        Some(Ok(())) => print_banner(settings, merchant, operator),
    }

    let exit = tokio::select! {
        biased;
        () = &mut shutdown => None,
        exit = supervisor.next_exit() => Some(exit),
    };
    match exit {
        None => stop(&mut supervisor).await,
        Some(exit) => {
            supervisor.stop_all().await;
            bail!(
                "{} exited unexpectedly ({}); stopped the others",
                exit.name,
                exit.describe()
            )
        }
    }
}

async fn stop(supervisor: &mut Supervisor) -> Result<()> {
    println!("\nstopping…");
    supervisor.stop_all().await;
    println!("stopped.");
    Ok(())
}

/// Polls each service's `GET /health` until it answers, failing early if a child
/// exits and late if the deadline passes. Readiness only: the tests live elsewhere.
pub(crate) async fn wait_until_ready(
    supervisor: &mut Supervisor,
    host: &str,
    services: &[&Service],
) -> Result<()> {
    let deadline = Instant::now() + READY_TIMEOUT;
    for service in services {
        let addr = probe_addr(host, service.port)?;
        while !http::is_healthy(addr).await {
            if Instant::now() >= deadline {
                bail!(
                    "{} did not answer GET /health at {} within {}s",
                    service.name,
                    service.url(host),
                    READY_TIMEOUT.as_secs()
                );
            }
            tokio::select! {
                exit = supervisor.next_exit() => return Err(exited_early(&exit)),
                () = tokio::time::sleep(READY_POLL_INTERVAL) => {}
            }
        }
        println!("✓ {} ready at {}", service.name, service.url(host));
    }
    Ok(())
}

fn exited_early(exit: &Exit) -> anyhow::Error {
    anyhow::anyhow!(
        "{} exited before it was ready ({})",
        exit.name,
        exit.describe()
    )
}

/// Where to probe a server listening on `host`; a wildcard bind answers on loopback.
fn probe_addr(host: &str, port: u16) -> Result<SocketAddr> {
    let addr = (host, port)
        .to_socket_addrs()
        .with_context(|| format!("PAYDESK_HOST `{host}` does not resolve"))?
        .next()
        .with_context(|| format!("PAYDESK_HOST `{host}` resolves to no address"))?;
    Ok(if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    } else {
        addr
    })
}

/// Ctrl-C or SIGTERM, whichever comes first. The handlers are installed on the call,
/// not on the first poll.
fn shutdown_requested() -> Result<impl Future<Output = ()>> {
    let listen = |kind| signal(kind).context("could not listen for Ctrl-C / SIGTERM");
    let mut interrupt = listen(SignalKind::interrupt())?;
    let mut terminate = listen(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// `target/release/<binary>`, honouring `CARGO_TARGET_DIR`.
pub(crate) fn release_binary(root: &Path, binary: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), |dir| root.join(dir));
    target.join("release").join(binary)
}

fn print_banner(settings: &Settings, merchant: &DemoMerchant, operator: &OperatorKey) {
    let host = &settings.host;
    let mut lines = vec![
        "Paydesk is running".to_owned(),
        String::new(),
        format!("Open the demo shop:  {}", settings.shop.url(host)),
        format!("Gateway:             {}", settings.gateway.url(host)),
        format!("Sandbox bank:        {}", settings.bank.url(host)),
        String::new(),
        format!("Secret key:          {}", merchant.secret_key),
        format!("Webhook secret:      {}", merchant.webhook_secret),
        format!("Operator key:        {}", operator.location()),
        String::new(),
    ];
    lines.extend(SANDBOX_CARDS.lines().map(str::to_owned));
    lines.extend([String::new(), "Ctrl-C stops everything.".to_owned()]);
    println!("\n{}", boxed(&lines));
}

fn boxed(lines: &[String]) -> String {
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let rule = "─".repeat(width + 2);
    let mut out = format!("┌{rule}┐\n");
    for line in lines {
        let pad = width - line.chars().count();
        out += &format!("│ {line}{} │\n", " ".repeat(pad));
    }
    out += &format!("└{rule}┘");
    out
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn port_from_env(name: &str, default: u16) -> Result<u16> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => value
            .trim()
            .parse()
            .with_context(|| format!("{name}=`{value}` is not a port number")),
        _ => Ok(default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_align_wide_characters_by_char() {
        let text = boxed(&["ab".to_owned(), "✓ c".to_owned()]);
        assert_eq!(text, "┌─────┐\n│ ab  │\n│ ✓ c │\n└─────┘");
    }

    #[test]
    fn wildcard_hosts_are_probed_on_loopback() {
        assert_eq!(
            probe_addr("0.0.0.0", 80).unwrap(),
            "127.0.0.1:80".parse().unwrap()
        );
        assert_eq!(
            probe_addr("127.0.0.1", 81).unwrap(),
            "127.0.0.1:81".parse().unwrap()
        );
    }
}
