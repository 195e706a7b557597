//! Spawning the shop on port 0 with a fake gateway, and typed steps for the tests.

use std::time::{SystemTime, UNIX_EPOCH};

use paydesk_demo_shop::{Application, Config};
use paydesk_shared::OrderStatus;
use paydesk_shared::api::{OrderResponse, WebhookData, WebhookEvent};
use paydesk_shared::webhook::{self, SIGNATURE_HEADER};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::fake_gateway::FakeGateway;

pub(crate) const SECRET_KEY: &str = "sk_test_teahouse_4f7d";
pub(crate) const WEBHOOK_SECRET: &str = "whsec_teahouse_9c21";

pub(crate) struct TestShop {
    pub(crate) url: String,
    pub(crate) gateway: FakeGateway,
    client: reqwest::Client,
    /// Dropping the shop drops this sender, which stops the server.
    _shutdown: oneshot::Sender<()>,
}

/// A checkout that went through: the shop's reference and the gateway's order.
pub(crate) struct PlacedOrder {
    pub(crate) reference: String,
    pub(crate) gateway_order: OrderResponse,
}

pub(crate) async fn spawn_shop() -> TestShop {
    let gateway = FakeGateway::spawn().await;
    let gateway_url = gateway.url.clone();
    spawn_shop_with(gateway, gateway_url).await
}

/// A shop whose gateway API URL points at a port nobody listens on.
pub(crate) async fn spawn_shop_without_gateway() -> TestShop {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    spawn_shop_with(FakeGateway::spawn().await, dead_url).await
}

async fn spawn_shop_with(gateway: FakeGateway, gateway_api_url: String) -> TestShop {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = Config {
        gateway_api_url,
        gateway_public_url: gateway.url.clone(),
        public_url: url.clone(),
        secret_key: SECRET_KEY.into(),
        webhook_secret: WEBHOOK_SECRET.into(),
    };
    let app = Application::build(config, listener).await.unwrap();
    let (shutdown, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    TestShop {
        url,
        gateway,
        client: reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap(),
        _shutdown: shutdown,
    }
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

impl TestShop {
    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn get_html(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.unwrap()
    }

    pub(crate) async fn checkout(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}/checkout", self.url))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Checks out one tin of Longjing and one celadon cup.
    pub(crate) async fn place_order(&mut self) -> PlacedOrder {
        let response = self
            .checkout(&[
                ("qty-longjing", "1"),
                ("qty-jasmine-pearls", "0"),
                ("qty-celadon-cup", "1"),
                ("qty-bamboo-tray", "0"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()["location"].to_str().unwrap();
        let reference = location.strip_prefix("/checkout/").unwrap().to_owned();
        self.gateway.next_request();
        PlacedOrder {
            gateway_order: self.gateway.order(&reference),
            reference,
        }
    }

    pub(crate) async fn post_webhook(
        &self,
        body: &[u8],
        signature: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/webhooks/paydesk", self.url))
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        request.send().await.unwrap()
    }

    /// Sends `event` signed as the gateway would, now.
    pub(crate) async fn deliver(&self, event: &WebhookEvent) -> reqwest::Response {
        let body = serde_json::to_vec(event).unwrap();
        let signature = webhook::sign(&[WEBHOOK_SECRET], now(), &body);
        self.post_webhook(&body, Some(&signature)).await
    }

    pub(crate) async fn order_page(&self, reference: &str) -> String {
        self.get_html(&format!("/orders/{reference}")).await
    }

    /// The text of `[data-testid="shop-order-status"]` on the order page.
    pub(crate) async fn order_status(&self, reference: &str) -> String {
        status_text(&self.order_page(reference).await)
    }
}

pub(crate) fn status_text(html: &str) -> String {
    let marker = r#"data-testid="shop-order-status">"#;
    let start = html.find(marker).expect("no status element") + marker.len();
    let len = html[start..].find('<').unwrap();
    html[start..start + len].to_owned()
}

/// A webhook event about `order`, with the order in the state the event reports.
pub(crate) fn event(id: &str, kind: &str, order: &OrderResponse) -> WebhookEvent {
    let mut order = order.clone();
    order.status = match kind {
        "order.paid" => OrderStatus::Paid,
        _ => OrderStatus::Failed,
    };
    WebhookEvent {
        id: id.into(),
        kind: kind.into(),
        sequence: if kind == "order.paid" { 2 } else { 1 },
        created_at: "2025-04-01T08:05:00Z".into(),
        data: WebhookData {
            order: Some(order),
            refund: None,
            settlement: None,
            payout: None,
        },
    }
}
