//! A shopper pays on the demo shop through the widget and the sandbox bank, in real
//! headless Chromium.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use fantoccini::Locator;
use paydesk_e2e::{Browser, Stack};

/// The shop learns of the payment by webhook, which may land a moment after the
/// shopper is back: reload its order page until it says paid or the deadline passes.
async fn shop_status_becomes(browser: &Browser, url: &str, expected: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        browser.client.goto(url).await.unwrap();
        let text = browser
            .wait_for("[data-testid=shop-order-status]")
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.trim() == expected || Instant::now() > deadline {
            return text.trim().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn shopper_pays_through_widget_and_sandbox_bank() {
    let stack = Stack::start().await.unwrap();
    let browser = Browser::start(1280).await.unwrap();

    // Demo shop → checkout creates the order server-side and embeds the widget.
    browser.client.goto(&stack.shop_url).await.unwrap();
    browser.click("button[data-action=checkout]").await.unwrap();
    browser
        .wait_for("#paydesk-checkout div.paydesk[data-state=choose]")
        .await
        .unwrap();

    // Choose ICBC with a debit card and pay.
    browser
        .click("input[name=paydesk-card-kind][value=debit]")
        .await
        .unwrap();
    browser.click("button[data-bank=ICBC]").await.unwrap();
    let pay = browser.wait_for("button[data-action=pay]").await.unwrap();
    assert!(
        pay.text().await.unwrap().contains("ICBC"),
        "the Pay button names the bank"
    );
    pay.click().await.unwrap();

    // The sandbox bank's online-banking page.
    browser.wait_for("form#bank-pay").await.unwrap();
    assert!(
        browser
            .client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&stack.bank_url)
    );
    browser
        .fill("input[name=card_number]", "6222 0000 0000 0001")
        .await
        .unwrap();
    browser
        .fill("input[name=password]", "123456")
        .await
        .unwrap();
    browser
        .click("form#bank-pay button[type=submit]")
        .await
        .unwrap();

    // Back on the shop's return page, the widget shows the payment as received.
    browser
        .wait_for("#paydesk-checkout div.paydesk[data-state=paid]")
        .await
        .unwrap();
    let back = browser.client.current_url().await.unwrap();
    assert!(
        back.as_str()
            .starts_with(&format!("{}/checkout/complete", stack.shop_url))
    );
    let status = browser
        .client
        .find(Locator::Css("[data-testid=paydesk-status]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!status.trim().is_empty());

    // The merchant API agrees.
    let ids = stack.order_ids().await.unwrap();
    assert_eq!(ids.len(), 1);
    let order = stack.api_order(&ids[0]).await.unwrap();
    assert_eq!(order["status"], "paid", "{order}");
    assert_eq!(order["attempts"][0]["bank_code"], "ICBC");
    assert_eq!(order["attempts"][0]["status"], "succeeded");

    // And the shop got the webhook.
    let reference = back
        .query_pairs()
        .find(|(k, _)| k == "ref")
        .map(|(_, v)| v.into_owned())
        .expect("return URL carries the shop reference");
    let shop_order = format!("{}/orders/{reference}", stack.shop_url);
    assert_eq!(
        shop_status_becomes(&browser, &shop_order, "paid").await,
        "paid"
    );

    browser.close().await.unwrap();
}
