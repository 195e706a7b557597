//! The gateway under test: the release build on free ports with a temporary data
//! directory, fresh keys and the demo merchant; no bank and no shop run. By default one
//! gateway on whatever store its environment names (an SQLite file in the data
//! directory unless `PAYDESK_DATABASE_URL` says otherwise); a [`Store`] picks one
//! explicitly, PostgreSQL with one or more replicas on a scratch database.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use tempfile::TempDir;

use super::merchant::Merchant;
use crate::process;
use crate::services::{
    DemoMerchant, REPLICA_NAMES, ScratchDatabase, Service, ensure_keys, release_binary,
    wait_until_ready,
};
use crate::supervisor::Supervisor;
use crate::tools::Tools;

const HOST: &str = "127.0.0.1";
/// Without a webhook endpoint the gateway only needs the shop's URL to register the
/// demo merchant's return and webhook URLs. Port 9 (discard) never answers.
const NO_SHOP_URL: &str = "http://127.0.0.1:9";

/// Which store the gateway runs on, and how many replicas of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Store {
    /// As the environment says (the default: an SQLite file in the data directory).
    Inherited,
    Sqlite,
    /// A new database on the local PostgreSQL, dropped afterwards; the load spreads
    /// over the replicas by connection, as a client-side balancer does.
    Postgres {
        replicas: usize,
    },
}

impl Store {
    /// SQLite, then PostgreSQL with 1, 2 … `replicas` replicas.
    pub(crate) fn comparison(replicas: usize) -> Vec<Store> {
        std::iter::once(Store::Sqlite)
            .chain((1..=replicas).map(|replicas| Store::Postgres { replicas }))
            .collect()
    }
}

impl fmt::Display for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Store::Inherited => f.write_str("gateway"),
            Store::Sqlite => f.write_str("SQLite"),
            Store::Postgres { replicas: 1 } => f.write_str("PostgreSQL, 1 replica"),
            Store::Postgres { replicas } => write!(f, "PostgreSQL, {replicas} replicas"),
        }
    }
}

pub(crate) struct BenchGateway {
    /// Removed when the benchmark ends.
    pub(crate) data: TempDir,
    pub(crate) merchant: DemoMerchant,
    /// Where the demo merchant's return and webhook URLs point.
    shop_url: String,
    binary: PathBuf,
    root: PathBuf,
    env: Vec<(OsString, OsString)>,
    ports: Vec<u16>,
    /// Dropped (the database with it) after the replicas stop.
    _database: Option<ScratchDatabase>,
}

impl BenchGateway {
    /// Builds the release gateway and prepares its data directory (and database) for
    /// `store`; starts nothing yet.
    pub(crate) fn build(root: &Path, tools: &Tools, store: Store) -> Result<Self> {
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
        let replicas = match store {
            Store::Postgres { replicas } => replicas,
            Store::Inherited | Store::Sqlite => 1,
        };
        let ports = free_ports(replicas + 2)?;
        let (bank_port, shop_port) = (ports[replicas], ports[replicas + 1]);
        let (database_url, database): (Option<OsString>, _) = match store {
            Store::Inherited => (None, None),
            Store::Sqlite => (Some(data.path().join("gateway.sqlite").into()), None),
            Store::Postgres { .. } => {
                let database = ScratchDatabase::create("bench")?;
                (Some(database.url().into()), Some(database))
            }
        };
        let mut gateway = BenchGateway {
            binary: release_binary(root, "paydesk-gateway"),
            root: root.to_owned(),
            env: Vec::new(),
            ports: ports[..replicas].to_vec(),
            _database: database,
            data,
            merchant,
            shop_url: NO_SHOP_URL.to_owned(),
        };
        let data_dir = gateway.data.path().to_owned();
        gateway
            .env("PAYDESK_HOST", HOST)
            .env("PAYDESK_BANK_PORT", bank_port.to_string())
            .env("PAYDESK_SHOP_PORT", shop_port.to_string())
            .env("PAYDESK_DEMO_SHOP_URL", NO_SHOP_URL)
            .env("PAYDESK_DATA_DIR", &data_dir)
            .env("PAYDESK_WIDGET_DIR", data_dir.join("no-widget"))
            .env("RUST_LOG", "warn")
            // The load is one client playing thousands of shoppers and a bank: the
            // limits on public routes would measure themselves.
            .env("PAYDESK_RATE_LIMIT_CLIENT", "0")
            .env("PAYDESK_RATE_LIMIT_BANK", "0");
        if let Some(url) = database_url {
            gateway.env("PAYDESK_DATABASE_URL", url);
        }
        let merchant_env: Vec<(&str, String)> = (gateway.merchant.env().into_iter())
            .map(|(name, value)| (name, value.to_owned()))
            .collect();
        for (name, value) in merchant_env {
            gateway.env(name, value);
        }
        Ok(gateway)
    }

