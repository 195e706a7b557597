use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use paydesk_gateway::MerchantSeed;
use paydesk_shared::signing::Signer;
use tokio::net::TcpListener;

pub(crate) const SECRET_KEY: &str = "sk_test_e2e_0123456789abcdefghij";
pub(crate) const WEBHOOK_SECRET: &str = "whsec_e2e_0123456789abcdefghij";

/// What may differ between stacks: tests of expiry want orders that expire in seconds,
/// tests of a broken widget another copy of its files.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// How long a new order stays payable.
    pub order_ttl: Duration,
    /// The widget files the gateway serves; `None` for the built widget.
    pub widget_dir: Option<PathBuf>,
}

impl Default for StackOptions {
    fn default() -> Self {
        StackOptions {
            order_ttl: paydesk_gateway::Config::DEFAULT_ORDER_TTL,
            widget_dir: None,
        }
    }
}

/// Gateway, sandbox bank and demo shop, wired to each other, on a fresh SQLite file.
pub struct Stack {
    pub gateway_url: String,
    pub bank_url: String,
    pub shop_url: String,
    pub database: PathBuf,
    _data: tempfile::TempDir,
}

async fn bind() -> anyhow::Result<(TcpListener, String)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
    Ok((listener, url))
}

/// Starts the sandbox bank in the background, trusting `gateway_key`, with its books
/// in `dir`.
pub(crate) async fn start_bank(
    listener: TcpListener,
    url: &str,
    bank_key: &Signer,
    gateway_key: &Signer,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let bank = paydesk_sandbox_bank::Application::build(
        paydesk_sandbox_bank::Config::new(
            bank_key.clone(),
            vec![gateway_key.public_key()],
            url.to_owned(),
            dir.join("bank.sqlite"),
        ),
        listener,
    )
    .await
    .context("sandbox bank")?;
    tokio::spawn(bank.run_until_stopped(std::future::pending()));
    Ok(())
}

/// The built widget: `PAYDESK_WIDGET_DIST`, else the workspace's `frontend/dist`.
pub fn widget_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::var_os("PAYDESK_WIDGET_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../frontend/dist"));
    anyhow::ensure!(
        dir.join("paydesk.js").exists(),
        "the widget is not built at {}: run `cargo xtask test` (or `cargo xtask build-widget`)",
        dir.display()
    );
    Ok(dir)
}

impl Stack {
    /// A stack with the product's defaults.
    pub async fn start() -> anyhow::Result<Stack> {
        Stack::start_with(StackOptions::default()).await
    }

    pub async fn start_with(options: StackOptions) -> anyhow::Result<Stack> {
        let data = tempfile::tempdir()?;
        let (gateway_listener, gateway_url) = bind().await?;
        let (bank_listener, bank_url) = bind().await?;
        let (shop_listener, shop_url) = bind().await?;
        let gateway_key = Signer::generate("gateway-e2e");
        let bank_key = Signer::generate("bank-e2e");

        start_bank(
            bank_listener,
            &bank_url,
            &bank_key,
            &gateway_key,
            data.path(),
        )
        .await?;

        let database = data.path().join("gateway.sqlite");
        let mut config = paydesk_gateway::Config::new(
            database.clone(),
            gateway_url.clone(),
            gateway_key,
            vec![bank_key.public_key()],
            bank_url.clone(),
        );
        config.widget_dir = match options.widget_dir {
            Some(dir) => dir,
            None => widget_dir()?,
        };
        config.order_ttl = options.order_ttl;
        config.operator_key = Some(crate::network::OPERATOR_KEY.into());
        // The shop receives its webhooks on 127.0.0.1.
        config.webhook_allow_private_urls = true;
        config.merchants.push(MerchantSeed {
            id: "mer_demo".into(),
            name: "Paydesk Tea House".into(),
            secret_key: SECRET_KEY.into(),
            webhook_url: Some(format!("{shop_url}/webhooks/paydesk")),
            webhook_secret: WEBHOOK_SECRET.into(),
            return_urls: vec![format!("{shop_url}/checkout/complete")],
            settlement_account: None,
        });
        let gateway = paydesk_gateway::Application::build(config, gateway_listener)
            .await
            .context("gateway")?;

        let shop = paydesk_demo_shop::Application::build(
            paydesk_demo_shop::Config {
                gateway_api_url: gateway_url.clone(),
                gateway_public_url: gateway_url.clone(),
                public_url: shop_url.clone(),
                secret_key: SECRET_KEY.into(),
                webhook_secret: WEBHOOK_SECRET.into(),
            },
            shop_listener,
        )
        .await
        .context("demo shop")?;

        tokio::spawn(gateway.run_until_stopped(std::future::pending()));
        tokio::spawn(shop.run_until_stopped(std::future::pending()));
        Ok(Stack {
            gateway_url,
            bank_url,
            shop_url,
            database,
            _data: data,
        })
    }

    /// Ids of the gateway's orders, oldest first, read straight from its database.
    pub async fn order_ids(&self) -> anyhow::Result<Vec<String>> {
        let db =
            sqlx::SqlitePool::connect(&format!("sqlite://{}", self.database.display())).await?;
        let ids = sqlx::query_scalar("SELECT id FROM orders ORDER BY created_at")
            .fetch_all(&db)
            .await?;
        db.close().await;
        Ok(ids)
    }

    /// The gateway's id of the order the demo shop created under `reference`.
    pub async fn order_id_for(&self, reference: &str) -> anyhow::Result<String> {
        let db =
            sqlx::SqlitePool::connect(&format!("sqlite://{}", self.database.display())).await?;
        let id = sqlx::query_scalar("SELECT id FROM orders WHERE merchant_reference = ?")
            .bind(reference)
            .fetch_optional(&db)
            .await?;
        db.close().await;
        id.with_context(|| format!("the gateway has no order for shop reference {reference}"))
    }

    /// What the demo shop's order page says about the payment (`paid` once the
    /// signed webhook has arrived).
    pub async fn shop_order_status(&self, reference: &str) -> anyhow::Result<String> {
        let page = reqwest::get(format!("{}/orders/{reference}", self.shop_url))
            .await?
            .error_for_status()?
            .text()
            .await?;
        let marker = "data-testid=\"shop-order-status\">";
        let start = page
            .find(marker)
            .map(|at| at + marker.len())
            .context("the shop's order page has no status")?;
        let end = page[start..]
            .find('<')
            .context("the shop's order status is not closed")?;
        Ok(page[start..start + end].trim().to_owned())
    }

    /// Waits until the demo shop's order page says `expected`, or the deadline passes;
    /// returns the last status read. The webhook may land a moment after the shopper
    /// is back.
    pub async fn shop_status_becomes(&self, reference: &str, expected: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let status = self
                .shop_order_status(reference)
                .await
                .unwrap_or_else(|e| format!("{e:#}"));
            if status == expected || std::time::Instant::now() > deadline {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The demo merchant's secret key, a test key.
    pub fn secret_key(&self) -> &'static str {
        SECRET_KEY
    }

    /// `GET /v1/orders/{id}` with the demo merchant's key.
    pub async fn api_order(&self, id: &str) -> anyhow::Result<serde_json::Value> {
        let response = reqwest::Client::new()
            .get(format!("{}/v1/orders/{id}", self.gateway_url))
            .bearer_auth(SECRET_KEY)
            .send()
            .await?
            .error_for_status()?;
        Ok(response.json().await?)
    }
}
