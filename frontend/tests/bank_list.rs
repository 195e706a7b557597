#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are tests too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};

use common::{banks, mount};
use leptos::prelude::*;
use paydesk_shared::Currency;
use paydesk_shared::bank::CardKind;
use paydesk_widget::components::bank_list::BankList;
use paydesk_widget::i18n::Locale;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the list for `kind`, recording every bank the shopper picks.
fn mount_list(kind: RwSignal<CardKind>) -> (common::Mounted, Arc<Mutex<Vec<String>>>) {
    let picked = Arc::new(Mutex::new(Vec::new()));
    let record = picked.clone();
    let m = mount(move || {
        view! {
            <BankList
                banks=banks()
                currency=Currency::Cny
                card_kind=kind
                selected={None::<String>}
                disabled=false
                on_select=Callback::new(move |code| record.lock().unwrap().push(code))
                locale=Locale::new("en")
            />
        }
    });
    (m, picked)
}

fn button(m: &common::Mounted, code: &str) -> HtmlButtonElement {
    m.find(&format!("button[data-bank=\"{code}\"]"))
        .unchecked_into()
}

#[wasm_bindgen_test]
fn popular_banks_come_first() {
    let (m, _) = mount_list(RwSignal::new(CardKind::Debit));
    let order: Vec<_> = m
        .find_all("button[data-bank]")
        .iter()
        .filter_map(|b| b.get_attribute("data-bank"))
        .collect();
    assert_eq!(order, ["ICBC", "ABC", "CMB"]);
    assert!(
        m.text("button[data-bank=\"ICBC\"]")
            .contains("中国工商银行")
    );
    assert!(
        m.text("button[data-bank=\"ICBC\"]")
            .contains("Industrial and Commercial Bank of China")
    );
    assert_eq!(
        m.text("button[data-bank=\"ICBC\"] .paydesk-bank__badge"),
        "ICBC"
    );
}

#[wasm_bindgen_test]
fn a_disabled_bank_shows_why_and_cannot_be_chosen() {
    let (m, picked) = mount_list(RwSignal::new(CardKind::Debit));

    let abc = button(&m, "ABC");
    assert!(abc.disabled());
    assert!(abc.has_attribute("disabled"));
    assert_eq!(
        m.text("button[data-bank=\"ABC\"] .paydesk-bank__reason"),
        "Over this bank's limit of ¥20.00"
    );
    assert_eq!(
        m.text("button[data-bank=\"CMB\"] .paydesk-bank__reason"),
        "Online banking under maintenance"
    );
    abc.click();
    button(&m, "CMB").click();
    assert!(picked.lock().unwrap().is_empty());

    let icbc = button(&m, "ICBC");
    assert!(!icbc.disabled());
    assert!(
        m.find_all("button[data-bank=\"ICBC\"] .paydesk-bank__reason")
            .is_empty()
    );
    icbc.click();
    assert_eq!(*picked.lock().unwrap(), ["ICBC"]);
}

#[wasm_bindgen_test]
async fn availability_follows_the_card_kind() {
    let kind = RwSignal::new(CardKind::Debit);
    let (m, _) = mount_list(kind);

    kind.set(CardKind::Credit);
    leptos::task::tick().await;

    assert_eq!(
        m.text("button[data-bank=\"ABC\"] .paydesk-bank__reason"),
        "Credit cards not accepted"
    );
    assert!(button(&m, "ABC").disabled());
    assert!(!button(&m, "ICBC").disabled());
}

#[wasm_bindgen_test]
fn the_badge_colour_is_set_through_the_cssom() {
    let (m, _) = mount_list(RwSignal::new(CardKind::Debit));
    let icbc: web_sys::HtmlElement = button(&m, "ICBC").unchecked_into();
    assert_eq!(
        icbc.style()
            .get_property_value("--paydesk-bank-colour")
            .unwrap(),
        "#c7000b"
    );
    assert_eq!(
        icbc.style()
            .get_property_value("--paydesk-bank-ink")
            .unwrap(),
        "#ffffff"
    );
}

#[wasm_bindgen_test]
async fn search_narrows_the_list() {
    let (m, _) = mount_list(RwSignal::new(CardKind::Debit));
    let search: HtmlInputElement = m.find("input[type=search]").unchecked_into();

    search.set_value("农业");
    search
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;

    let visible: Vec<_> = m
        .find_all("li:not([hidden]) > button[data-bank]")
        .iter()
        .filter_map(|b| b.get_attribute("data-bank"))
        .collect();
    assert_eq!(visible, ["ABC"]);
    assert!(m.find(".paydesk-banks__empty").has_attribute("hidden"));

    search.set_value("no such bank");
    search
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;
    assert!(!m.find(".paydesk-banks__empty").has_attribute("hidden"));
}