    /// One more variable in the gateway's environment (a later value wins).
    pub(crate) fn env(&mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        self.env
            .push((name.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// The demo merchant's shop, and so its webhook endpoint, at `shop_url` on this
    /// machine (which the gateway is then allowed to send to).
    pub(crate) fn shop_at(&mut self, shop_url: &str) -> &mut Self {
        self.shop_url = shop_url.to_owned();
        self.env("PAYDESK_DEMO_SHOP_URL", shop_url)
            .env("PAYDESK_WEBHOOK_ALLOW_PRIVATE_URLS", "1")
    }

    /// The demo merchant's API as the benchmark calls it.
    pub(crate) fn merchant_api(&self) -> Merchant {
        Merchant::new(&self.merchant.secret_key, &self.shop_url)
    }

    /// Starts the gateway (each replica), waits until it is healthy, runs `work`
    /// against its addresses and stops it, whether `work` succeeded or not.
    pub(crate) fn run(self, work: impl AsyncFnOnce(&[SocketAddr]) -> Result<()>) -> Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("could not start the async runtime")?;
        let services: Vec<Service> = self
            .ports
            .iter()
            .zip(REPLICA_NAMES)
            .map(|(&port, name)| Service {
                name: if self.ports.len() == 1 {
                    "gateway"
                } else {
                    name
                },
                binary: "paydesk-gateway",
                port,
            })
            .collect();
        let addrs: Vec<SocketAddr> = self
            .ports
            .iter()
            .map(|&port| SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .collect();
        runtime.block_on(async {
            let mut supervisor = Supervisor::new();
            let result = async {
                for service in &services {
                    let mut command = Command::new(&self.binary);
                    command
                        .current_dir(&self.root)
                        .envs(self.env.iter().map(|(k, v)| (k, v)))
                        .env("PAYDESK_GATEWAY_PORT", service.port.to_string());
                    supervisor.spawn(service.name, &mut command)?;
                }
                let all: Vec<&Service> = services.iter().collect();
                wait_until_ready(&mut supervisor, HOST, &all).await?;
                work(&addrs).await
            }
            .await;
            supervisor.stop_all().await;
            result
        })
    }
}

/// `count` ports nothing listens on right now; held open together so they differ.
fn free_ports(count: usize) -> Result<Vec<u16>> {
    let listeners: Vec<_> = (0..count)
        .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))
        .collect();
    listeners
        .into_iter()
        .map(|listener| {
            Ok(listener
                .and_then(|l| l.local_addr())
                .context("could not find a free port")?
                .port())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_differ() {
        let ports = free_ports(5).unwrap();
        let distinct: std::collections::HashSet<_> = ports.iter().collect();
        assert_eq!((ports.len(), distinct.len()), (5, 5));
    }

    #[test]
    fn a_comparison_is_sqlite_then_each_replica_count() {
        let stores: Vec<String> = Store::comparison(3)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            stores,
            [
                "SQLite",
                "PostgreSQL, 1 replica",
                "PostgreSQL, 2 replicas",
                "PostgreSQL, 3 replicas"
            ]
        );
    }
}
