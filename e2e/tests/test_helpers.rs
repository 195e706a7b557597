//! `POST /v1/test_helpers/orders/{id}/pay` against the real sandbox bank: the gateway
//! plays the shopper, the bank decides and notifies, and the answer shows the order as
//! the verdict left it. Live keys and bad requests are refused and change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use paydesk_e2e::{Network, NetworkOptions, OPERATOR_KEY};
use paydesk_shared::api::OrderResponse;
use reqwest::Method;
use serde_json::{Value, json};

async fn pay(net: &Network, order: &OrderResponse, body: Value) -> reqwest::Response {
    net.merchant(
        Method::POST,
        &format!("/v1/test_helpers/orders/{}/pay", order.id),
        Some(&body),
    )
    .await
    .unwrap()
}

async fn paid_as(net: &Network, body: Value) -> OrderResponse {
    let order = net.create_order().await.unwrap();
    let response = pay(net, &order, body.clone()).await;
    assert_eq!(response.status(), 200, "{body}");
    let answered: OrderResponse = response.json().await.unwrap();
    assert_eq!(answered.id, order.id);
    assert_eq!(answered.attempts.len(), 1, "{body}");
    assert_eq!(
        net.order(&order.id).await.unwrap().status,
        answered.status,
        "the answer is the order as stored"
    );
    answered
}

