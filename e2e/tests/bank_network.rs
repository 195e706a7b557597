//! The bank network's faults, played by the sandbox bank: lost notifications found by
//! status queries (across a gateway restart), a success that arrives after the order
//! expired refunded at the bank, and a bank in maintenance shown disabled.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use paydesk_e2e::{Network, NetworkOptions, POOR_CARD, RICH_CARD};
use paydesk_gateway::BankSchedule;
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use serde_json::json;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn attempt(net: &Network, order: &OrderResponse, bank: &str) -> CreateAttemptResponse {
    let response = net.start_attempt(order, bank).await.unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// Polls until `done` holds for the order, or fails after `limit`.
async fn until(
    net: &Network,
    id: &str,
    limit: Duration,
    done: impl Fn(&OrderResponse) -> bool,
) -> OrderResponse {
    let deadline = Instant::now() + limit;
    loop {
        let order = net.order(id).await.unwrap();
        if done(&order) {
            return order;
        }
        assert!(
            Instant::now() < deadline,
            "order {id} stuck at {}",
            order.status.as_str()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_notifications_are_found_by_status_queries_across_a_restart() {
    const ORDERS: usize = 40;
    let mut net = Network::start(NetworkOptions::default()).await.unwrap();
    net.set_faults(json!({"seed": 7, "drop_percent": 30, "processing_queries": 3}))
        .await
        .unwrap();

    let mut orders = Vec::new();
    let mut restarted_at = 0;
    for i in 0..ORDERS {
        if i == ORDERS / 2 {
            // Half-way: attempts of the first half still wait for their queries.
            net.restart_gateway().await.unwrap();
            restarted_at = now_ms();
        }
        let order = net.create_order().await.unwrap();
        let card = if i % 5 == 4 { POOR_CARD } else { RICH_CARD };
        net.pay_at_bank(&attempt(&net, &order, "ICBC").await, card)
            .await
            .unwrap();
        orders.push((order.id, card));
    }

    for (id, card) in &orders {
        let order = until(&net, id, Duration::from_secs(60), |o| {
            o.attempts.iter().all(|a| a.status.as_str() != "pending")
        })
        .await;
        let expected = if *card == RICH_CARD { "paid" } else { "failed" };
        assert_eq!(order.status.as_str(), expected, "{id}");
    }

    // Some notifications were dropped; each of those attempts was settled by a status
    // query, some of them by the restarted gateway, after three `processing` answers.
    let db = net.db().await.unwrap();
    let by_notification: HashSet<String> =
        sqlx::query_scalar("SELECT attempt_id FROM bank_inbox WHERE source = 'notification'")
            .fetch_all(&db)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let by_query: HashMap<String, i64> = sqlx::query_as(
        "SELECT attempt_id, received_at FROM bank_inbox WHERE source = 'query' AND state = 'applied'",
    )
    .fetch_all(&db)
    .await
    .unwrap()
    .into_iter()
    .collect();
    let all: Vec<(String, String, i64, i64)> =
        sqlx::query_as("SELECT id, order_id, created_at, queries FROM payment_attempts")
            .fetch_all(&db)
            .await
            .unwrap();
    let dropped: Vec<&(String, String, i64, i64)> = all
        .iter()
        .filter(|(id, ..)| !by_notification.contains(id))
        .collect();
    assert!(!dropped.is_empty(), "no notification was dropped");
    for (id, _, _, queries) in &dropped {
        assert!(by_query.contains_key(id), "{id}: dropped and never queried");
        assert!(
            *queries >= 4,
            "{id}: three `processing` answers come first ({queries})"
        );
    }
    assert!(
        dropped
            .iter()
            .any(|(id, _, created, _)| *created < restarted_at && by_query[id] > restarted_at),
        "no attempt started before the restart was settled after it"
    );
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM bank_inbox WHERE state = 'applied'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(applied, ORDERS as i64, "each attempt decided once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_success_arriving_after_expiry_is_refunded_at_the_bank_and_reported() {
    let defaults = NetworkOptions::default();
    let options = NetworkOptions {
        order_ttl: Duration::from_secs(3),
        // Only the late notification may tell the gateway.
        schedule: BankSchedule {
            query_first: Duration::from_secs(600),
            ..defaults.schedule
        },
        ..defaults.clone()
    };
    let net = Network::start(options).await.unwrap();
    net.set_faults(json!({"seed": 1, "delay_ms": 4000}))
        .await
        .unwrap();

    let order = net.create_order().await.unwrap();
    net.pay_at_bank(&attempt(&net, &order, "ICBC").await, RICH_CARD)
        .await
        .unwrap();
    let db = net.db().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let refund = loop {
        let row: Option<(String, String, String)> =
            sqlx::query_as("SELECT reason, status, id FROM refunds WHERE order_id = ?")
                .bind(&order.id)
                .fetch_optional(&db)
                .await
                .unwrap();
        if let Some(r) = row.filter(|r| r.1 != "pending") {
            break r;
        }
        assert!(Instant::now() < deadline, "no refund decided");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        (refund.0.as_str(), refund.1.as_str()),
        ("late_payment", "succeeded")
    );
    let after = net.order(&order.id).await.unwrap();
    assert_eq!(after.status.as_str(), "expired");
    assert_eq!(after.attempts[0].status.as_str(), "succeeded");

    // Reported to the merchant: a refund.succeeded event naming the refund and why.
    let payload: String = sqlx::query_scalar(
        "SELECT payload FROM outbox_events WHERE order_id = ? AND type = 'refund.succeeded'",
    )
    .bind(&order.id)
    .fetch_one(&db)
    .await
    .unwrap();
    let event: serde_json::Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(event["data"]["refund"]["id"], refund.2.as_str());
    assert_eq!(event["data"]["refund"]["reason"], "late_payment");
    assert_eq!(event["data"]["refund"]["amount"], "25.00");
    assert_eq!(event["data"]["order"]["status"], "expired");

    // The bank's settlement file for the day shows the payment and its refund.
    let day = time::OffsetDateTime::now_utc().date();
    let csv = net
        .client
        .get(format!(
            "{}/api/v1/settlements/mer_demo/{day}",
            net.bank_url
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().filter(|l| l.contains(&order.id)).collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines.iter().any(|l| l.starts_with("payment,")), "{csv}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("refund,") && l.contains(&refund.2)),
        "{csv}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bank_in_maintenance_is_shown_disabled_and_refused() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let order = net.create_order().await.unwrap();
    let icbc_debit = || async {
        let session: serde_json::Value = net
            .client
            .get(format!("{}/v1/widget/session", net.gateway_url))
            .bearer_auth(&order.client_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let banks = session["banks"].as_array().unwrap().clone();
        banks.into_iter().find(|b| b["code"] == "ICBC").unwrap()["debit"].clone()
    };
    assert!(icbc_debit().await["unavailable"].is_null());

    net.set_faults(json!({"maintenance": ["ICBC"]}))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while icbc_debit().await["unavailable"] != "maintenance" {
        assert!(Instant::now() < deadline, "maintenance never shown");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let refused = net.start_attempt(&order, "ICBC").await.unwrap();
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bank_unavailable");
    assert_eq!(
        net.start_attempt(&order, "CCB").await.unwrap().status(),
        201
    );

    net.set_faults(json!({})).await.unwrap();
    while !icbc_debit().await["unavailable"].is_null() {
        assert!(Instant::now() < deadline, "maintenance never ended");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
