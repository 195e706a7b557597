//! `POST /v1/test_helpers/orders/{id}/settle` and `POST /v1/test_helpers/payouts`
//! against the real sandbox bank: a paid test order's money is reconciled against the
//! bank's file and settled at once, and payouts are paid or refused by the bank as
//! asked, each with its event and balanced books. Live keys and bad requests are
//! refused and change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use paydesk_e2e::{Network, NetworkOptions, eventually};
use paydesk_shared::api::OrderResponse;
use reqwest::Method;
use serde_json::{Value, json};

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let code = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(code, status, "{body}");
    body
}

async fn assert_error(response: reqwest::Response, status: u16, code: &str) {
    let body = json_of(response, status).await;
    assert_eq!(body["error"]["code"], code, "{body}");
}

async fn get(net: &Network, path: &str) -> Value {
    json_of(net.merchant(Method::GET, path, None).await.unwrap(), 200).await
}

async fn post(net: &Network, path: &str, body: Value) -> reqwest::Response {
    net.merchant(Method::POST, path, Some(&body)).await.unwrap()
}

async fn paid_order(net: &Network) -> OrderResponse {
    let order = net.create_order().await.unwrap();
    let path = format!("/v1/test_helpers/orders/{}/pay", order.id);
    let paid = json_of(post(net, &path, json!({})).await, 200).await;
    let paid: OrderResponse = serde_json::from_value(paid).unwrap();
    assert_eq!(paid.status.as_str(), "paid");
    paid
}

async fn settle(net: &Network, order: &OrderResponse) -> reqwest::Response {
    let path = format!("/v1/test_helpers/orders/{}/settle", order.id);
    post(net, &path, json!({})).await
}

/// The merchant's available CNY balance, as the API shows it.
async fn available(net: &Network) -> String {
    let balance = get(net, "/v1/balance").await;
    balance["available"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["currency"] == "CNY")
        .map_or_else(
            || "0.00".to_owned(),
            |a| a["amount"].as_str().unwrap().to_owned(),
        )
}

async fn payout_settled(net: &Network, id: &str) -> Value {
    eventually("the payout's final word", || async {
        let p = get(net, &format!("/v1/payouts/{id}")).await;
        matches!(p["status"].as_str(), Some("paid" | "failed")).then_some(p)
    })
    .await
}

