//! Runs the demo shop on `PAYDESK_HOST:PAYDESK_SHOP_PORT`, talking to the gateway on
//! `PAYDESK_HOST:PAYDESK_GATEWAY_PORT`.

use anyhow::Context;
use paydesk_demo_shop::{Application, Config};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let host = env_or("PAYDESK_HOST", "127.0.0.1");
    let shop_port = port("PAYDESK_SHOP_PORT", 8082)?;
    let gateway_port = port("PAYDESK_GATEWAY_PORT", 8080)?;
    let gateway_url = format!("http://{host}:{gateway_port}");
    let public_url = format!("http://{host}:{shop_port}");
    let config = Config {
        gateway_api_url: gateway_url.clone(),
        gateway_public_url: gateway_url,
        public_url: public_url.clone(),
        secret_key: required("PAYDESK_DEMO_SECRET_KEY")?,
        webhook_secret: required("PAYDESK_DEMO_WEBHOOK_SECRET")?,
    };

    let listener = TcpListener::bind((host.as_str(), shop_port))
        .await
        .with_context(|| format!("could not listen on {host}:{shop_port}"))?;
    let app = Application::build(config, listener).await?;
    tracing::info!("Paydesk Tea House is open at {public_url}");
    app.run_until_stopped(paydesk_shared::shutdown::signal())
        .await
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn port(name: &str, default: u16) -> anyhow::Result<u16> {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .with_context(|| format!("{name} must be a port number, not `{value}`")),
        Err(_) => Ok(default),
    }
}

fn required(name: &str) -> anyhow::Result<String> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => anyhow::bail!("{name} is not set; the demo shop needs the demo merchant's keys"),
    }
}
