//! Two merchants created through the operator API, each paid by a shopper in real
//! headless Chromium on its hosted checkout page: each sees only its own orders,
//! events, balance and payouts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use paydesk_e2e::{Browser, Checkout, Mode, OPERATOR_KEY, RICH_CARD, Stack, block_on};
use serde_json::{Value, json};

const RETURN_URL: &str = "https://merchant.example/done";

async fn call(
    stack: &Stack,
    method: reqwest::Method,
    key: &str,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", stack.gateway_url))
        .bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// A merchant created by the operator, with its secret key.
async fn merchant(stack: &Stack, name: &str, account: &str) -> (String, String) {
    let body = json!({
        "name": name,
        "settlement_account": {"bank": "ICBC", "account_number": account},
        "return_urls": [RETURN_URL],
    });
    let m = call(
        stack,
        reqwest::Method::POST,
        OPERATOR_KEY,
        "/v1/operator/merchants",
        Some(body),
    )
    .await;
    (
        m["id"].as_str().unwrap().to_owned(),
        m["secret_key"].as_str().unwrap().to_owned(),
    )
}

/// The merchant's order, paid by a shopper on its hosted page.
async fn paid_in_browser(stack: &Stack, browser: &Browser, key: &str, price: &str) -> String {
    let order = call(
        stack,
        reqwest::Method::POST,
        key,
        "/v1/orders",
        Some(json!({
            "currency": "CNY",
            "items": [{"name": "Tea", "quantity": 1, "unit_price": price}],
            "merchant_reference": format!("ref-{price}"),
            "return_url": RETURN_URL,
        })),
    )
    .await;
    let hosted = order["hosted_url"].as_str().unwrap().to_owned();
    browser.client.goto(&hosted).await.unwrap();
    browser.widget_state("choose").await.unwrap();
    browser.choose_bank("ICBC", "debit").await.unwrap();
    browser.pay_at_bank_page(stack, "ICBC").await.unwrap();
    browser.bank_submit(RICH_CARD).await.unwrap();
    let checkout = Checkout {
        mode: Mode::Hosted,
        reference: String::new(),
        url: hosted,
    };
    browser.back_from_bank(stack, &checkout).await.unwrap();
    browser.widget_state("paid").await.unwrap();
    order["id"].as_str().unwrap().to_owned()
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn two_merchants_each_see_only_their_own_payments_and_money() {
    block_on(async {
        let stack = Stack::start().await.unwrap();
        let (_, tea) = merchant(&stack, "Tea House", "6222020000002001").await;
        let (_, cups) = merchant(&stack, "Cup Works", "6222020000002002").await;
        let browser = Browser::start(1280).await.unwrap();
        let tea_order = paid_in_browser(&stack, &browser, &tea, "30.00").await;
        let cups_order = paid_in_browser(&stack, &browser, &cups, "50.00").await;
        browser.close().await.unwrap();

        for (key, mine, theirs) in [
            (&tea, &tea_order, &cups_order),
            (&cups, &cups_order, &tea_order),
        ] {
            let orders = call(&stack, reqwest::Method::GET, key, "/v1/orders", None).await;
            assert_eq!(ids(&orders, "id"), vec![mine.clone()]);
            let events = call(&stack, reqwest::Method::GET, key, "/v1/events", None).await;
            let subjects: Vec<String> = events["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    e["data"]["order"]["id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect();
            assert!(
                !subjects.is_empty() && subjects.iter().all(|s| s == mine),
                "{events}"
            );
            let other = reqwest::Client::new()
                .get(format!("{}/v1/orders/{theirs}", stack.gateway_url))
                .bearer_auth(key)
                .send()
                .await
                .unwrap();
            assert_eq!(other.status(), 404);
        }
        let tea_balance = call(&stack, reqwest::Method::GET, &tea, "/v1/balance", None).await;
        assert_eq!(
            tea_balance["pending"],
            json!([{"currency": "CNY", "amount": "29.82"}])
        );
        let cups_balance = call(&stack, reqwest::Method::GET, &cups, "/v1/balance", None).await;
        assert_eq!(
            cups_balance["pending"],
            json!([{"currency": "CNY", "amount": "49.70"}])
        );

        let run = call(
            &stack,
            reqwest::Method::POST,
            OPERATOR_KEY,
            "/v1/operator/settlement_runs",
            Some(json!({})),
        )
        .await;
        assert_eq!(run["payouts"].as_array().unwrap().len(), 2, "{run}");
        for (key, amount, account) in [
            (&tea, "29.82", "6222020000002001"),
            (&cups, "49.70", "6222020000002002"),
        ] {
            let payouts = call(&stack, reqwest::Method::GET, key, "/v1/payouts", None).await;
            let data = payouts["data"].as_array().unwrap();
            assert_eq!(data.len(), 1, "{payouts}");
            assert_eq!(data[0]["amount"], amount);
            assert_eq!(data[0]["destination"]["account_number"], account);
        }
    });
}
