#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are tests too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};

use common::{banks, mount, press};
use leptos::prelude::*;
use paydesk_shared::Currency;
use paydesk_shared::bank::CardKind;
use paydesk_widget::components::bank_list::BankList;
use paydesk_widget::i18n::Locale;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the list for `kind`, recording every bank the shopper picks.
fn mount_list(kind: RwSignal<CardKind>) -> (common::Mounted, Arc<Mutex<Vec<String>>>) {
    mount_list_with(kind, None)
}

fn mount_list_with(
    kind: RwSignal<CardKind>,
    last_used: Option<&str>,
) -> (common::Mounted, Arc<Mutex<Vec<String>>>) {
    let picked = Arc::new(Mutex::new(Vec::new()));
    let record = picked.clone();
    let last_used = last_used.map(str::to_owned);
    let m = mount(move || {
        view! {
            <BankList
                banks=banks()
                currency=Currency::Cny
                card_kind=kind
                selected=Arc::new(|| None::<String>)
                disabled=false
                on_select=Callback::new(move |code| record.lock().unwrap().push(code))
                last_used=last_used
                locale=Locale::new("en")
            />
        }
    });
    (m, picked)
}

fn tile(code: &str) -> String {
    format!("button[data-bank=\"{code}\"]")
}

fn option(code: &str) -> String {
    format!("[role=option][data-bank=\"{code}\"]")
}

fn codes(m: &common::Mounted, selector: &str) -> Vec<String> {
    m.find_all(selector)
        .iter()
        .filter_map(|b| b.get_attribute("data-bank"))
        .collect()
}

async fn search(m: &common::Mounted, query: &str) {
    let input: HtmlInputElement = m.find("input[data-testid=paydesk-search]").unchecked_into();
    input.set_value(query);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;
}

#[wasm_bindgen_test]
fn popular_banks_are_tiles_and_every_bank_is_in_the_list() {
    let (m, _) = mount_list(RwSignal::new(CardKind::Debit));
    assert_eq!(codes(&m, "button[data-bank]"), ["ICBC", "ABC"]);
    assert_eq!(
        codes(&m, "[role=listbox] [role=option]"),
        ["CMB", "ICBC", "ABC"]
    );
    let icbc = m.text(&option("ICBC"));
    assert!(icbc.contains("中国工商银行"), "{icbc}");
    assert!(
        icbc.contains("Industrial and Commercial Bank of China"),
        "{icbc}"
    );
    assert_eq!(m.text(&format!("{} .paydesk-badge", tile("ICBC"))), "ICBC");
}

#[wasm_bindgen_test]
fn the_last_used_bank_comes_first() {
    let (m, _) = mount_list_with(RwSignal::new(CardKind::Debit), Some("CMB"));
    assert_eq!(codes(&m, "button[data-bank]"), ["CMB", "ICBC", "ABC"]);
    assert!(m.text(&tile("CMB")).contains("Last used"));
    assert!(!m.text(&tile("ICBC")).contains("Last used"));
}

#[wasm_bindgen_test]
fn a_disabled_bank_says_why_and_cannot_be_chosen() {
    let (m, picked) = mount_list(RwSignal::new(CardKind::Debit));
    let reason = |selector: String| m.text(&format!("{selector} [data-testid=bank-note]"));

    assert_eq!(reason(tile("ABC")), "Over this bank's limit of ¥20.00");
    assert_eq!(reason(option("CMB")), "Online banking under maintenance");
    for selector in [tile("ABC"), option("ABC"), option("CMB")] {
        assert_eq!(
            m.find(&selector).get_attribute("aria-disabled").as_deref(),
            Some("true"),
            "{selector}"
        );
        m.click(&selector);
    }
    assert!(picked.lock().unwrap().is_empty());

    assert!(!m.find(&tile("ICBC")).has_attribute("aria-disabled"));
    // An available bank names its limit instead, before it is chosen.
    assert_eq!(
        m.text(&format!("{} [data-testid=bank-note]", tile("ICBC"))),
        "Up to ¥50,000.00 per payment"
    );
    m.click(&tile("ICBC"));
    m.click(&option("ICBC"));
    assert_eq!(*picked.lock().unwrap(), ["ICBC", "ICBC"]);
}

