#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are tests too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{item, mount, order};
use leptos::prelude::*;
use paydesk_shared::Currency;
use paydesk_widget::components::review::Review;
use paydesk_widget::i18n::Locale;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn yuan_amounts_have_two_decimals_and_the_plain_yen_sign() {
    let order = order(
        Currency::Cny,
        vec![
            item("Oolong tea, 250 g tin", 2, "12.50", "25.00"),
            item("Teapot", 1, "1234.00", "1234.00"),
        ],
        "1259.00",
    );
    let m = mount(move || view! { <Review order=order locale=Locale::new("en") /> });

    assert_eq!(m.text(".paydesk-total__amount"), "¥1,259.00");
    let totals: Vec<_> = m
        .find_all(".paydesk-item__total")
        .iter()
        .map(|e| e.text_content().unwrap_or_default())
        .collect();
    assert_eq!(totals, ["¥25.00", "¥1,234.00"]);
    assert_eq!(m.text(".paydesk-item__quantity"), "2 × ¥12.50");
    assert_eq!(m.text(".paydesk-item__name"), "Oolong tea, 250 g tin");
    assert!(m.text(".paydesk-heading").contains("Demo Shop"));
}

#[wasm_bindgen_test]
fn yen_amounts_have_no_decimals() {
    let order = order(
        Currency::Jpy,
        vec![item("Matcha", 3, "800", "2400")],
        "2400",
    );
    let m = mount(move || view! { <Review order=order locale=Locale::new("en") /> });

    assert_eq!(m.text(".paydesk-total__amount"), "¥2,400");
    assert_eq!(m.text(".paydesk-item__quantity"), "3 × ¥800");
}

#[wasm_bindgen_test]
fn large_amounts_keep_every_digit() {
    // 19 significant digits: an f64 would lose the last ones.
    let order = order(
        Currency::Cny,
        vec![item(
            "Ship",
            1,
            "12345678901234567.89",
            "12345678901234567.89",
        )],
        "12345678901234567.89",
    );
    let m = mount(move || view! { <Review order=order locale=Locale::new("en") /> });

    assert_eq!(
        m.text(".paydesk-total__amount"),
        "¥12,345,678,901,234,567.89"
    );
}

#[wasm_bindgen_test]
fn the_locale_sets_the_number_conventions() {
    let order = order(
        Currency::Eur,
        vec![item("Tea", 1, "1234.50", "1234.50")],
        "1234.50",
    );
    let m = mount(move || view! { <Review order=order locale=Locale::new("de-DE") /> });

    assert_eq!(m.text(".paydesk-total__amount"), "1.234,50\u{a0}€");
}

#[wasm_bindgen_test]
fn items_show_their_thumbnail_at_a_fixed_size() {
    let mut tea = item("Tea", 1, "5.00", "5.00");
    tea.image_url = Some("https://shop.example/tea.png".into());
    let mut bad = item("Cup", 1, "5.00", "5.00");
    bad.image_url = Some("javascript:alert(1)".into());
    let order = order(Currency::Cny, vec![tea, bad], "10.00");
    let m = mount(move || view! { <Review order=order locale=Locale::new("en") /> });

    let images = m.find_all("img.paydesk-item__thumb");
    assert_eq!(images.len(), 1, "only web images are shown");
    assert_eq!(
        images[0].get_attribute("src").as_deref(),
        Some("https://shop.example/tea.png")
    );
    assert_eq!(images[0].get_attribute("width").as_deref(), Some("48"));
    assert_eq!(images[0].get_attribute("height").as_deref(), Some("48"));
}

#[wasm_bindgen_test]
fn an_unknown_locale_falls_back_to_english() {
    let order = order(Currency::Cny, vec![item("Tea", 1, "5.00", "5.00")], "5.00");
    let m = mount(move || view! { <Review order=order locale=Locale::new("not a locale!") /> });

    assert_eq!(m.text(".paydesk-total__amount"), "¥5.00");
}

#[wasm_bindgen_test]
fn items_without_an_image_get_a_monogram_of_the_same_size() {
    let order = order(Currency::Cny, vec![item("tea", 1, "5.00", "5.00")], "5.00");
    let m = mount(move || view! { <Review order=order locale=Locale::new("en") /> });
    assert_eq!(m.text("span.paydesk-item__thumb"), "T");
    assert!(m.find_all("img").is_empty());
}

#[wasm_bindgen_test]
fn simplified_chinese_formats_amounts_and_sentences() {
    let order = order(
        Currency::Cny,
        vec![item("乌龙茶", 1200, "12.50", "15000.00")],
        "15000.00",
    );
    let m = mount(move || view! { <Review order=order locale=Locale::new("zh-CN") /> });
    assert_eq!(m.text(".paydesk-total__amount"), "¥15,000.00");
    assert_eq!(m.text(".paydesk-item__quantity"), "1,200 × ¥12.50");
    assert_eq!(m.text(".paydesk-heading"), "您在Demo Shop的订单");
    assert_eq!(m.text(".paydesk-total > span"), "合计");
}

#[wasm_bindgen_test]
async fn a_long_order_collapses_behind_a_toggle() {
    let items = (1..=5)
        .map(|i| item(&format!("Item {i}"), 1, "1.00", "1.00"))
        .collect();
    let order = order(Currency::Cny, items, "5.00");
    let m = mount(move || view! { <Review order=order locale=Locale::new("en") /> });

    let toggle = ".paydesk-items__toggle";
    assert_eq!(m.text(toggle), "Show all 5 items");
    assert_eq!(
        m.find(toggle).get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(m.find(".paydesk-items").has_attribute("data-collapsed"));
    assert_eq!(m.text(".paydesk-total__amount"), "¥5.00");

    m.click(toggle);
    leptos::task::tick().await;
    assert_eq!(m.text(toggle), "Show fewer items");
    assert_eq!(
        m.find(toggle).get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert!(!m.find(".paydesk-items").has_attribute("data-collapsed"));
}

#[wasm_bindgen_test]
fn a_short_order_has_no_toggle() {
    let order = order(Currency::Cny, vec![item("A", 1, "1.00", "1.00"); 3], "3.00");
    let m = mount(move || view! { <Review order=order locale=Locale::new("en") /> });
    assert!(m.find_all(".paydesk-items__toggle").is_empty());
    assert!(!m.find(".paydesk-items").has_attribute("data-collapsed"));
}
