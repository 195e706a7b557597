//! Gateway and sandbox bank without a browser, for the bank network's faults: the
//! gateway can be stopped and started again on the same port and database while the
//! bank keeps its books, and a shopper pays at the bank over plain HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use paydesk_gateway::domain::merchant::SettlementAccount;
use paydesk_gateway::{BankSchedule, BooksConfig, MerchantSeed};
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::signing::Signer;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::stack::{SECRET_KEY, WEBHOOK_SECRET, start_bank};

const RETURN_URL: &str = "https://shop.example/checkout/complete";

/// What a bank-network test may tune.
#[derive(Debug, Clone)]
pub struct NetworkOptions {
    pub schedule: BankSchedule,
    pub order_ttl: Duration,
    /// Reconciliation, settlement runs and payouts.
    pub books: BooksConfig,
    /// The demo merchant's account at the sandbox bank, where payouts go.
    pub settlement_account: SettlementAccount,
}

impl Default for NetworkOptions {
    /// Status queries every fraction of a second, so tests see several in a few seconds.
    fn default() -> Self {
        NetworkOptions {
            schedule: BankSchedule {
                query_first: Duration::from_millis(200),
                query_max: Duration::from_millis(800),
                unseen_grace: Duration::from_secs(1),
                refund_first: Duration::from_millis(200),
                refund_max: Duration::from_secs(1),
                maintenance_every: Duration::from_millis(200),
            },
            order_ttl: paydesk_gateway::Config::DEFAULT_ORDER_TTL,
            books: BooksConfig {
                // Every payment is on the bank's file the moment it is decided.
                reconcile_grace: Duration::ZERO,
                payout_retry_first: Duration::from_millis(100),
                payout_retry_max: Duration::from_millis(400),
                ..BooksConfig::default()
            },
            settlement_account: SettlementAccount {
                bank: "ICBC".into(),
                account_number: "6222020000001001".into(),
            },
        }
    }
}

/// The operator key of the network's gateway.
pub const OPERATOR_KEY: &str = "op_net_0123456789abcdef";

struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

pub struct Network {
    pub gateway_url: String,
    pub bank_url: String,
    pub database: PathBuf,
    gateway_addr: SocketAddr,
    gateway_key: Signer,
    bank_key: Signer,
    options: NetworkOptions,
    gateway: Option<Running>,
    pub client: reqwest::Client,
    _data: tempfile::TempDir,
}

impl Network {
    pub async fn start(options: NetworkOptions) -> anyhow::Result<Network> {
        let data = tempfile::tempdir()?;
        let gateway_listener = TcpListener::bind("127.0.0.1:0").await?;
        let gateway_addr = gateway_listener.local_addr()?;
        let bank_listener = TcpListener::bind("127.0.0.1:0").await?;
        let bank_url = format!("http://{}", bank_listener.local_addr()?);
        let gateway_key = Signer::generate("gateway-net");
        let bank_key = Signer::generate("bank-net");
        start_bank(
            bank_listener,
            &bank_url,
            &bank_key,
            &gateway_key,
            data.path(),
        )
        .await?;
        let mut network = Network {
            gateway_url: format!("http://{gateway_addr}"),
            bank_url,
            database: data.path().join("gateway.sqlite"),
            gateway_addr,
            gateway_key,
            bank_key,
            options,
            gateway: None,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            _data: data,
        };
        network.start_gateway_on(gateway_listener).await?;
        Ok(network)
    }

    async fn start_gateway_on(&mut self, listener: TcpListener) -> anyhow::Result<()> {
        let mut config = paydesk_gateway::Config::new(
            self.database.clone(),
            self.gateway_url.clone(),
            self.gateway_key.clone(),
            vec![self.bank_key.public_key()],
            self.bank_url.clone(),
        );
        config.bank_schedule = self.options.schedule;
        config.order_ttl = self.options.order_ttl;
        config.books = self.options.books.clone();
        config.operator_key = Some(OPERATOR_KEY.into());
        config.widget_dir = self.database.with_file_name("no-widget");
        // Webhook receivers run on this machine, as in the sandbox.
        config.webhook_allow_private_urls = true;
        config.merchants.push(MerchantSeed {
            id: "mer_demo".into(),
            name: "Paydesk Tea House".into(),
            secret_key: SECRET_KEY.into(),
            webhook_url: None,
            webhook_secret: WEBHOOK_SECRET.into(),
            return_urls: vec![RETURN_URL.into()],
            settlement_account: Some(self.options.settlement_account.clone()),
        });
        let app = paydesk_gateway::Application::build(config, listener)
            .await
            .context("gateway")?;
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(app.run_until_stopped(async {
            let _ = stopped.await;
        }));
        self.gateway = Some(Running { stop, task });
        Ok(())
    }

