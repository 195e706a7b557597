use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use paydesk_gateway::domain::event::{EventFilter, EventType, StoredEvent};
use paydesk_gateway::domain::verdict::InboxCounts;
use paydesk_gateway::store::{Store, Totals};
use paydesk_gateway::{Application, Config, Database, MerchantSeed, RateLimits, Workers};
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::bank_protocol::{PaymentNotification, PaymentOutcome, SIGNATURE_HEADER};
use paydesk_shared::signing::Signer;
use serde_json::{Value, json};
use tokio::sync::mpsc;

pub const SECRET_KEY: &str = "sk_test_alpha_0123456789abcdef";
pub const OTHER_SECRET_KEY: &str = "sk_test_bravo_0123456789abcdef";
pub const WEBHOOK_SECRET: &str = "whsec_alpha_0123456789";
pub const OPERATOR_KEY: &str = "op_test_0123456789abcdef";
pub const RETURN_URL: &str = "https://shop.example/checkout/complete";

/// A webhook as the merchant's receiver got it.
pub struct ReceivedWebhook {
    pub signature: String,
    pub body: Bytes,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub bank: Signer,
    /// The gateway's own store, for typed reads of what it holds.
    pub store: Arc<dyn Store>,
    /// The gateway's background workers, to wait until they are done.
    pub workers: Workers,
    pub webhooks: mpsc::UnboundedReceiver<ReceivedWebhook>,
    /// The gateway's database, shared by replicas.
    pub database: Arc<TestDatabase>,
    _dir: tempfile::TempDir,
}

/// The suite runs on SQLite files, or with `PAYDESK_TEST_STORE=postgres` on a fresh
/// PostgreSQL database per test, dropped after it: every test holds on both stores.
pub enum TestDatabase {
    Sqlite(std::path::PathBuf),
    Postgres(paydesk_gateway::store::postgres::test_database::TestDatabase),
}

impl TestDatabase {
    /// The store this run tests: a file in `dir`, or a new PostgreSQL database.
    pub async fn create(dir: &std::path::Path) -> Self {
        match std::env::var("PAYDESK_TEST_STORE").as_deref() {
            Ok("postgres") => TestDatabase::Postgres(
                paydesk_gateway::store::postgres::test_database::TestDatabase::create().await,
            ),
            Ok("sqlite") | Err(_) => TestDatabase::Sqlite(dir.join("gateway.sqlite")),
            Ok(other) => panic!("PAYDESK_TEST_STORE={other}: use sqlite or postgres"),
        }
    }

