#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are tests too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};

use common::{mount, session};
use leptos::prelude::*;
use paydesk_shared::bank::CardKind;
use paydesk_widget::components::checkout::{Checkout, PayChoice};
use paydesk_widget::countdown::use_seconds_left;
use paydesk_widget::format::now_ms;
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
                error=|| None
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

/// Pay keeps its focus while unusable, so it says so with `aria-disabled`.
fn unusable(button: &HtmlButtonElement) -> bool {
    button.get_attribute("aria-disabled").as_deref() == Some("true")
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
    assert!(unusable(&pay_button(&m)));

    m.click("button[data-bank=\"ICBC\"]");
    leptos::task::tick().await;

    assert_eq!(
        pay_button(&m).text_content().unwrap(),
        "Pay ¥25.00 with ICBC"
    );
    assert!(!unusable(&pay_button(&m)));
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
    assert!(unusable(&pay_button(&m)));
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
            .has_attribute("aria-disabled")
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

#[wasm_bindgen_test]
async fn chinese_shoppers_see_the_bank_by_its_chinese_name_in_their_script() {
    // The gateway names the banks in the script of the language the widget asks in.
    for (tag, name, button) in [
        ("zh-CN", "中国工商银行", "使用中国工商银行支付 ¥25.00"),
        ("zh-TW", "中國工商銀行", "使用中國工商銀行支付 ¥25.00"),
    ] {
        let m = mount(move || {
            let mut session = session();
            for bank in &mut session.banks {
                if bank.code == "ICBC" {
                    bank.name_zh = name.into();
                }
            }
            view! {
                <Checkout
                    session=session
                    busy=false
                    error=|| None
                    on_pay=Callback::new(|_| {})
                    locale=Locale::new(tag)
                />
            }
        });
        let shown = m.find("button[data-bank=\"ICBC\"] .paydesk-bank__zh");
        assert_eq!(shown.text_content().unwrap(), name);
        assert_eq!(shown.get_attribute("lang").as_deref(), Some(tag));
        m.click("button[data-bank=\"ICBC\"]");
        leptos::task::tick().await;
        assert_eq!(pay_button(&m).text_content().unwrap(), button, "{tag}");
    }
}

#[wasm_bindgen_test]
async fn the_last_used_bank_is_chosen_if_it_can_take_the_payment() {
    let mount_with = |last: &str| {
        let last = Some(last.to_owned());
        mount(move || {
            view! {
                <Checkout
                    session=session()
                    busy=false
                    error=|| None
                    last_used=last
                    on_pay=Callback::new(|_| {})
                    locale=Locale::new("en")
                />
            }
        })
    };
    let m = mount_with("ICBC");
    assert_eq!(
        pay_button(&m).text_content().unwrap(),
        "Pay ¥25.00 with ICBC"
    );
    drop(m);
    // ABC is over its limit: offered first, but not chosen.
    let m = mount_with("ABC");
    assert_eq!(pay_button(&m).text_content().unwrap(), "Pay ¥25.00");
    assert_eq!(
        m.find("button[data-bank]")
            .get_attribute("data-bank")
            .as_deref(),
        Some("ABC")
    );
}

#[wasm_bindgen_test]
async fn at_zero_the_countdown_stops_payment() {
    let paid = Arc::new(Mutex::new(0));
    let record = paid.clone();
    let expires = now_ms() + 1_500;
    let m = mount(move || {
        let seconds_left = use_seconds_left(move || Some(expires));
        view! {
            <Checkout
                session=session()
                busy=false
                error=|| None
                seconds_left=seconds_left
                on_pay=Callback::new(move |_| *record.lock().unwrap() += 1)
                locale=Locale::new("en")
            />
        }
    });
    m.click("button[data-bank=\"ICBC\"]");
    leptos::task::tick().await;
    let countdown = "[data-testid=paydesk-countdown]";
    let text = m.text(countdown);
    assert!(
        text.starts_with("Pay by ") && text.ends_with(" · 00:02 left"),
        "{text}"
    );
    assert!(!unusable(&pay_button(&m)));

    assert!(common::wait_until(5_000, || m.text(countdown).ends_with("00:00 left")).await);
    leptos::task::tick().await;
    assert!(unusable(&pay_button(&m)));
    pay_button(&m).click();
    assert_eq!(*paid.lock().unwrap(), 0);
}
