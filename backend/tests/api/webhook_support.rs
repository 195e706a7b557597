//! What the webhook tests share: a gateway on a manual clock, the merchant's webhook
//! API, paying orders by signed notification at the clock's time, and waiting until the
//! dispatcher has tried everything due.

use std::sync::Arc;
use std::time::Duration;

use paydesk_gateway::clock::{Clock, ManualClock};
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::bank_protocol::{DeclineReason, PaymentOutcome};
use paydesk_shared::webhook_api::EndpointResponse;
use serde_json::{Value, json};

use crate::helpers::{SECRET_KEY, TestApp, spawn_app_with};
use crate::receiver::Receiver;

pub async fn manual_app() -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::starting_now());
    let shared: Arc<dyn Clock> = clock.clone();
    let app = spawn_app_with(move |c| c.clock = shared).await;
    (app, clock)
}

/// A gateway on a manual clock whose test merchant has one endpoint, a fresh receiver
/// subscribed to `event_types`; the endpoint configured with the gateway is disabled.
pub async fn subscribed(
    event_types: Value,
) -> (TestApp, Arc<ManualClock>, Receiver, EndpointResponse) {
    let (app, clock) = manual_app().await;
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
        sqlx::query_scalar("SELECT status FROM orders WHERE id = ?")
            .bind(order_id)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// Waits until the stored order has `status` (verdicts are applied after the
    /// bank's notification is acknowledged).
    pub async fn order_reaches(&self, order_id: &str, status: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let now: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = ?")
                .bind(order_id)
                .fetch_one(&self.db)
                .await
                .unwrap();
            if now == status {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "order {order_id} is {now}, not {status}, after 60 s"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Waits until every delivery the dispatcher may send at the clock's time has been
    /// tried and its result recorded.
    pub async fn dispatcher_caught_up(&self, clock: &ManualClock) {
        self.settled().await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            let due: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM webhook_deliveries d
                 WHERE d.state = 'pending' AND d.next_attempt_at <= ?
                   AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                       WHERE p.state = 'pending' AND p.endpoint_id = d.endpoint_id
                         AND p.order_id = d.order_id AND p.seq < d.seq)",
            )
            .bind(clock.now_ms())
            .fetch_one(&self.db)
            .await
            .unwrap();
            if due == 0 {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{due} deliveries still due after 120 s"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn pending_deliveries(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'")
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// The delivery states of an event, by endpoint.
    pub async fn delivery_state(&self, event_id: &str, endpoint_id: &str) -> String {
        sqlx::query_scalar(
            "SELECT state FROM webhook_deliveries WHERE event_id = ? AND endpoint_id = ?",
        )
        .bind(event_id)
        .bind(endpoint_id)
        .fetch_one(&self.db)
        .await
        .unwrap()
    }
}