/// The event of `event_type` whose data names `id`, once stored.
async fn event_about(net: &Network, event_type: &str, kind: &str, id: &str) -> Value {
    let path = format!("/v1/events?type={event_type}");
    eventually(event_type, || async {
        let events = get(net, &path).await;
        events["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["data"][kind]["id"] == id)
            .cloned()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_order_is_settled_now_and_paid_out_or_refused_as_asked() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let order = paid_order(&net).await;
    // Another paid order stays pending: settling one order takes only its money.
    let other = paid_order(&net).await;
    assert_eq!(available(&net).await, "0.00");

    let settlement = json_of(settle(&net, &order).await, 201).await;
    assert_eq!(settlement["object"], "settlement");
    assert_eq!(settlement["count"], 1);
    // 25.00 less the 0.6 % fee.
    assert_eq!(order.total, "25.00");
    assert_eq!(settlement["net"], "24.85");
    let id = settlement["id"].as_str().unwrap();
    let lines = get(&net, &format!("/v1/balance_transactions?settlement={id}")).await;
    let lines = lines["data"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["type"], "payment");
    assert_eq!(lines[0]["status"], "available");
    assert_eq!(available(&net).await, "24.85");
    let event = event_about(&net, "settlement.created", "settlement", id).await;
    assert_eq!(event["data"]["settlement"]["net"], "24.85");

    assert_error(settle(&net, &order).await, 409, "order_not_settleable").await;
    let balance = get(&net, "/v1/balance").await;
    assert_eq!(balance["pending"][0]["amount"], "24.85", "{balance}");

    let failed = post(
        &net,
        "/v1/test_helpers/payouts",
        json!({"amount": "20.00", "currency": "CNY", "outcome": "failed"}),
    )
    .await;
    let failed = json_of(failed, 201).await;
    let account = failed["destination"]["account_number"].as_str().unwrap();
    assert!(account.ends_with("0000"), "{failed}");
    let failed = payout_settled(&net, failed["id"].as_str().unwrap()).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["failure_reason"], "account_closed");
    event_about(
        &net,
        "payout.failed",
        "payout",
        failed["id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(available(&net).await, "24.85", "the money came back");

    let paid = post(
        &net,
        "/v1/test_helpers/payouts",
        json!({"amount": "20.00", "currency": "CNY"}),
    )
    .await;
    let paid = json_of(paid, 201).await;
    assert_eq!(
        paid["destination"]["account_number"],
        NetworkOptions::default().settlement_account.account_number
    );
    let paid = payout_settled(&net, paid["id"].as_str().unwrap()).await;
    assert_eq!(paid["status"], "paid", "{paid}");
    assert!(paid["bank_transfer_id"].is_string());
    event_about(&net, "payout.paid", "payout", paid["id"].as_str().unwrap()).await;
    assert_eq!(available(&net).await, "4.85");

    // The other order's money is still pending; settling it takes it alone.
    let second = json_of(settle(&net, &other).await, 201).await;
    assert_eq!(second["count"], 1);
    assert_eq!(available(&net).await, "29.70");

    let books = json_of(
        net.operator(Method::GET, "/v1/operator/ledger/trial_balance", None)
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(books["balanced"], true, "{books}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_keys_and_bad_requests_are_refused_and_change_nothing() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let unpaid = net.create_order().await.unwrap();
    assert_error(settle(&net, &unpaid).await, 409, "order_not_settleable").await;
    let missing = post(
        &net,
        "/v1/test_helpers/orders/ord_0196a1b2c3d4e5f60718293a4b5c6d7e/settle",
        json!({}),
    )
    .await;
    assert_error(missing, 404, "not_found").await;

    let order = paid_order(&net).await;
    // Currency and amount are checked by the code `POST /v1/payouts` uses (tested in
    // the gateway's suite); one of each here shows the helper goes through it.
    let bad = [
        (
            json!({"amount": "1.00", "currency": "CNY", "outcome": "lost"}),
            400,
            "invalid_json",
        ),
        (
            json!({"amount": "1.00", "currency": "CNY", "to": "6228"}),
            400,
            "invalid_json",
        ),
        (json!({"currency": "CNY"}), 400, "invalid_json"),
        (
            json!({"amount": "1.00", "currency": "XXX"}),
            422,
            "currency_unknown",
        ),
        (
            json!({"amount": "1.001", "currency": "CNY"}),
            422,
            "amount_invalid",
        ),
        // The order's money is not settled: nothing is available yet.
        (
            json!({"amount": "1.00", "currency": "CNY"}),
            422,
            "balance_insufficient",
        ),
    ];
    for (body, status, code) in bad {
        let response = post(&net, "/v1/test_helpers/payouts", body.clone()).await;
        assert_eq!(response.status(), status, "{body}");
        assert_error(response, status, code).await;
    }

    let live = net
        .operator(
            Method::POST,
            "/v1/operator/merchants",
            Some(&json!({
                "name": "Live Cups",
                "settlement_account": {"bank": "CMB", "account_number": "6225880012345678"},
                "key_mode": "live",
            })),
        )
        .await
        .unwrap();
    let live = json_of(live, 201).await;
    let live_key = live["secret_key"].as_str().unwrap();
    for (path, body) in [
        (
            format!("/v1/test_helpers/orders/{}/settle", order.id),
            json!({}),
        ),
        (
            "/v1/test_helpers/payouts".to_owned(),
            json!({"amount": "1.00", "currency": "CNY"}),
        ),
    ] {
        let url = format!("{}{path}", net.gateway_url);
        let refused = net.client.post(&url).bearer_auth(live_key).json(&body);
        assert_error(refused.send().await.unwrap(), 403, "test_mode_only").await;
        let anonymous = net.client.post(&url).json(&body).send().await.unwrap();
        assert_error(anonymous, 401, "unauthenticated").await;
    }

    assert_eq!(get(&net, "/v1/payouts").await["data"], json!([]));
    assert_eq!(get(&net, "/v1/settlements").await["data"], json!([]));
    assert_eq!(available(&net).await, "0.00");
}
