//! The checkout scenarios, each run in both modes by `embedded.rs` and `hosted.rs`:
//! a shopper pays through the widget and the sandbox bank in real headless Chromium,
//! under a strict Content-Security-Policy (the demo shop's, or the hosted page's).

use std::time::Duration;

use paydesk_e2e::{Browser, Checkout, Mode, POOR_CARD, RICH_CARD, Stack, StackOptions};

/// How long orders live on the expiry tests' stack: long enough to open the checkout
/// (hosted: through the shop's link), short enough to wait for.
pub(crate) const SHORT_TTL: Duration = Duration::from_secs(8);

pub(crate) fn short_ttl() -> StackOptions {
    StackOptions {
        order_ttl: SHORT_TTL,
        ..StackOptions::default()
    }
}

/// Checks that the widget runs where the mode says: in the shop's element, or on
/// the gateway's page at the order's `hosted_url`.
async fn check_placement(browser: &Browser, stack: &Stack, checkout: &Checkout) {
    let order = stack
        .api_order(&stack.order_id_for(&checkout.reference).await.unwrap())
        .await
        .unwrap();
    match checkout.mode {
        Mode::Embedded => {
            let host = browser.widget_host().await.unwrap();
            assert_eq!(
                host.attr("id").await.unwrap().as_deref(),
                Some("paydesk-checkout"),
                "the widget mounts in the shop's element"
            );
        }
        Mode::Hosted => assert_eq!(
            checkout.url, order["hosted_url"],
            "the shop links to the order's hosted page"
        ),
    }
}

/// How many times the page asked the gateway for the widget's session, and whether
/// the one request started before the widget's WebAssembly had arrived.
const SESSION_REQUESTS: &str = "const entries = performance.getEntriesByType('resource');
const sessions = entries.filter((e) => e.name.includes('/v1/widget/session'));
const wasm = entries.find((e) => e.name.endsWith('.wasm'));
return [sessions.length, !!wasm && sessions.length === 1 && sessions[0].startTime < wasm.responseEnd];";

/// A new checkout in a fresh browser, the shopper on ICBC's page with a debit card.
async fn at_first_bank(stack: &Stack, mode: Mode) -> (Browser, Checkout) {
    let browser = Browser::start(1280).await.unwrap();
    let checkout = browser.start_checkout(stack, mode, None).await.unwrap();
    browser.choose_bank("ICBC", "debit").await.unwrap();
    browser.pay_at_bank_page(stack, "ICBC").await.unwrap();
    (browser, checkout)
}

/// Presses Choose another bank and waits for the bank list.
async fn choose_again(browser: &Browser) {
    browser
        .widget_click("button[data-action=choose-again]")
        .await
        .unwrap();
    browser.widget_state("choose").await.unwrap();
}

/// From the bank list: chooses `bank` with a debit card, pays on its page with the
/// rich card and waits for the paid screen where the widget runs.
async fn pay_with_debit_card(browser: &Browser, stack: &Stack, checkout: &Checkout, bank: &str) {
    browser.choose_bank(bank, "debit").await.unwrap();
    browser.pay_at_bank_page(stack, bank).await.unwrap();
    browser.bank_submit(RICH_CARD).await.unwrap();
    browser.back_from_bank(stack, checkout).await.unwrap();
    browser.widget_state("paid").await.unwrap();
}

