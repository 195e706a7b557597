//! The sandbox bank binary: configuration from the environment, keys and the books
//! (`bank.sqlite`) in the data directory, then serve until SIGINT or SIGTERM.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use paydesk_sandbox_bank::{Application, Config, Faults};
use paydesk_shared::signing::{PublicKey, Signer};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One readable line with its causes, not a backtrace.
            eprintln!("sandbox bank: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let host = env_or("PAYDESK_HOST", "127.0.0.1");
    let port: u16 = env_or("PAYDESK_BANK_PORT", "8081")
        .parse()
        .context("PAYDESK_BANK_PORT must be a port number")?;
    let data_dir = PathBuf::from(env_or("PAYDESK_DATA_DIR", "data"));
    let keys = data_dir.join("keys");

    let signer = Signer::from_text(&read_key_file(&keys.join("bank.key"))?)
        .with_context(|| format!("{} is not a key", keys.join("bank.key").display()))?;
    let gateway = PublicKey::from_text(&read_key_file(&keys.join("gateway.pub"))?)
        .with_context(|| format!("{} is not a key", keys.join("gateway.pub").display()))?;

    let public_url = format!("http://{host}:{port}");
    let listener = TcpListener::bind((host.as_str(), port))
        .await
        .with_context(|| format!("cannot listen on {host}:{port}"))?;
    let config = Config {
        signer,
        gateway_keys: vec![gateway],
        public_url: public_url.clone(),
        database_path: data_dir.join("bank.sqlite"),
        faults: faults_from_env()?,
    };
    let app = Application::build(config, listener).await?;
    tracing::info!(url = %public_url, "sandbox bank listening");
    app.run_until_stopped(paydesk_shared::shutdown::signal())
        .await?;
    tracing::info!("sandbox bank stopped");
    Ok(())
}

/// `PAYDESK_BANK_FAULTS`: the faults to play from the start, as the JSON
/// `PUT /sandbox/faults` takes; none when unset.
fn faults_from_env() -> anyhow::Result<Faults> {
    match std::env::var("PAYDESK_BANK_FAULTS") {
        Ok(json) if !json.trim().is_empty() => {
            let faults = Faults::from_json(json.as_bytes())
                .context("PAYDESK_BANK_FAULTS is not valid fault JSON")?;
            tracing::warn!(?faults, "playing sandbox faults from PAYDESK_BANK_FAULTS");
            Ok(faults)
        }
        _ => Ok(Faults::default()),
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn read_key_file(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read key file {}: create the keys first (the task runner does)",
            path.display()
        )
    })
}
