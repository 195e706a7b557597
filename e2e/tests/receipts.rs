//! The shopper's receipt in real headless Chromium: an order paid at the real sandbox
//! bank and partly refunded there, its `receipt_url` opened on a 360 px phone in
//! English and Chinese, light and dark. It shows the payment as the bank made it, has
//! no axe-core violation, never scrolls sideways and breaks no Content-Security-Policy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use paydesk_e2e::{Axe, AxeScope, Browser, BrowserOptions, Network, NetworkOptions, RICH_CARD};
use paydesk_gateway::domain::ids::receipt_token;
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse, RefundResponse};
use reqwest::Method;
use serde_json::json;

const PHONE: u32 = 360;

/// An order paid with [`RICH_CARD`] at ICBC, once the gateway has applied the verdict.
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
    loop {
        let now = net.order(&order.id).await.unwrap();
        if now.status.as_str() == "paid" {
            return now;
        }
        assert!(Instant::now() < deadline, "order not paid");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Refunds `amount` of the order and waits for the bank's answer.
async fn refunded(net: &Network, order: &OrderResponse, amount: &str) -> RefundResponse {
    let created: RefundResponse = net
        .merchant(
            Method::POST,
            &format!("/v1/orders/{}/refunds", order.id),
            Some(&json!({ "amount": amount })),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let refund: RefundResponse = net
            .merchant(Method::GET, &format!("/v1/refunds/{}", created.id), None)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if refund.status != "pending" {
            return refund;
        }
        assert!(
            Instant::now() < deadline,
            "refund {} still pending",
            created.id
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The visible text of the first element matching `css`.
async fn text(browser: &Browser, css: &str) -> String {
    browser.wait_for(css).await.unwrap().text().await.unwrap()
}

/// `document.documentElement.scrollWidth <= clientWidth`, as `(scroll, client)`.
async fn widths(browser: &Browser) -> (u64, u64) {
    let sizes = browser
        .client
        .execute(
            "const e = document.documentElement; return [e.scrollWidth, e.clientWidth];",
            vec![],
        )
        .await
        .unwrap();
    (sizes[0].as_u64().unwrap(), sizes[1].as_u64().unwrap())
}

/// Opens the receipt at `url` and checks it fits the phone, passes axe and keeps to
/// its policy; `label` names the case in failures.
async fn check_page(browser: &Browser, axe: &Axe, url: &str, label: &str) {
    check_any_page(browser, axe, url, "[data-testid=total]", label).await;
}

/// [`check_page`] for any receipt page: `ready` matches once it has loaded.
async fn check_any_page(browser: &Browser, axe: &Axe, url: &str, ready: &str, label: &str) {
    // Forget what the console said before (axe's own measuring on the last page).
    browser.console().await.unwrap();
    browser.client.goto(url).await.unwrap();
    browser.wait_for(ready).await.unwrap();
    assert_eq!(browser.viewport_width().await.unwrap(), u64::from(PHONE));
    let (scroll, client) = widths(browser).await;
    assert!(
        scroll <= client,
        "{label}: the receipt scrolls sideways ({scroll} > {client})"
    );
    assert_eq!(
        browser.horizontal_overflow().await.unwrap(),
        None,
        "{label}"
    );
    browser.expect_no_csp_violations().await.unwrap();
    browser
        .expect_accessible(axe, AxeScope::Page, label)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_and_refunded_order_has_an_accessible_receipt_that_fits_a_phone() {
    let axe = Axe::from_env().unwrap();
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let order = paid_order(&net).await;
    let receipt_url = order.receipt_url.clone().expect("a paid order's receipt");
    assert!(
        receipt_url.starts_with(&format!("{}/receipts/rcpt_", net.gateway_url)),
        "{receipt_url}"
    );
    let attempt = &order.attempts[0];
    let bank_transaction = attempt.bank_transaction_id.clone().expect("the bank's id");
    let refund = refunded(&net, &order, "5.00").await;
    assert_eq!(refund.status, "succeeded");

    let browser = Browser::start(PHONE).await.unwrap();
    check_page(&browser, &axe, &receipt_url, "receipt en light").await;
    assert_eq!(
        text(&browser, "[data-testid=merchant]").await,
        "Paydesk Tea House"
    );
    assert_eq!(text(&browser, "[data-testid=total]").await, "CNY 25.00");
    let item = text(&browser, "[data-testid=item]").await;
    assert!(
        item.contains("Longjing tea") && item.contains("1 × CNY 25.00"),
        "{item}"
    );
    assert_eq!(
        text(&browser, "[data-testid=bank]").await,
        "Industrial and Commercial Bank of China (ICBC)"
    );
    // The card the bank says was used: the rich test card, masked.
    let card = text(&browser, "[data-testid=card]").await;
    let last4 = &RICH_CARD.replace(' ', "")[12..];
    assert!(card.ends_with(&format!("•••• {last4}")), "{card}");
    assert!(
        text(&browser, "[data-testid=paid-at]")
            .await
            .ends_with(" UTC")
    );
    assert_eq!(text(&browser, "[data-testid=order-id]").await, order.id);
    assert_eq!(text(&browser, "[data-testid=attempt-id]").await, attempt.id);
    assert_eq!(
        text(&browser, "[data-testid=bank-transaction-id]").await,
        bank_transaction
    );
    let refund_row = text(&browser, "[data-testid=refund][data-status=succeeded]").await;
    assert!(
        refund_row.contains("CNY 5.00") && refund_row.contains("Refunded"),
        "{refund_row}"
    );

    check_page(
        &browser,
        &axe,
        &format!("{receipt_url}?lang=zh-CN"),
        "receipt zh-CN light",
    )
    .await;
    assert_eq!(text(&browser, "h1").await, "付款收据");
    assert_eq!(text(&browser, "[data-testid=bank]").await, "中国工商银行");
    check_page(
        &browser,
        &axe,
        &format!("{receipt_url}?lang=zh-TW"),
        "receipt zh-TW light",
    )
    .await;
    assert_eq!(text(&browser, "h1").await, "付款收據");
    browser.close().await.unwrap();

    let dark = Browser::start_with(&BrowserOptions::width(PHONE).dark())
        .await
        .unwrap();
    check_page(&dark, &axe, &receipt_url, "receipt en dark").await;
    assert!(dark.page_prefers_dark().await.unwrap());

    // An order not paid has no receipt yet: a page that says so, as accessible.
    let unpaid = net.create_order().await.unwrap();
    assert_eq!(unpaid.receipt_url, None);
    let unpaid_receipt = format!(
        "{}/receipts/{}",
        net.gateway_url,
        receipt_token(&unpaid.id, &unpaid.client_token)
    );
    check_any_page(&dark, &axe, &unpaid_receipt, "h1", "no receipt en dark").await;
    assert_eq!(text(&dark, "h1").await, "We could not find this receipt");
    dark.close().await.unwrap();
}