    /// Stops the gateway (open requests finish, background work ends) and starts a new
    /// one on the same port and database.
    pub async fn restart_gateway(&mut self) -> anyhow::Result<()> {
        if let Some(running) = self.gateway.take() {
            let _ = running.stop.send(());
            running.task.await??;
        }
        let listener = TcpListener::bind(self.gateway_addr)
            .await
            .context("rebinding the gateway's port")?;
        self.start_gateway_on(listener).await
    }

    /// Sets the sandbox bank's faults (`PUT /sandbox/faults`).
    pub async fn set_faults(&self, faults: Value) -> anyhow::Result<()> {
        let response = self
            .client
            .put(format!("{}/sandbox/faults", self.bank_url))
            .json(&faults)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!(
                "faults refused: {} {}",
                response.status(),
                response.text().await?
            );
        }
        Ok(())
    }

    /// The demo merchant's secret key, a test key.
    pub fn secret_key(&self) -> &'static str {
        SECRET_KEY
    }

    /// A return URL the demo merchant has registered.
    pub fn return_url(&self) -> &'static str {
        RETURN_URL
    }

    pub async fn create_order(&self) -> anyhow::Result<OrderResponse> {
        let response = self
            .client
            .post(format!("{}/v1/orders", self.gateway_url))
            .bearer_auth(SECRET_KEY)
            .json(&json!({
                "currency": "CNY",
                "items": [{"name": "Longjing tea", "quantity": 1, "unit_price": "25.00"}],
                "merchant_reference": "net",
                "return_url": RETURN_URL,
            }))
            .send()
            .await?
            .error_for_status()?;
        Ok(response.json().await?)
    }

    /// Starts an attempt at `bank` the way the widget does.
    pub async fn start_attempt(
        &self,
        order: &OrderResponse,
        bank: &str,
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .client
            .post(format!("{}/v1/widget/attempts", self.gateway_url))
            .bearer_auth(&order.client_token)
            .header("idempotency-key", format!("pay-{bank}"))
            .json(&json!({"bank_code": bank, "card_kind": "debit"}))
            .send()
            .await?)
    }

    /// The shopper at the bank: opens the signed redirect, enters card and password,
    /// and is sent back (303).
    pub async fn pay_at_bank(
        &self,
        attempt: &CreateAttemptResponse,
        card: &str,
    ) -> anyhow::Result<()> {
        let page = self
            .client
            .get(&attempt.redirect_url)
            .send()
            .await?
            .error_for_status()?
            .text()
            .await?;
        let marker = r#"name="session" value=""#;
        let start = page
            .find(marker)
            .context("no payment form on the bank page")?
            + marker.len();
        let session = &page[start..start + page[start..].find('"').context("session unquoted")?];
        let response = self
            .client
            .post(format!("{}/pay", self.bank_url))
            .form(&[
                ("session", session),
                ("card_number", card),
                ("password", crate::shopper::PASSWORD),
            ])
            .send()
            .await?;
        if response.status() != 303 {
            bail!("the bank answered {} to the payment", response.status());
        }
        Ok(())
    }

    pub async fn order(&self, id: &str) -> anyhow::Result<OrderResponse> {
        Ok(self
            .client
            .get(format!("{}/v1/orders/{id}", self.gateway_url))
            .bearer_auth(SECRET_KEY)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// The gateway's OpenAPI document, `/v1/openapi.json`.
    pub async fn openapi_document(&self) -> anyhow::Result<Value> {
        Ok(self
            .client
            .get(format!("{}/v1/openapi.json", self.gateway_url))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// A merchant API request with the demo merchant's secret key.
    pub async fn merchant(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<reqwest::Response> {
        self.request(SECRET_KEY, method, path, body).await
    }

    /// An operator API request with the operator key.
    pub async fn operator(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<reqwest::Response> {
        self.request(OPERATOR_KEY, method, path, body).await
    }

    async fn request(
        &self,
        key: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<reqwest::Response> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.gateway_url))
            .bearer_auth(key);
        if let Some(body) = body {
            request = request.json(body);
        }
        Ok(request.send().await?)
    }

    /// Reads the gateway's database (the way an operator's query would).
    pub async fn db(&self) -> anyhow::Result<sqlx::SqlitePool> {
        Ok(
            sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", self.database.display()))
                .await?,
        )
    }
}
