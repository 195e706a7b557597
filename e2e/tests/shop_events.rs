//! The demo shop against the real gateway and sandbox bank: every order event it
//! receives (paid, refunded in part and in full, cancelled, expired) shows on its
//! order page, driven through the merchant API and the test helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use paydesk_e2e::{SharedStack, Stack, StackOptions, block_on};
use reqwest::redirect::Policy;
use serde_json::{Value, json};

static STACK: SharedStack = SharedStack::new(StackOptions::default);

/// Checks out one Longjing tin (25.00) at the shop: its reference and the gateway's
/// order id.
async fn shop_order(stack: &Stack) -> (String, String) {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(format!("{}/checkout", stack.shop_url))
        .form(&[("qty-longjing", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap();
    let reference = location.trim_start_matches("/checkout/").to_owned();
    let order_id = stack.order_id_for(&reference).await.unwrap();
    (reference, order_id)
}

/// A merchant API call with the demo merchant's test key.
async fn call(stack: &Stack, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", stack.gateway_url))
        .bearer_auth(stack.secret_key())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

async fn page(stack: &Stack, reference: &str) -> String {
    reqwest::get(format!("{}/orders/{reference}", stack.shop_url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[test]
fn a_paid_order_refunded_in_part_then_in_full_shows_each_step() {
    block_on(async {
        let stack = STACK.get().await;
        let (reference, order) = shop_order(stack).await;
        let pay = format!("/v1/test_helpers/orders/{order}/pay");
        call(stack, &pay, json!({})).await;
        assert_eq!(stack.shop_status_becomes(&reference, "paid").await, "paid");

        let refunds = format!("/v1/orders/{order}/refunds");
        call(stack, &refunds, json!({"amount": "10.00"})).await;
        let status = stack
            .shop_status_becomes(&reference, "partly refunded")
            .await;
        assert_eq!(status, "partly refunded");
        let shown = page(stack, &reference).await;
        assert!(shown.contains("10.00 CNY was refunded since"), "{shown}");

        call(stack, &refunds, json!({})).await;
        assert_eq!(
            stack.shop_status_becomes(&reference, "refunded").await,
            "refunded"
        );
        let shown = page(stack, &reference).await;
        assert!(shown.contains("Everything was refunded since"), "{shown}");
        assert!(shown.contains("refunded in full; do not ship"), "{shown}");
        assert!(shown.contains("part of the payment refunded"), "{shown}");
    });
}

#[test]
fn an_unpaid_order_cancelled_or_expired_shows_so() {
    block_on(async {
        let stack = STACK.get().await;
        let (cancelled, order) = shop_order(stack).await;
        call(stack, &format!("/v1/orders/{order}/cancel"), json!({})).await;
        assert_eq!(
            stack.shop_status_becomes(&cancelled, "cancelled").await,
            "cancelled"
        );
        assert!(
            page(stack, &cancelled)
                .await
                .contains("cancelled unpaid; nothing to ship")
        );

        let (expired, order) = shop_order(stack).await;
        let expire = format!("/v1/test_helpers/orders/{order}/expire");
        call(stack, &expire, json!({})).await;
        assert_eq!(
            stack.shop_status_becomes(&expired, "expired").await,
            "expired"
        );
        assert!(
            page(stack, &expired)
                .await
                .contains("expired unpaid; nothing to ship")
        );
    });
}
