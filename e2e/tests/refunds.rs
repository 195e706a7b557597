//! A merchant's refunds executed at the real sandbox bank: the card is credited, the
//! gateway records the bank's answer and tells the merchant with `refund.succeeded`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use paydesk_e2e::{Network, NetworkOptions, RICH_CARD};
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse, RefundResponse};
use paydesk_shared::{Currency, Money};
use reqwest::Method;
use serde_json::{Value, json};

/// One of the sandbox bank's JSON books (`/cards`, `/transactions`).
async fn books(net: &Network, path: &str) -> Vec<Value> {
    net.client
        .get(format!("{}{path}", net.bank_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The test card's CNY balance at the bank, in fen.
async fn balance(net: &Network) -> i64 {
    let cards = books(net, "/cards").await;
    let card = cards
        .iter()
        .find(|c| c["number"].as_str().unwrap().replace(' ', "") == RICH_CARD.replace(' ', ""))
        .expect("the rich test card");
    Money::parse(card["balances"]["CNY"].as_str().unwrap(), Currency::Cny)
        .unwrap()
        .minor()
}

async fn paid_order(net: &Network) -> OrderResponse {
    let order = net.create_order().await.unwrap();
    let attempt: CreateAttemptResponse = net
        .start_attempt(&order, "ICBC")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    net.pay_at_bank(&attempt, RICH_CARD).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while net.order(&order.id).await.unwrap().status.as_str() != "paid" {
        assert!(Instant::now() < deadline, "order not paid");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    order
}

async fn refund(net: &Network, order: &OrderResponse, amount: &str) -> reqwest::Response {
    net.merchant(
        Method::POST,
        &format!("/v1/orders/{}/refunds", order.id),
        Some(&json!({"amount": amount})),
    )
    .await
    .unwrap()
}

/// Polls the refund until the bank has answered.
async fn decided(net: &Network, id: &str) -> RefundResponse {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let refund: RefundResponse = net
            .merchant(Method::GET, &format!("/v1/refunds/{id}"), None)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if refund.status != "pending" {
            return refund;
        }
        assert!(Instant::now() < deadline, "refund {id} still pending");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_refunds_reach_the_card_and_the_merchant_and_stop_at_the_payment() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let before_payment = balance(&net).await;
    let order = paid_order(&net).await;
    assert_eq!(order.total, "25.00");
    assert_eq!(balance(&net).await, before_payment - 2500);

    let first = refund(&net, &order, "10.00").await;
    assert_eq!(first.status(), 201);
    let first: RefundResponse = first.json().await.unwrap();
    assert_eq!(first.status, "pending");
    let first = decided(&net, &first.id).await;
    assert_eq!(first.status, "succeeded");
    assert_eq!(balance(&net).await, before_payment - 1500);

    // The bank's own record of it, under the gateway's refund id.
    let transactions = books(&net, "/transactions").await;
    let at_bank = transactions
        .iter()
        .find(|t| t["refund_id"] == first.id.as_str())
        .expect("the refund in the bank's books");
    assert_eq!(at_bank["amount"], "10.00");

    let too_much = refund(&net, &order, "15.01").await;
    assert_eq!(too_much.status(), 422);
    let rest: RefundResponse = refund(&net, &order, "15.00").await.json().await.unwrap();
    assert_eq!(decided(&net, &rest.id).await.status, "succeeded");
    assert_eq!(balance(&net).await, before_payment);

    // The merchant heard of both, after the payment, in that order.
    let db = net.db().await.unwrap();
    let events: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT type, seq, payload FROM outbox_events WHERE order_id = ? ORDER BY seq",
    )
    .bind(&order.id)
    .fetch_all(&db)
    .await
    .unwrap();
    let kinds: Vec<(&str, i64)> = events.iter().map(|(k, s, _)| (k.as_str(), *s)).collect();
    assert_eq!(
        kinds,
        [
            ("order.paid", 1),
            ("refund.succeeded", 2),
            ("refund.succeeded", 3)
        ]
    );
    let reported: Value = serde_json::from_str(&events[1].2).unwrap();
    assert_eq!(reported["data"]["refund"]["id"], first.id.as_str());
    assert_eq!(reported["data"]["refund"]["amount"], "10.00");
    assert_eq!(
        reported["data"]["refund"]["reason"],
        "requested_by_customer"
    );
}