pub(crate) async fn pays(stack: &Stack, mode: Mode) {
    let browser = Browser::start(1280).await.unwrap();
    let checkout = browser.start_checkout(stack, mode, None).await.unwrap();
    check_placement(&browser, stack, &checkout).await;
    // The loader asks for the session alongside the widget's files; the widget reads
    // that answer rather than asking again.
    let sessions = browser
        .client
        .execute(SESSION_REQUESTS, vec![])
        .await
        .unwrap();
    assert_eq!(
        sessions,
        serde_json::json!([1, true]),
        "one session request per checkout, started before the WebAssembly arrived"
    );

    pay_with_debit_card(&browser, stack, &checkout, "ICBC").await;
    let status = browser
        .widget_text("[data-testid=paydesk-status]")
        .await
        .unwrap();
    assert!(!status.is_empty(), "the widget says the order is paid");

    let id = stack.order_id_for(&checkout.reference).await.unwrap();
    let order = stack.api_order(&id).await.unwrap();
    assert_eq!(order["status"], "paid", "{order}");
    assert_eq!(order["attempts"].as_array().unwrap().len(), 1, "{order}");
    assert_eq!(order["attempts"][0]["bank_code"], "ICBC");
    assert_eq!(order["attempts"][0]["status"], "succeeded");
    assert_eq!(
        stack.shop_status_becomes(&checkout.reference, "paid").await,
        "paid",
        "the shop hears of the payment by webhook"
    );
    // The paid screen links the shopper's receipt, which opens.
    let receipt = browser
        .widget_find(".paydesk-status a[href]")
        .await
        .unwrap();
    assert!(receipt.is_displayed().await.unwrap());
    let href = receipt.attr("href").await.unwrap();
    assert_eq!(href.as_deref(), order["receipt_url"].as_str(), "{order}");
    browser.expect_no_csp_violations().await.unwrap();
    browser.client.goto(href.as_deref().unwrap()).await.unwrap();
    let total = browser.wait_for("[data-testid=total]").await.unwrap();
    assert!(!total.text().await.unwrap().is_empty());
    browser.close().await.unwrap();
}

pub(crate) async fn declined_then_another_bank(stack: &Stack, mode: Mode) {
    let (browser, checkout) = at_first_bank(stack, mode).await;
    browser.bank_submit(POOR_CARD).await.unwrap();
    browser.back_from_bank(stack, &checkout).await.unwrap();
    browser.widget_state("failed").await.unwrap();
    let status = browser
        .widget_text("[data-testid=paydesk-status]")
        .await
        .unwrap();
    assert!(
        status.contains("enough money"),
        "the widget gives the bank's reason: `{status}`"
    );

    choose_again(&browser).await;
    pay_with_debit_card(&browser, stack, &checkout, "CMB").await;

    let id = stack.order_id_for(&checkout.reference).await.unwrap();
    let order = stack.api_order(&id).await.unwrap();
    assert_eq!(order["status"], "paid", "{order}");
    let attempts = order["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{order}");
    assert_eq!(attempts[0]["bank_code"], "ICBC");
    assert_eq!(attempts[0]["status"], "failed");
    assert_eq!(attempts[0]["failure_reason"], "insufficient_funds");
    assert_eq!(attempts[1]["bank_code"], "CMB");
    assert_eq!(attempts[1]["status"], "succeeded");
    assert_eq!(
        stack.shop_status_becomes(&checkout.reference, "paid").await,
        "paid"
    );
    browser.expect_no_csp_violations().await.unwrap();
    browser.close().await.unwrap();
}