async fn assert_error(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_outcome_is_played_at_the_sandbox_bank() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();

    let paid = paid_as(&net, json!({})).await;
    assert_eq!(paid.status.as_str(), "paid");
    let attempt = &paid.attempts[0];
    assert_eq!(attempt.status.as_str(), "succeeded");
    assert_eq!(attempt.card_kind.as_str(), "debit");
    assert!(attempt.bank_transaction_id.is_some());
    assert!(paid.receipt_url.is_some());

    let credit = paid_as(
        &net,
        json!({"bank_code": "CMB", "card_kind": "credit", "outcome": "paid"}),
    )
    .await;
    assert_eq!(credit.status.as_str(), "paid");
    assert_eq!(credit.attempts[0].bank_code, "CMB");
    assert_eq!(credit.attempts[0].card_kind.as_str(), "credit");

    for (body, reason) in [
        (json!({"outcome": "declined"}), "insufficient_funds"),
        (
            json!({"outcome": "declined", "decline_reason": "insufficient_funds", "card_kind": "credit"}),
            "insufficient_funds",
        ),
        (
            json!({"outcome": "declined", "decline_reason": "card_expired"}),
            "card_expired",
        ),
        (
            json!({"outcome": "declined", "decline_reason": "card_expired", "card_kind": "credit"}),
            "card_expired",
        ),
        (
            json!({"outcome": "declined", "decline_reason": "cancelled_by_shopper"}),
            "cancelled_by_shopper",
        ),
    ] {
        let declined = paid_as(&net, body.clone()).await;
        assert_eq!(declined.status.as_str(), "failed", "{body}");
        assert_eq!(declined.attempts[0].status.as_str(), "failed", "{body}");
        assert_eq!(
            declined.attempts[0].failure_reason.as_deref(),
            Some(reason),
            "{body}"
        );
    }

    let pending = paid_as(&net, json!({"outcome": "pending", "bank_code": "ABC"})).await;
    assert_eq!(pending.status.as_str(), "pending");
    assert_eq!(pending.attempts[0].status.as_str(), "pending");
    assert_eq!(pending.attempts[0].bank_code, "ABC");

    // A declined order can be paid on, as a shopper would try another card.
    let retried = pay(
        &net,
        &paid_as(&net, json!({"outcome": "declined"})).await,
        json!({}),
    )
    .await;
    assert_eq!(retried.status(), 200);
    let retried: OrderResponse = retried.json().await.unwrap();
    assert_eq!(retried.status.as_str(), "paid");
    assert_eq!(retried.attempts.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_keys_and_bad_requests_are_refused_and_change_nothing() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let order = net.create_order().await.unwrap();

    let bad = [
        (json!({"outcome": "refunded"}), 400, "invalid_json"),
        (
            json!({"outcome": "paid", "cvv": "123"}),
            400,
            "invalid_json",
        ),
        (json!({"card_kind": "prepaid"}), 400, "invalid_json"),
        (
            json!({"outcome": "declined", "decline_reason": "card_locked"}),
            400,
            "invalid_json",
        ),
        (
            json!({"outcome": "paid", "decline_reason": "card_expired"}),
            400,
            "invalid_field",
        ),
        (json!({"bank_code": "NOPE"}), 422, "bank_unknown"),
    ];
    for (body, status, code) in bad {
        assert_error(pay(&net, &order, body).await, status, code).await;
    }
    let missing = net
        .merchant(
            Method::POST,
            "/v1/test_helpers/orders/ord_0196a1b2c3d4e5f60718293a4b5c6d7e/pay",
            Some(&json!({})),
        )
        .await
        .unwrap();
    assert_error(missing, 404, "not_found").await;

    // The poor card holds 10.00: an order it can afford cannot be declined for funds.
    let small = net
        .merchant(
            Method::POST,
            "/v1/orders",
            Some(&json!({
                "currency": "CNY",
                "items": [{"name": "Sample sachet", "quantity": 1, "unit_price": "5.00"}],
                "merchant_reference": "small",
                "return_url": "https://shop.example/checkout/complete",
            })),
        )
        .await
        .unwrap();
    assert_eq!(small.status(), 201);
    let small: OrderResponse = small.json().await.unwrap();
    assert_error(
        pay(&net, &small, json!({"outcome": "declined"})).await,
        422,
        "invalid_field",
    )
    .await;

    // A live key of another merchant: refused before anything is looked up.
    let merchant = net
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
    assert_eq!(merchant.status(), 201, "operator key {OPERATOR_KEY}");
    let live: Value = merchant.json().await.unwrap();
    let live_key = live["secret_key"].as_str().unwrap();
    assert!(live_key.starts_with("sk_live_"));
    let refused = net
        .client
        .post(format!(
            "{}/v1/test_helpers/orders/{}/pay",
            net.gateway_url, order.id
        ))
        .bearer_auth(live_key)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_error(refused, 403, "test_mode_only").await;
    let anonymous = net
        .client
        .post(format!(
            "{}/v1/test_helpers/orders/{}/pay",
            net.gateway_url, order.id
        ))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401, "unauthenticated").await;

    for id in [&order.id, &small.id] {
        let unchanged = net.order(id).await.unwrap();
        assert_eq!(unchanged.status.as_str(), "created");
        assert!(unchanged.attempts.is_empty());
    }

    // A paid order cannot be paid again.
    let paid = pay(&net, &order, json!({})).await;
    assert_eq!(paid.status(), 200);
    assert_error(pay(&net, &order, json!({})).await, 409, "order_not_payable").await;
    assert_eq!(net.order(&order.id).await.unwrap().attempts.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_test_card_decides_and_refunds_to_a_closed_account_fail() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let card = paydesk_shared::sandbox_cards::REFUND_REFUSED_DEBIT.number;
    let paid = paid_as(&net, json!({"card_number": card})).await;
    assert_eq!(paid.status.as_str(), "paid");

    let refund = net
        .merchant(
            Method::POST,
            &format!("/v1/orders/{}/refunds", paid.id),
            Some(&json!({})),
        )
        .await
        .unwrap();
    assert_eq!(refund.status(), 201);
    let refund: Value = refund.json().await.unwrap();
    let path = format!("/v1/refunds/{}", refund["id"].as_str().unwrap());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let failed = loop {
        let now: Value = net
            .merchant(Method::GET, &path, None)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if now["status"] != "pending" {
            break now;
        }
        assert!(std::time::Instant::now() < deadline, "refund still pending");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["failure_reason"], "account_closed");

    let declined = paid_as(
        &net,
        json!({"card_number": "6222 0000 0000 0004", "outcome": "declined"}),
    )
    .await;
    assert_eq!(
        declined.attempts[0].failure_reason.as_deref(),
        Some("card_expired")
    );

    let order = net.create_order().await.unwrap();
    for body in [
        json!({"card_number": "6222000000000099"}),
        json!({"card_number": card, "card_kind": "credit"}),
        json!({"card_number": card, "outcome": "pending"}),
        json!({"card_number": card, "outcome": "declined", "decline_reason": "card_expired"}),
    ] {
        assert_error(pay(&net, &order, body).await, 400, "invalid_field").await;
    }
    assert!(net.order(&order.id).await.unwrap().attempts.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaid_order_expires_now_and_a_paid_one_does_not() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let expire = |id: String| {
        let net = &net;
        async move {
            net.merchant(
                Method::POST,
                &format!("/v1/test_helpers/orders/{id}/expire"),
                Some(&json!({})),
            )
            .await
            .unwrap()
        }
    };
    for body in [
        None,
        Some(json!({"outcome": "pending"})),
        Some(json!({"outcome": "declined"})),
    ] {
        let order = net.create_order().await.unwrap();
        if let Some(body) = body {
            assert_eq!(pay(&net, &order, body).await.status(), 200);
        }
        let response = expire(order.id.clone()).await;
        assert_eq!(response.status(), 200);
        let expired: OrderResponse = response.json().await.unwrap();
        assert_eq!(expired.status.as_str(), "expired");
        let events: Value = net
            .merchant(
                Method::GET,
                &format!("/v1/events?order_id={}&type=order.expired", order.id),
                None,
            )
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            events["data"].as_array().unwrap().len(),
            1,
            "one order.expired"
        );
    }

    let paid = paid_as(&net, json!({})).await;
    assert_error(expire(paid.id.clone()).await, 409, "order_not_payable").await;
    assert_eq!(net.order(&paid.id).await.unwrap().status.as_str(), "paid");
    assert_error(
        expire("ord_0196a1b2c3d4e5f60718293a4b5c6d7e".into()).await,
        404,
        "not_found",
    )
    .await;
}
