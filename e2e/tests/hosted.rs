//! The gateway's hosted checkout page, reached through the shop's "Pay on a Paydesk
//! page", under the gateway's strict Content-Security-Policy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use paydesk_e2e::{Browser, Mode, SharedStack, StackOptions, block_on};

static STACK: SharedStack = SharedStack::new(StackOptions::default);
static EXPIRING: SharedStack = SharedStack::new(common::short_ttl);

#[test]
fn shopper_pays() {
    block_on(async { common::pays(STACK.get().await, Mode::Hosted).await });
}

#[test]
fn declined_then_another_bank_pays() {
    block_on(async { common::declined_then_another_bank(STACK.get().await, Mode::Hosted).await });
}

#[test]
fn back_without_paying_then_another_bank_pays_once() {
    block_on(async {
        common::back_without_paying_then_another_bank(STACK.get().await, Mode::Hosted).await
    });
}

#[test]
fn cancelled_at_the_bank_offers_another_bank() {
    block_on(async { common::cancelled_at_the_bank(STACK.get().await, Mode::Hosted).await });
}

#[test]
fn second_tab_sees_the_payment_live() {
    block_on(async { common::second_tab_follows(STACK.get().await, Mode::Hosted).await });
}

#[test]
fn order_expires() {
    block_on(async { common::expires(EXPIRING.get().await, Mode::Hosted).await });
}

#[test]
fn phone_never_scrolls_sideways() {
    block_on(async { common::phone_never_scrolls_sideways(STACK.get().await, Mode::Hosted).await });
}

/// A zh-TW checkout names the banks in Traditional characters, tagged as such, and
/// says what it will pay with in them.
#[test]
fn zh_tw_names_the_banks_in_traditional_characters() {
    block_on(async {
        let stack = STACK.get().await;
        let browser = Browser::start(1280).await.unwrap();
        let checkout = browser
            .start_checkout(stack, Mode::Hosted, None)
            .await
            .unwrap();
        let url = format!("{}?locale=zh-TW", checkout.url);
        browser.client.goto(&url).await.unwrap();
        browser.widget_state("choose").await.unwrap();
        let name = browser
            .widget_find("button[data-bank=ICBC] .paydesk-bank__zh")
            .await
            .unwrap();
        assert_eq!(name.text().await.unwrap(), "中國工商銀行");
        assert_eq!(name.attr("lang").await.unwrap().as_deref(), Some("zh-TW"));
        browser.choose_bank("ICBC", "debit").await.unwrap();
        let pay = browser
            .widget_text("button[data-action=pay]")
            .await
            .unwrap();
        assert!(pay.contains("中國工商銀行"), "{pay}");
        browser.expect_no_csp_violations().await.unwrap();
        browser.close().await.unwrap();
    });
}

#[test]
fn the_last_used_bank_survives_a_reload_and_a_new_tab() {
    block_on(async { common::last_used_bank_is_remembered(STACK.get().await, Mode::Hosted).await });
}