/// The shopper leaves the first bank's page without paying (the browser's Back), so
/// the widget waits for that bank; they choose another bank there and pay. Then they
/// pay on the first bank's page after all: the order keeps one payment, the other is
/// refunded, and the widget and the receipt say so.
pub(crate) async fn back_without_paying_then_another_bank(stack: &Stack, mode: Mode) {
    let (browser, checkout) = at_first_bank(stack, mode).await;
    let first_bank = browser.client.current_url().await.unwrap();
    browser.client.back().await.unwrap();
    browser.widget_state("pending").await.unwrap();

    choose_again(&browser).await;
    pay_with_debit_card(&browser, stack, &checkout, "CMB").await;
    let id = stack.order_id_for(&checkout.reference).await.unwrap();
    let order = stack.api_order(&id).await.unwrap();
    let banks: Vec<_> = order["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["bank_code"].as_str(), a["status"].as_str()))
        .collect();
    assert_eq!(
        banks,
        [
            (Some("ICBC"), Some("pending")),
            (Some("CMB"), Some("succeeded"))
        ],
        "{order}"
    );

    // The first bank's page is still open in the history: paying there too.
    browser.client.goto(first_bank.as_str()).await.unwrap();
    browser.bank_submit(RICH_CARD).await.unwrap();
    browser.back_from_bank(stack, &checkout).await.unwrap();
    browser.widget_state("paid").await.unwrap();
    // The first bank's success may land just after the page is back.
    let told = paydesk_e2e::eventually("the paid screen to tell of the refund", || async {
        let detail = browser.widget_text(".paydesk-status__detail").await.ok()?;
        detail.contains("twice").then_some(detail)
    })
    .await;
    assert_eq!(
        told,
        "You paid twice: one payment is being refunded to you."
    );

    let order = stack.api_order(&id).await.unwrap();
    assert_eq!(order["status"], "paid", "{order}");
    let attempts = order["attempts"].as_array().unwrap();
    assert!(
        attempts.iter().all(|a| a["status"] == "succeeded"),
        "{order}"
    );
    assert_eq!(
        stack.shop_status_becomes(&checkout.reference, "paid").await,
        "paid"
    );
    // The receipt is of the kept payment and lists the other one as given back.
    let receipt = browser
        .widget_find(".paydesk-status a[href]")
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    browser.expect_no_csp_violations().await.unwrap();
    browser.client.goto(&receipt).await.unwrap();
    browser
        .wait_for("[data-testid=returned-payment]")
        .await
        .unwrap();
    let returned = browser
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=returned-payment]"))
        .await
        .unwrap();
    assert_eq!(returned.len(), 1, "one of the two payments goes back");
    let kept = browser.wait_for("[data-testid=bank]").await.unwrap();
    assert!(
        kept.text().await.unwrap().contains("CMB"),
        "the receipt is of the payment at the second bank"
    );
    browser.close().await.unwrap();
}

/// The bank page's Cancel leads back to the widget, which says so and offers another
/// bank.
pub(crate) async fn cancelled_at_the_bank(stack: &Stack, mode: Mode) {
    let (browser, checkout) = at_first_bank(stack, mode).await;
    browser.click("button[data-action=cancel]").await.unwrap();
    browser.back_from_bank(stack, &checkout).await.unwrap();
    browser.widget_state("failed").await.unwrap();
    let status = browser
        .widget_text("[data-testid=paydesk-status]")
        .await
        .unwrap();
    assert_eq!(
        status,
        "Payment failed: the payment was cancelled at the bank."
    );
    choose_again(&browser).await;
    browser.close().await.unwrap();
}

/// Marks the current page so a later check can tell it was never reloaded.
const MARK: &str = "window.paydeskE2eSameDocument = true;";
const MARKED: &str = "return window.paydeskE2eSameDocument === true;";

pub(crate) async fn second_tab_follows(stack: &Stack, mode: Mode) {
    let browser = Browser::start(1280).await.unwrap();
    let checkout = browser.start_checkout(stack, mode, None).await.unwrap();
    let first = browser.client.window().await.unwrap();

    // A second tab on the same order.
    let second = browser.client.new_window(true).await.unwrap().handle;
    browser
        .client
        .switch_to_window(second.clone())
        .await
        .unwrap();
    browser.client.goto(&checkout.url).await.unwrap();
    browser.widget_state("choose").await.unwrap();
    browser.client.execute(MARK, vec![]).await.unwrap();

    // The first tab leaves for the bank: the second sees the payment start…
    browser
        .client
        .switch_to_window(first.clone())
        .await
        .unwrap();
    browser.choose_bank("ICBC", "debit").await.unwrap();
    browser.pay_at_bank_page(stack, "ICBC").await.unwrap();
    browser
        .client
        .switch_to_window(second.clone())
        .await
        .unwrap();
    browser.widget_state("pending").await.unwrap();

    // …and, without a reload, the payment succeed.
    browser.client.switch_to_window(first).await.unwrap();
    browser.bank_submit(RICH_CARD).await.unwrap();
    browser.back_from_bank(stack, &checkout).await.unwrap();
    browser.widget_state("paid").await.unwrap();
    browser.client.switch_to_window(second).await.unwrap();
    browser.widget_state("paid").await.unwrap();
    assert_eq!(
        browser.client.execute(MARKED, vec![]).await.unwrap(),
        true,
        "the second tab changed status live, in the same document"
    );
    browser.expect_no_csp_violations().await.unwrap();
    browser.close().await.unwrap();
}

