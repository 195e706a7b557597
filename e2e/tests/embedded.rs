//! The widget embedded in the demo shop's checkout page, inside a shadow root, under
//! the shop's strict Content-Security-Policy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use paydesk_e2e::{Browser, Mode, SharedStack, StackOptions, block_on};

static STACK: SharedStack = SharedStack::new(StackOptions::default);
static EXPIRING: SharedStack = SharedStack::new(common::short_ttl);

#[test]
fn shopper_pays() {
    block_on(async { common::pays(STACK.get().await, Mode::Embedded).await });
}

#[test]
fn declined_then_another_bank_pays() {
    block_on(async { common::declined_then_another_bank(STACK.get().await, Mode::Embedded).await });
}

#[test]
fn back_without_paying_then_another_bank_pays_once() {
    block_on(async {
        common::back_without_paying_then_another_bank(STACK.get().await, Mode::Embedded).await
    });
}

#[test]
fn cancelled_at_the_bank_offers_another_bank() {
    block_on(async { common::cancelled_at_the_bank(STACK.get().await, Mode::Embedded).await });
}

#[test]
fn second_tab_sees_the_payment_live() {
    block_on(async { common::second_tab_follows(STACK.get().await, Mode::Embedded).await });
}

#[test]
fn order_expires() {
    block_on(async { common::expires(EXPIRING.get().await, Mode::Embedded).await });
}

#[test]
fn phone_never_scrolls_sideways() {
    block_on(async {
        common::phone_never_scrolls_sideways(STACK.get().await, Mode::Embedded).await
    });
}

/// The console checks of these tests would pass vacuously if violations never reached it:
/// an inline script, which the strict policy forbids, must show up.
#[test]
fn csp_violations_are_caught() {
    block_on(async {
        let stack = STACK.get().await;
        let browser = Browser::start(1280).await.unwrap();
        browser
            .start_checkout(stack, Mode::Embedded, None)
            .await
            .unwrap();
        browser.expect_no_csp_violations().await.unwrap();
        let ran = browser
            .client
            .execute(
                "const s = document.createElement('script');
                 s.textContent = 'window.paydeskInlineRan = true;';
                 document.head.append(s);
                 return window.paydeskInlineRan === true;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(ran, false, "the shop's policy blocks inline scripts");
        let error = browser.expect_no_csp_violations().await.unwrap_err();
        assert!(
            format!("{error:#}").contains("inline"),
            "the violation is reported: {error:#}"
        );
        browser.close().await.unwrap();
    });
}

#[test]
fn the_last_used_bank_survives_a_reload_and_a_new_tab() {
    block_on(async {
        common::last_used_bank_is_remembered(STACK.get().await, Mode::Embedded).await
    });
}