    /// The gateway's setting for it.
    pub fn config(&self) -> Database {
        match self {
            TestDatabase::Sqlite(path) => Database::Sqlite(path.clone()),
            TestDatabase::Postgres(db) => Database::Postgres(db.url().to_owned()),
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// For load tests, which play thousands of shoppers and a bank at full speed, all from
/// one address: the rate limits would (rightly) refuse most of them.
pub fn without_rate_limits(config: &mut Config) {
    config.rate_limits = RateLimits::OFF;
}

/// A gateway whose settings `configure` may change first. Its widget directory is
/// `widget/` in the test's own temporary folder, empty unless `configure` writes into
/// it (see [`WidgetFixture`]).
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let database = Arc::new(TestDatabase::create(dir.path()).await);
    spawn_replica(dir, database, Signer::generate("bank-test"), configure).await
}

/// `count` gateway replicas on one new PostgreSQL database, trusting one bank.
pub async fn spawn_replicas(count: usize) -> Vec<TestApp> {
    let database = Arc::new(TestDatabase::Postgres(
        paydesk_gateway::store::postgres::test_database::TestDatabase::create().await,
    ));
    let bank = Signer::generate("bank-test");
    let mut replicas = Vec::new();
    for _ in 0..count {
        let dir = tempfile::tempdir().unwrap();
        replicas.push(spawn_replica(dir, database.clone(), bank.clone(), |_| {}).await);
    }
    replicas
}

/// A gateway on `database`, in `dir`, trusting `bank`.
async fn spawn_replica(
    dir: tempfile::TempDir,
    database: Arc<TestDatabase>,
    bank: Signer,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    // The gateway's warnings and errors go with the test's output, shown if it fails.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn,paydesk_gateway::webhooks=error")
        .with_test_writer()
        .try_init();
    let webhook_url = spawn_webhook_receiver().await;
    let (webhook_address, webhooks) = webhook_url;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let mut config = Config::new(
        database.config(),
        address.clone(),
        Signer::generate("gateway-test"),
        vec![bank.public_key()],
        "http://127.0.0.1:9".into(),
    );
    config.merchants = vec![
        MerchantSeed {
            id: "mer_alpha".into(),
            name: "Alpha Teas".into(),
            secret_key: SECRET_KEY.into(),
            webhook_url: Some(webhook_address),
            webhook_secret: WEBHOOK_SECRET.into(),
            return_urls: vec![RETURN_URL.into()],
            settlement_account: None,
        },
        MerchantSeed {
            id: "mer_bravo".into(),
            name: "Bravo Cups".into(),
            secret_key: OTHER_SECRET_KEY.into(),
            webhook_url: None,
            webhook_secret: "whsec_bravo".into(),
            return_urls: vec![RETURN_URL.into()],
            settlement_account: None,
        },
    ];
    config.widget_dir = dir.path().join("widget");
    config.operator_key = Some(OPERATOR_KEY.into());
    // The test merchants' receivers listen on 127.0.0.1.
    config.webhook_allow_private_urls = true;
    configure(&mut config);
    let app = Application::build(config, listener).await.unwrap();
    let (store, workers) = (app.store(), app.workers());
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        bank,
        store,
        workers,
        webhooks,
        database,
        _dir: dir,
    }
}

/// A merchant endpoint on port 0 that records every webhook and answers 200.
async fn spawn_webhook_receiver() -> (String, mpsc::UnboundedReceiver<ReceivedWebhook>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let router = Router::new().route(
        "/webhooks",
        post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            async move {
                let signature = headers
                    .get("paydesk-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let _ = tx.send(ReceivedWebhook { signature, body });
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://127.0.0.1:{}/webhooks",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, rx)
}

pub fn order_body() -> Value {
    json!({
        "currency": "CNY",
        "items": [
            {"name": "Longjing tea", "quantity": 2, "unit_price": "25.00"},
            {"name": "Celadon cup", "quantity": 1, "unit_price": "68.00", "image_url": "https://shop.example/cup.svg"}
        ],
        "merchant_reference": "TH-1001",
        "return_url": format!("{RETURN_URL}?ref=TH-1001"),
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Posts raw bytes to `/v1/orders` with the given key and headers.
    pub async fn post_order_raw(
        &self,
        secret: Option<&str>,
        idempotency_key: Option<&str>,
        body: Vec<u8>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(self.url("/v1/orders"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(secret) = secret {
            req = req.bearer_auth(secret);
        }
        if let Some(key) = idempotency_key {
            req = req.header("idempotency-key", key);
        }
        req.send().await.unwrap()
    }

    pub async fn post_order(&self, body: &Value) -> reqwest::Response {
        self.post_order_raw(Some(SECRET_KEY), None, serde_json::to_vec(body).unwrap())
            .await
    }

    pub async fn create_order(&self) -> OrderResponse {
        let response = self.post_order(&order_body()).await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    pub async fn get_order(&self, id: &str) -> OrderResponse {
        let response = self
            .client
            .get(self.url(&format!("/v1/orders/{id}")))
            .bearer_auth(SECRET_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    pub async fn start_attempt(
        &self,
        order: &OrderResponse,
        bank: &str,
        idempotency_key: &str,
    ) -> reqwest::Response {
        self.start_attempt_body(
            order,
            idempotency_key,
            json!({"bank_code": bank, "card_kind": "debit"}),
        )
        .await
    }

    pub async fn start_attempt_body(
        &self,
        order: &OrderResponse,
        idempotency_key: &str,
        body: Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url("/v1/widget/attempts"))
            .bearer_auth(&order.client_token)
            .header("idempotency-key", idempotency_key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// A GET of the widget API with an order's client token, read as JSON.
    pub async fn widget_get<T: serde::de::DeserializeOwned>(&self, path: &str, token: &str) -> T {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A GET of the operator API with the operator key.
    pub async fn operator_get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(self.url(path))
            .bearer_auth(OPERATOR_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// A plain GET of a gateway path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// An order with one pending attempt at ICBC: (order, attempt id).
    pub async fn order_at_bank(&self) -> (OrderResponse, String) {
        let order = self.create_order().await;
        let response = self.start_attempt(&order, "ICBC", "click-1").await;
        assert_eq!(response.status(), 201);
        let attempt: CreateAttemptResponse = response.json().await.unwrap();
        (order, attempt.attempt_id)
    }

    pub fn notification(
        &self,
        order: &OrderResponse,
        attempt_id: &str,
        amount: &str,
        outcome: PaymentOutcome,
    ) -> Vec<u8> {
        serde_json::to_vec(&PaymentNotification {
            attempt_id: attempt_id.into(),
            order_id: order.id.clone(),
            bank_code: "ICBC".into(),
            bank_transaction_id: format!("SBX-{attempt_id}"),
            amount: amount.into(),
            currency: order.currency,
            outcome,
            decided_at: now_secs(),
            card_last4: None,
        })
        .unwrap()
    }

    /// Sends a notification signed with `signer`.
    pub async fn notify(&self, body: Vec<u8>, signer: &Signer) -> reqwest::Response {
        self.notify_signed_at(body, signer, now_secs()).await
    }

    /// Sends a notification signed at `t` (unix seconds): the gateway's clock may be a
    /// test's manual one.
    pub async fn notify_signed_at(
        &self,
        body: Vec<u8>,
        signer: &Signer,
        t: i64,
    ) -> reqwest::Response {
        let signature = signer.sign(t, &body);
        self.client
            .post(self.url("/v1/bank/notifications/sandbox"))
            .header(SIGNATURE_HEADER, signature)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Waits until the gateway's workers have nothing left to do at its clock's time:
    /// every stored verdict applied, every due webhook tried and recorded.
    pub async fn settled(&self) {
        tokio::time::timeout(Duration::from_secs(120), self.workers.drain())
            .await
            .expect("the workers were still busy after 120 s");
    }

    /// Stored bank verdicts by state.
    pub async fn inbox_counts(&self) -> InboxCounts {
        self.store.inbox_counts().await.unwrap()
    }

    /// How many stored verdicts ended in `state`.
    pub async fn inbox(&self, state: &str) -> i64 {
        let c = self.inbox_counts().await;
        match state {
            "received" => c.received,
            "applied" => c.applied,
            "duplicate" => c.duplicate,
            "ignored" => c.ignored,
            "quarantined" => c.quarantined,
            other => panic!("no inbox state {other}"),
        }
    }

    /// The first merchant's events of one type, newest first.
    pub async fn events_of_type(&self, kind: EventType) -> Vec<StoredEvent> {
        let filter = EventFilter {
            kind: Some(kind),
            ..EventFilter::default()
        };
        self.store
            .events(&"mer_alpha".into(), &filter, 100_000)
            .await
            .unwrap()
    }

    /// The first merchant's events of one order, newest first.
    pub async fn events_of_order(&self, order_id: &str) -> Vec<StoredEvent> {
        let filter = EventFilter {
            order_id: Some(order_id.into()),
            ..EventFilter::default()
        };
        self.store
            .events(&"mer_alpha".into(), &filter, 1000)
            .await
            .unwrap()
    }

    /// How much of each kind the gateway holds: a refused request changes none of it.
    pub async fn snapshot(&self) -> Totals {
        self.store.totals().await.unwrap()
    }

    /// The next webhook, or a failure after a generous deadline.
    pub async fn next_webhook(&mut self) -> ReceivedWebhook {
        tokio::time::timeout(Duration::from_secs(20), self.webhooks.recv())
            .await
            .expect("no webhook within 20 s")
            .expect("receiver closed")
    }
}

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Asserts a JSON error with this status and code.
pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status, "status");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
}

/// A built widget as `cargo xtask build-widget` lays it out: a versioned directory, the
/// evergreen loader and `manifest.json`, with small stand-in files.
pub struct WidgetFixture {
    pub version: String,
    pub loader_integrity: String,
    pub hosted_css_integrity: String,
    pub glue_integrity: String,
}

impl WidgetFixture {
    pub const LOADER: &'static str = "/* paydesk loader */ window.Paydesk = {};";
    pub const HOSTED_CSS: &'static str = "body { margin: 0 }";
    pub const GLUE: &'static str = "export default async function init() {}";
    /// Stands in for the build's brotli copy of the loader; the gateway sends it as is.
    pub const LOADER_BROTLI: &'static [u8] = b"\x1b\x28\x00 brotli stand-in";

    pub fn write(dir: &std::path::Path) -> WidgetFixture {
        use base64::Engine;
        use sha2::{Digest, Sha384};
        let sri = |bytes: &str| {
            format!(
                "sha384-{}",
                base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
            )
        };
        let version = "0123456789abcdef".to_owned();
        let versioned = dir.join(&version);
        std::fs::create_dir_all(&versioned).unwrap();
        std::fs::write(versioned.join("paydesk.js"), Self::LOADER).unwrap();
        std::fs::write(versioned.join("paydesk.js.br"), Self::LOADER_BROTLI).unwrap();
        std::fs::write(versioned.join("hosted.css"), Self::HOSTED_CSS).unwrap();
        std::fs::write(versioned.join("paydesk-widget.js"), Self::GLUE).unwrap();
        std::fs::write(dir.join("paydesk.js"), Self::LOADER).unwrap();
        std::fs::write(dir.join("paydesk-widget.js"), "export default 1;").unwrap();
        let fixture = WidgetFixture {
            loader_integrity: sri(Self::LOADER),
            hosted_css_integrity: sri(Self::HOSTED_CSS),
            glue_integrity: sri(Self::GLUE),
            version,
        };
        let manifest = json!({
            "version": fixture.version,
            "loader": format!("{}/paydesk.js", fixture.version),
            "integrity": {
                "paydesk.js": fixture.loader_integrity,
                "hosted.css": fixture.hosted_css_integrity,
                "paydesk-widget.js": fixture.glue_integrity,
            },
        });
        std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
        fixture
    }
}

/// The `status` events of a Server-Sent Events response, read as they arrive.
/// One Server-Sent Events message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseMessage {
    pub event: String,
    pub id: Option<String>,
    pub data: String,
}

/// Reads a `text/event-stream` answer message by message, skipping keep-alives.
pub struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

impl SseReader {
    pub fn new(response: reqwest::Response) -> SseReader {
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        SseReader {
            response,
            buffer: String::new(),
        }
    }

    /// The next message, or `None` if none came within `deadline`.
    pub async fn next_within(&mut self, deadline: Duration) -> Option<SseMessage> {
        tokio::time::timeout(deadline, async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let field = |name: &str| {
                        block
                            .lines()
                            .filter_map(|l| l.strip_prefix(name))
                            .collect::<Vec<_>>()
                    };
                    let Some(event) = field("event: ").first().map(|e| e.to_string()) else {
                        continue; // a keep-alive comment
                    };
                    return SseMessage {
                        event,
                        id: field("id: ").first().map(|i| i.to_string()),
                        data: field("data: ").concat(),
                    };
                }
                let chunk = self
                    .response
                    .chunk()
                    .await
                    .unwrap()
                    .expect("the stream ended");
                self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
            }
        })
        .await
        .ok()
    }
}

pub struct StatusEvents(SseReader);

impl StatusEvents {
    pub async fn open(app: &TestApp, client_token: &str) -> StatusEvents {
        let response = app
            .client
            .get(app.url("/v1/widget/status/stream"))
            .query(&[("client_token", client_token)])
            .send()
            .await
            .unwrap();
        StatusEvents(SseReader::new(response))
    }

    /// The next status event's data, or a failure after `deadline`.
    pub async fn next(&mut self, deadline: Duration) -> Value {
        self.next_within(deadline)
            .await
            .expect("no status event before the deadline")
    }

    /// The next status event's data, or `None` if none came within `deadline`.
    pub async fn next_within(&mut self, deadline: Duration) -> Option<Value> {
        let message = self.0.next_within(deadline).await?;
        assert_eq!(message.event, "status");
        Some(serde_json::from_str(&message.data).unwrap())
    }
}

/// What a new gateway holds: the configured merchant's webhook endpoint, nothing else.
pub fn fresh() -> Totals {
    Totals {
        webhook_endpoints: 1,
        ..Totals::default()
    }
}
