//! `paydesk-gateway`: reads its settings from the environment and serves until
//! Ctrl-C or SIGTERM.

use std::env;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use paydesk_gateway::{Application, Config, MerchantSeed};
use paydesk_shared::signing::{PublicKey, Signer};
use tracing_subscriber::EnvFilter;

fn var(name: &str, default: &str) -> String {
    env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn read_key_file(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read {} (`cargo xtask run` creates the sandbox keys)",
            path.display()
        )
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let host = var("PAYDESK_HOST", "127.0.0.1");
    let port = var("PAYDESK_GATEWAY_PORT", "8080");
    let bank_port = var("PAYDESK_BANK_PORT", "8081");
    let shop_port = var("PAYDESK_SHOP_PORT", "8082");
    let data_dir = PathBuf::from(var("PAYDESK_DATA_DIR", "data"));
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let keys = data_dir.join("keys");
    let signer =
        Signer::from_text(&read_key_file(&keys.join("gateway.key"))?).context("gateway.key")?;
    let bank_key =
        PublicKey::from_text(&read_key_file(&keys.join("bank.pub"))?).context("bank.pub")?;

    let public_url = format!("http://{host}:{port}");
    let mut config = Config::new(
        data_dir.join("gateway.sqlite"),
        public_url.clone(),
        signer,
        vec![bank_key],
        format!("http://{host}:{bank_port}"),
    );
    config.widget_dir = PathBuf::from(var("PAYDESK_WIDGET_DIR", "frontend/dist"));
    if let Ok(secs) = env::var("PAYDESK_ORDER_TTL_SECS") {
        config.order_ttl = Duration::from_secs(secs.parse().context("PAYDESK_ORDER_TTL_SECS")?);
    }
    if let Ok(secret_key) = env::var("PAYDESK_DEMO_SECRET_KEY") {
        let shop = var(
            "PAYDESK_DEMO_SHOP_URL",
            &format!("http://{host}:{shop_port}"),
        );
        config.merchants.push(MerchantSeed {
            id: "mer_demo".into(),
            name: "Paydesk Tea House".into(),
            secret_key,
            webhook_url: Some(format!("{shop}/webhooks/paydesk")),
            webhook_secret: env::var("PAYDESK_DEMO_WEBHOOK_SECRET")
                .context("PAYDESK_DEMO_WEBHOOK_SECRET must be set with PAYDESK_DEMO_SECRET_KEY")?,
            return_urls: vec![format!("{shop}/checkout/complete")],
        });
    }

    let listener = tokio::net::TcpListener::bind(format!("{host}:{port}"))
        .await
        .with_context(|| format!("cannot listen on {host}:{port}"))?;
    let app = Application::build(config, listener).await?;
    tracing::info!(url = %public_url, "gateway listening");
    app.run_until_stopped(paydesk_shared::shutdown::signal())
        .await
}
