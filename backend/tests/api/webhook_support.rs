//! What the webhook tests share: a gateway on a manual clock, the merchant's webhook
//! API, paying orders by signed notification at the clock's time, and waiting until the
//! dispatcher has tried everything due.

use std::sync::Arc;

use paydesk_gateway::clock::{Clock, ManualClock};
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::bank_protocol::{DeclineReason, PaymentOutcome};
use paydesk_shared::webhook_api::EndpointResponse;
use serde_json::{Value, json};

use crate::helpers::{SECRET_KEY, TestApp, spawn_app_with};
use crate::receiver::Receiver;
use paydesk_gateway::Config;

pub async fn manual_app() -> (TestApp, Arc<ManualClock>) {
    manual_app_with(|_| {}).await
}

/// As [`manual_app`], with `configure` changing the settings first.
pub async fn manual_app_with(configure: impl FnOnce(&mut Config)) -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::starting_now());
    let shared: Arc<dyn Clock> = clock.clone();
    let app = spawn_app_with(move |c| {
        c.clock = shared;
        configure(c);
    })
    .await;
    (app, clock)
}

/// A gateway on a manual clock whose test merchant has one endpoint, a fresh receiver
/// subscribed to `event_types`; the endpoint configured with the gateway is disabled.
pub async fn subscribed(
    event_types: Value,
) -> (TestApp, Arc<ManualClock>, Receiver, EndpointResponse) {
    subscribed_with(event_types, |_| {}).await
}

/// As [`subscribed`], with `configure` changing the settings first.
pub async fn subscribed_with(
    event_types: Value,
    configure: impl FnOnce(&mut Config),
) -> (TestApp, Arc<ManualClock>, Receiver, EndpointResponse) {
    let (app, clock) = manual_app_with(configure).await;
    app.disable_configured_endpoint().await;
    let receiver = Receiver::spawn().await;
    let endpoint = app.register_endpoint(&receiver.url, event_types).await;
    (app, clock, receiver, endpoint)
}

impl TestApp {
    pub async fn merchant_post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(SECRET_KEY)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn merchant_get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(SECRET_KEY)
            .send()
            .await
            .unwrap()
    }

    /// Registers an endpoint for the test merchant.
    pub async fn register_endpoint(&self, url: &str, event_types: Value) -> EndpointResponse {
        let response = self
            .merchant_post(
                "/v1/webhook_endpoints",
                &json!({"url": url, "event_types": event_types}),
            )
            .await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    /// Stops the endpoint configured with the gateway, so only a test's own receive.
    pub async fn disable_configured_endpoint(&self) {
        let response = self
            .merchant_post(
                "/v1/webhook_endpoints/we_mer_alpha",
                &json!({"status": "disabled"}),
            )
            .await;
        assert_eq!(response.status(), 200);
    }

    /// A new order paid at ICBC, notified and applied at the clock's time.
    pub async fn pay_order(&self, clock: &ManualClock) -> OrderResponse {
        let (order, attempt) = self.order_at_bank().await;
        self.conclude(&order, &attempt, PaymentOutcome::Succeeded, clock)
            .await;
        order
    }

    /// A new order whose attempt the bank declined: `failed`, with `order.failed` (1).
    pub async fn declined_order(&self, clock: &ManualClock) -> OrderResponse {
        let (order, attempt) = self.order_at_bank().await;
        let declined = PaymentOutcome::Failed {
            reason: DeclineReason::InsufficientFunds,
        };
        self.conclude(&order, &attempt, declined, clock).await;
        self.order_reaches(&order.id, "failed").await;
        order
    }

    /// A new order declined once, then paid: `order.failed` (1), then `order.paid` (2).
    pub async fn decline_then_pay(&self, clock: &ManualClock) -> OrderResponse {
        let order = self.declined_order(clock).await;
        let response = self.start_attempt(&order, "ICBC", "click-2").await;
        assert_eq!(response.status(), 201);
        let second: CreateAttemptResponse = response.json().await.unwrap();
        self.conclude(&order, &second.attempt_id, PaymentOutcome::Succeeded, clock)
            .await;
        order
    }

    async fn conclude(
        &self,
        order: &OrderResponse,
        attempt: &str,
        outcome: PaymentOutcome,
        clock: &ManualClock,
    ) {
        let body = self.notification(order, attempt, &order.total, outcome);
        let response = self
            .notify_signed_at(body, &self.bank.clone(), clock.now_secs())
            .await;
        assert_eq!(response.status(), 200);
    }

    pub async fn stored_status(&self, order_id: &str) -> String {
        let order = self
            .store
            .order_by_id(&order_id.into())
            .await
            .unwrap()
            .unwrap();
        order.status.as_str().to_owned()
    }

    /// Lets the workers finish (verdicts are applied after the bank's notification is
    /// acknowledged), then checks the stored order has `status`.
    pub async fn order_reaches(&self, order_id: &str, status: &str) {
        self.settled().await;
        assert_eq!(
            self.stored_status(order_id).await,
            status,
            "order {order_id}"
        );
    }

    /// Waits until every delivery the dispatcher may send at the clock's time has been
    /// tried and its result recorded.
    pub async fn dispatcher_caught_up(&self) {
        self.settled().await;
    }

    pub async fn pending_deliveries(&self) -> i64 {
        self.store.delivery_counts().await.unwrap().pending
    }

    /// The state of an event's delivery to one endpoint.
    pub async fn delivery_state(&self, event_id: &str, endpoint_id: &str) -> String {
        let deliveries = self.store.event_deliveries(&event_id.into()).await.unwrap();
        let delivery = deliveries
            .iter()
            .find(|d| d.endpoint_id == endpoint_id)
            .expect("a delivery to the endpoint");
        delivery.state.as_str().to_owned()
    }
}
