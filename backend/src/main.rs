//! `paydesk-gateway`: reads its settings from flags and the environment (`--help` lists
//! them) and serves until Ctrl-C or SIGTERM.

use anyhow::Context;
use clap::Parser;
use paydesk_gateway::Application;
use paydesk_gateway::settings::{LogFormat, Settings};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::parse();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info"))
        // A serializable COMMIT that PostgreSQL refuses ends the transaction there; sqlx
        // then rolls it back once more and logs the server's "no transaction in
        // progress". The store retries such commits: the notice is noise.
        .add_directive("sqlx::postgres::notice=error".parse()?);
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match settings.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }

    let address = settings.bind_address();
    let config = settings.into_config()?;
    let public_url = config.public_url.clone();
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let app = Application::build(config, listener).await?;
    tracing::info!(url = %public_url, "gateway listening");
    app.run_until_stopped(paydesk_shared::shutdown::signal())
        .await
}
