//! The gateway under test: the release build on free ports with a temporary data
//! directory, fresh keys and the demo merchant; no bank and no shop run.

use std::ffi::OsStr;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use tempfile::TempDir;

use super::merchant::Merchant;
use crate::process;
use crate::services::{DemoMerchant, Service, ensure_keys, release_binary, wait_until_ready};
use crate::supervisor::Supervisor;
use crate::tools::Tools;

const HOST: &str = "127.0.0.1";
/// Without a webhook endpoint the gateway only needs the shop's URL to register the
/// demo merchant's return and webhook URLs. Port 9 (discard) never answers.
const NO_SHOP_URL: &str = "http://127.0.0.1:9";

pub(crate) struct BenchGateway {
    /// Removed when the benchmark ends.
    pub(crate) data: TempDir,
    pub(crate) merchant: DemoMerchant,
    /// Where the demo merchant's return and webhook URLs point.
    shop_url: String,
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
            .env("PAYDESK_DEMO_SHOP_URL", NO_SHOP_URL)
            .env("PAYDESK_DATA_DIR", data.path())
            .env("PAYDESK_WIDGET_DIR", data.path().join("no-widget"))
            .env("RUST_LOG", "warn")
            // The load is one client playing thousands of shoppers and a bank: the
            // limits on public routes would measure themselves.
            .env("PAYDESK_RATE_LIMIT_CLIENT", "0")
            .env("PAYDESK_RATE_LIMIT_BANK", "0")
            .envs(merchant.env());
        Ok(BenchGateway {
            data,
            merchant,
            shop_url: NO_SHOP_URL.to_owned(),
            service,
            command,
        })
    }

    /// One more variable in the gateway's environment.
    pub(crate) fn env(&mut self, name: &str, value: impl AsRef<OsStr>) -> &mut Self {
        self.command.env(name, value);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_differ() {
        let [a, b, c] = free_ports().unwrap();
        assert!(a != b && b != c && a != c);
    }
}