pub(crate) async fn phone_never_scrolls_sideways(stack: &Stack, mode: Mode) {
    let browser = Browser::start(360).await.unwrap();
    browser.start_checkout(stack, mode, None).await.unwrap();
    assert_eq!(browser.viewport_width().await.unwrap(), 360);
    assert_eq!(browser.horizontal_overflow().await.unwrap(), None, "choose");
    browser.choose_bank("ICBC", "debit").await.unwrap();
    assert_eq!(browser.horizontal_overflow().await.unwrap(), None, "chosen");
    browser
        .widget_fill("input[data-testid=paydesk-search]", "gongshang")
        .await
        .unwrap();
    browser
        .widget_find("[role=option][data-bank=ICBC]")
        .await
        .unwrap();
    assert_eq!(browser.horizontal_overflow().await.unwrap(), None, "search");
    browser.expect_no_csp_violations().await.unwrap();
    browser.close().await.unwrap();
}

/// An order nobody pays expires: the widget counts down, then shows it expired and
/// no longer offers to pay; the API agrees. `stack` must make orders that expire in
/// seconds ([`SHORT_TTL`]).
pub(crate) async fn expires(stack: &Stack, mode: Mode) {
    let browser = Browser::start(1280).await.unwrap();
    let checkout = browser.start_checkout(stack, mode, None).await.unwrap();
    let countdown = browser
        .widget_text("[data-testid=paydesk-countdown]")
        .await
        .unwrap();
    assert!(
        countdown.chars().any(|c| c.is_ascii_digit()),
        "the widget counts down to the expiry: `{countdown}`"
    );

    // The countdown runs out on its own; `widget_state` waits 30 s at most.
    browser.widget_state("expired").await.unwrap();
    assert!(
        browser
            .widget_find_now("button[data-action=pay]")
            .await
            .unwrap()
            .is_none(),
        "an expired order offers no Pay button"
    );
    assert!(
        browser
            .widget_find_now("[data-bank]")
            .await
            .unwrap()
            .is_none(),
        "nor banks to choose"
    );

    let id = stack.order_id_for(&checkout.reference).await.unwrap();
    let order = stack.api_order(&id).await.unwrap();
    assert_eq!(order["status"], "expired", "{order}");
    assert!(order["attempts"].as_array().unwrap().is_empty(), "{order}");

    // A fresh load of the page agrees.
    browser.client.goto(&checkout.url).await.unwrap();
    browser.widget_state("expired").await.unwrap();
    browser.expect_no_csp_violations().await.unwrap();
    browser.close().await.unwrap();
}

/// The bank a shopper went to last is chosen for them on the next checkout, after a
/// reload, and in a new tab of the same browser.
pub(crate) async fn last_used_bank_is_remembered(stack: &Stack, mode: Mode) {
    let browser = Browser::start(1280).await.unwrap();
    browser.start_checkout(stack, mode, None).await.unwrap();
    let pay = browser
        .widget_text("button[data-action=pay]")
        .await
        .unwrap();
    assert!(
        !pay.contains("CMB"),
        "nothing chosen on a first visit: `{pay}`"
    );
    browser.choose_bank("CMB", "debit").await.unwrap();
    browser.pay_at_bank_page(stack, "CMB").await.unwrap();

    let chosen = async |when: &str| {
        let pay = browser
            .widget_text("button[data-action=pay]")
            .await
            .unwrap();
        assert!(pay.contains("CMB"), "{when}: the Pay button reads `{pay}`");
    };
    let next = browser.start_checkout(stack, mode, None).await.unwrap();
    chosen("the next checkout").await;
    browser.client.refresh().await.unwrap();
    browser.widget_state("choose").await.unwrap();
    chosen("after a reload").await;

    let tab = browser.client.new_window(true).await.unwrap();
    browser.client.switch_to_window(tab.handle).await.unwrap();
    browser.client.goto(&next.url).await.unwrap();
    browser.widget_state("choose").await.unwrap();
    chosen("in a new tab").await;
    browser.close().await.unwrap();
}
