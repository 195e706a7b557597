//! `paydesk-gateway`: reads its settings from the environment and serves until
//! Ctrl-C or SIGTERM.

use std::env;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use paydesk_gateway::domain::merchant::SettlementAccount;
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

fn secs_var(name: &str) -> anyhow::Result<Option<Duration>> {
    env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .map(Duration::from_secs)
                .with_context(|| format!("{name} must be a whole number of seconds"))
        })
        .transpose()
}

/// Every `bank*.pub` in the key directory: during a rotation the old and the new key
/// both verify; removing the old file ends the overlap.
fn bank_keys(dir: &Path) -> anyhow::Result<Vec<PublicKey>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("bank") && n.ends_with(".pub"))
        })
        .collect();
    names.sort();
    anyhow::ensure!(
        !names.is_empty(),
        "no bank*.pub in {} (`cargo xtask run` creates the sandbox keys)",
        dir.display()
    );
    names
        .iter()
        .map(|p| PublicKey::from_text(&read_key_file(p)?).with_context(|| p.display().to_string()))
        .collect()
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
    let bank_keys = bank_keys(&keys)?;

    // What the gateway advertises (hosted page, bank return and notification URLs):
    // behind a TLS-terminating proxy, its public https address.
    let public_url = public_url(&var("PAYDESK_PUBLIC_URL", &format!("http://{host}:{port}")))?;
    let mut config = Config::new(
        data_dir.join("gateway.sqlite"),
        public_url.clone(),
        signer,
        bank_keys,
        format!("http://{host}:{bank_port}"),
    );
    config.widget_dir = PathBuf::from(var("PAYDESK_WIDGET_DIR", "frontend/dist"));
    if let Some(ttl) = secs_var("PAYDESK_ORDER_TTL_SECS")? {
        config.order_ttl = ttl;
    }
    if let Ok(path) = env::var("PAYDESK_CONNECTORS") {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
        config.connectors = paydesk_gateway::connectors_file::load(&text, &data_dir)
            .with_context(|| format!("PAYDESK_CONNECTORS {path}"))?;
    }
    config.webhook_allow_private_urls = match env::var("PAYDESK_WEBHOOK_ALLOW_PRIVATE_URLS") {
        Ok(v) => matches!(v.as_str(), "1" | "true" | "yes"),
        Err(_) => false,
    };
    if let Ok(path) = env::var("PAYDESK_WEBHOOK_CA_FILE") {
        config.webhook_ca_pem = Some(
            std::fs::read(&path)
                .with_context(|| format!("PAYDESK_WEBHOOK_CA_FILE: cannot read {path}"))?,
        );
    }
    config.operator_key = env::var("PAYDESK_OPERATOR_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    if let Some(first) = secs_var("PAYDESK_BANK_QUERY_FIRST_SECS")? {
        config.bank_schedule.query_first = first;
    }
    if let Some(max) = secs_var("PAYDESK_BANK_QUERY_MAX_SECS")? {
        config.bank_schedule.query_max = max;
    }
    if let Ok(time) = env::var("PAYDESK_SETTLEMENT_TIME") {
        config.books.settlement_minute = minute_of_day(&time)
            .with_context(|| format!("PAYDESK_SETTLEMENT_TIME {time:?} must be HH:MM (UTC)"))?;
    }
    if let Ok(minimum) = env::var("PAYDESK_PAYOUT_MINIMUM") {
        config.books.payout_minimum = minimum
            .parse::<rust_decimal::Decimal>()
            .ok()
            .filter(|m| !m.is_sign_negative())
            .with_context(|| {
                format!("PAYDESK_PAYOUT_MINIMUM {minimum:?} must be a decimal amount such as 1.00")
            })?;
    }
    if let Some(grace) = secs_var("PAYDESK_RECONCILE_GRACE_SECS")? {
        config.books.reconcile_grace = grace;
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
            // Its account at the sandbox bank, where its payouts can be checked.
            settlement_account: Some(SettlementAccount {
                bank: "ICBC".into(),
                account_number: "6222020000001001".into(),
            }),
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

/// `HH:MM`, 00:00 to 23:59, as minutes after midnight.
fn minute_of_day(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && text.len() == 5).then_some(h * 60 + m)
}

/// `PAYDESK_PUBLIC_URL`: an absolute http(s) URL without path, query or credentials,
/// kept without a trailing slash.
fn public_url(raw: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(raw).with_context(|| format!("PAYDESK_PUBLIC_URL {raw:?}"))?;
    anyhow::ensure!(
        matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some()
            && url.path() == "/"
            && url.query().is_none()
            && url.fragment().is_none()
            && url.username().is_empty()
            && url.password().is_none(),
        "PAYDESK_PUBLIC_URL {raw:?}: an http(s) origin such as https://pay.example.com"
    );
    Ok(url.as_str().trim_end_matches('/').to_owned())
}
