#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are tests too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::mount;
use leptos::prelude::*;
use paydesk_shared::OrderStatus;
use paydesk_widget::components::status::StatusView;
use paydesk_widget::i18n::Locale;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

struct Fixture {
    m: common::Mounted,
    status: RwSignal<OrderStatus>,
    refunded: RwSignal<bool>,
    choose_again: Arc<AtomicUsize>,
}

fn mount_status(initial: OrderStatus, reason: Option<&str>) -> Fixture {
    mount_with_receipt(initial, reason, None)
}

fn mount_with_receipt(
    initial: OrderStatus,
    reason: Option<&str>,
    receipt_url: Option<&str>,
) -> Fixture {
    let status = RwSignal::new(initial);
    let refunded = RwSignal::new(false);
    let choose_again = Arc::new(AtomicUsize::new(0));
    let count = choose_again.clone();
    let reason = reason.map(str::to_owned);
    let receipt_url = receipt_url.map(str::to_owned);
    let m = mount(move || {
        view! {
            <StatusView
                status=move || status.get()
                failure_reason=move || reason.clone()
                extra_payment_refunded=move || refunded.get()
                receipt_url=receipt_url.clone()
                on_choose_again=Callback::new(move |()| {
                    count.fetch_add(1, Ordering::SeqCst);
                })
                locale=Locale::new("en")
            />
        }
    });
    Fixture {
        m,
        status,
        refunded,
        choose_again,
    }
}

const STATUS: &str = "[data-testid=\"paydesk-status\"]";

#[wasm_bindgen_test]
async fn pending_turns_into_paid_live() {
    let f = mount_status(OrderStatus::Pending, None);
    assert_eq!(f.m.text(STATUS), "Waiting for your bank's confirmation…");

    f.status.set(OrderStatus::Paid);
    leptos::task::tick().await;
    assert_eq!(f.m.text(STATUS), "Payment received");
}

#[wasm_bindgen_test]
async fn a_decline_says_why_and_offers_another_bank() {
    let f = mount_status(OrderStatus::Failed, Some("insufficient_funds"));
    assert_eq!(
        f.m.text(STATUS),
        "Payment failed: the account does not have enough money."
    );

    f.m.click("button[data-action=\"choose-again\"]");
    assert_eq!(f.choose_again.load(Ordering::SeqCst), 1);
}

#[wasm_bindgen_test]
fn final_states_have_their_own_words() {
    let f = mount_status(OrderStatus::Expired, None);
    assert_eq!(f.m.text(STATUS), "This checkout has expired");
    assert!(
        f.m.find("button[data-action=\"choose-again\"]")
            .has_attribute("hidden")
    );
    drop(f);

    let f = mount_status(OrderStatus::Cancelled, None);
    assert_eq!(f.m.text(STATUS), "This order was cancelled");
}

#[wasm_bindgen_test]
fn the_paid_screen_links_the_receipt_in_a_new_tab() {
    let url = "https://gateway.example/receipts/rcpt_1";
    let f = mount_with_receipt(OrderStatus::Paid, None, Some(url));
    let link = f.m.find(".paydesk-status a");
    assert_eq!(link.get_attribute("href").as_deref(), Some(url));
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(f.m.text(".paydesk-status a"), "View your receipt");
    drop(f);

    // Without a URL the link has no href, which the stylesheet hides.
    let f = mount_status(OrderStatus::Pending, None);
    assert!(!f.m.find(".paydesk-status a").has_attribute("href"));
}

#[wasm_bindgen_test]
async fn a_bank_that_has_not_answered_can_be_left_for_another() {
    let f = mount_status(OrderStatus::Pending, None);
    let again = "button[data-action=\"choose-again\"]";
    assert!(!f.m.find(again).has_attribute("hidden"));
    f.m.click(again);
    assert_eq!(f.choose_again.load(Ordering::SeqCst), 1);

    f.status.set(OrderStatus::Paid);
    leptos::task::tick().await;
    assert!(f.m.find(again).has_attribute("hidden"));
}

#[wasm_bindgen_test]
async fn a_second_payment_refunded_is_told_on_the_paid_screen() {
    let f = mount_status(OrderStatus::Paid, None);
    let detail = ".paydesk-status__detail";
    assert_eq!(
        f.m.text(detail),
        "Thank you. The merchant has been told and will take it from here."
    );
    // The other bank's success can land after the order is paid.
    f.refunded.set(true);
    leptos::task::tick().await;
    assert_eq!(
        f.m.text(detail),
        "You paid twice: one payment is being refunded to you."
    );
}

#[wasm_bindgen_test]
async fn a_payment_after_the_order_ended_is_told_as_refunded() {
    let f = mount_status(OrderStatus::Expired, None);
    let detail = ".paydesk-status__detail";
    assert_eq!(
        f.m.text(detail),
        "Return to the shop to place the order again."
    );
    f.refunded.set(true);
    leptos::task::tick().await;
    assert_eq!(
        f.m.text(detail),
        "Your payment came after this order ended: it is being refunded to you."
    );
}
