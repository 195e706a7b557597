#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are tests too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};

use common::{mount, session};
use leptos::prelude::*;
use paydesk_shared::bank::CardKind;
use paydesk_widget::components::checkout::{Checkout, PayChoice};
use paydesk_widget::i18n::Locale;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the checkout; Pay makes it busy, as the app does while it redirects.
fn mount_checkout() -> (common::Mounted, Arc<Mutex<Vec<PayChoice>>>, RwSignal<bool>) {
    let paid = Arc::new(Mutex::new(Vec::new()));
    let record = paid.clone();
    let busy = RwSignal::new(false);
    let m = mount(move || {
        view! {
            <Checkout
                session=session()
                busy=busy
                error={None::<&'static str>}
                on_pay=Callback::new(move |choice| {
                    busy.set(true);
                    record.lock().unwrap().push(choice);
                })
                locale=Locale::new("en")
            />
        }
    });
    (m, paid, busy)
}

fn pay_button(m: &common::Mounted) -> HtmlButtonElement {
    m.find("button[data-action=\"pay\"]").unchecked_into()
}

fn radio(m: &common::Mounted, kind: &str) -> HtmlInputElement {
    m.find(&format!(
        "input[type=radio][name=\"paydesk-card-kind\"][value=\"{kind}\"]"
    ))
    .unchecked_into()
}

#[wasm_bindgen_test]
async fn choosing_a_bank_names_it_on_the_pay_button() {
    let (m, paid, _) = mount_checkout();

    assert_eq!(pay_button(&m).text_content().unwrap(), "Pay ¥25.00");
    assert!(pay_button(&m).disabled());

    m.click("button[data-bank=\"ICBC\"]");
    leptos::task::tick().await;

    assert_eq!(
        pay_button(&m).text_content().unwrap(),
        "Pay ¥25.00 with ICBC"
    );
    assert!(!pay_button(&m).disabled());
    assert_eq!(
        m.find("button[data-bank=\"ICBC\"]")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );

    pay_button(&m).click();
    leptos::task::tick().await;
    assert_eq!(
        *paid.lock().unwrap(),
        [PayChoice {
            bank_code: "ICBC".into(),
            card_kind: CardKind::Debit
        }]
    );
    assert_eq!(
        pay_button(&m).text_content().unwrap(),
        "Redirecting to ICBC…"
    );
    assert!(pay_button(&m).disabled());
}

#[wasm_bindgen_test]
async fn a_double_click_pays_once() {
    let (m, paid, _) = mount_checkout();
    m.click("button[data-bank=\"ICBC\"]");
    leptos::task::tick().await;

    // Both clicks land before the view has re-rendered the button as disabled.
    let pay = pay_button(&m);
    pay.click();
    pay.click();
    leptos::task::tick().await;

    assert_eq!(paid.lock().unwrap().len(), 1);
}

#[wasm_bindgen_test]
async fn the_card_kind_radio_changes_what_can_be_chosen() {
    let (m, paid, _) = mount_checkout();
    assert!(radio(&m, "debit").checked());
    assert!(!radio(&m, "credit").checked());

    m.click("button[data-bank=\"ICBC\"]");
    radio(&m, "credit").click();
    leptos::task::tick().await;

    // ICBC takes credit cards too, so it stays chosen; ABC does not.
    assert_eq!(
        pay_button(&m).text_content().unwrap(),
        "Pay ¥25.00 with ICBC"
    );
    assert!(
        m.find("button[data-bank=\"ABC\"]")
            .unchecked_into::<HtmlButtonElement>()
            .disabled()
    );

    pay_button(&m).click();
    leptos::task::tick().await;
    assert_eq!(paid.lock().unwrap()[0].card_kind, CardKind::Credit);
}

#[wasm_bindgen_test]
async fn the_controls_lock_while_busy() {
    let (m, _, busy) = mount_checkout();
    busy.set(true);
    leptos::task::tick().await;

    assert!(
        m.find("button[data-bank=\"ICBC\"]")
            .unchecked_into::<HtmlButtonElement>()
            .disabled()
    );
    assert!(m.find("fieldset.paydesk-kinds").has_attribute("disabled"));
}