#[wasm_bindgen_test]
async fn availability_follows_the_card_kind() {
    let kind = RwSignal::new(CardKind::Debit);
    let (m, _) = mount_list(kind);

    kind.set(CardKind::Credit);
    leptos::task::tick().await;

    assert_eq!(
        m.text(&format!("{} [data-testid=bank-note]", option("ABC"))),
        "Credit cards not accepted"
    );
    assert!(m.find(&option("ABC")).has_attribute("aria-disabled"));
    assert!(!m.find(&option("ICBC")).has_attribute("aria-disabled"));
    assert_eq!(
        m.text(&format!("{} [data-testid=bank-note]", option("ICBC"))),
        "Up to ¥20,000.00 per payment"
    );
}

#[wasm_bindgen_test]
fn the_badge_colour_is_set_through_the_cssom() {
    let (m, _) = mount_list(RwSignal::new(CardKind::Debit));
    let badge: HtmlElement = m
        .find(&format!("{} .paydesk-badge", tile("ICBC")))
        .unchecked_into();
    let style = badge.style();
    assert_eq!(
        style.get_property_value("--paydesk-bank-colour").unwrap(),
        "#c7000b"
    );
    assert_eq!(
        style.get_property_value("--paydesk-bank-ink").unwrap(),
        "#ffffff"
    );
}

#[wasm_bindgen_test]
async fn search_finds_banks_by_every_name() {
    let (m, _) = mount_list(RwSignal::new(CardKind::Debit));
    let shown = |m: &common::Mounted| codes(m, "[role=option]:not([hidden])");

    for (query, found) in [
        ("农业", vec!["ABC"]),
        ("工商", vec!["ICBC"]),
        ("Merchants", vec!["CMB"]),
        ("icbc", vec!["ICBC"]),
        ("gongshang", vec!["ICBC"]),
        ("gsyh", vec!["ICBC"]),
        ("china", vec!["CMB", "ICBC", "ABC"]),
    ] {
        search(&m, query).await;
        assert_eq!(shown(&m), found, "{query}");
        assert!(m.find(".paydesk-empty").has_attribute("hidden"), "{query}");
    }
    // While searching, the tiles step aside for the results.
    assert!(m.find(&tile("ICBC")).closest("[hidden]").unwrap().is_some());

    search(&m, "no such bank").await;
    assert!(shown(&m).is_empty());
    assert!(!m.find(".paydesk-empty").has_attribute("hidden"));
}

#[wasm_bindgen_test]
async fn the_list_is_usable_by_keyboard() {
    let (m, picked) = mount_list(RwSignal::new(CardKind::Debit));
    // One option is the tab stop: the first, as nothing is chosen.
    assert_eq!(codes(&m, "[role=option][tabindex=\"0\"]"), ["CMB"]);
    m.find(&option("CMB"))
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();

    press("ArrowDown");
    assert_eq!(m.focused_bank().as_deref(), Some("ICBC"));
    leptos::task::tick().await;
    assert_eq!(codes(&m, "[role=option][tabindex=\"0\"]"), ["ICBC"]);
    press("End");
    assert_eq!(m.focused_bank().as_deref(), Some("ABC"));
    press("ArrowDown");
    assert_eq!(m.focused_bank().as_deref(), Some("ABC"));
    press("Home");
    assert_eq!(m.focused_bank().as_deref(), Some("CMB"));
    press("ArrowUp");
    assert_eq!(m.focused_bank().as_deref(), Some("CMB"));

    // Type-ahead by English name, abbreviation or pinyin.
    press("i");
    assert_eq!(m.focused_bank().as_deref(), Some("ICBC"));
    press("Enter");
    assert_eq!(*picked.lock().unwrap(), ["ICBC"]);

    // A bank that cannot take the payment is reachable, but not chosen.
    press("ArrowUp");
    assert_eq!(m.focused_bank().as_deref(), Some("CMB"));
    press("Enter");
    press(" ");
    assert_eq!(*picked.lock().unwrap(), ["ICBC"]);
}

#[wasm_bindgen_test]
async fn arrow_down_in_the_search_enters_the_list() {
    let (m, _) = mount_list(RwSignal::new(CardKind::Debit));
    search(&m, "nongye").await;
    let input: HtmlElement = m.find("input[data-testid=paydesk-search]").unchecked_into();
    input.focus().unwrap();
    press("ArrowDown");
    assert_eq!(m.focused_bank().as_deref(), Some("ABC"));
}
