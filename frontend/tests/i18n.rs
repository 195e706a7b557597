#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are tests too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use paydesk_widget::i18n::{Language, Locale};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn tags(list: &[&str]) -> Vec<String> {
    list.iter().map(|t| (*t).to_owned()).collect()
}

#[wasm_bindgen_test]
fn the_merchants_locale_wins_over_the_browsers() {
    let l = Locale::choose(Some("zh-TW"), &tags(&["en-US"]));
    assert_eq!(l.language(), Language::TraditionalChinese);
    assert_eq!(l.tag(), "zh-TW");
    assert_eq!(l.text().total, "總計");
}

#[wasm_bindgen_test]
fn chinese_variants_fall_back_to_simplified_or_traditional() {
    for (tag, language) in [
        ("zh", Language::SimplifiedChinese),
        ("zh-Hans", Language::SimplifiedChinese),
        ("zh-SG", Language::SimplifiedChinese),
        ("zh-Hant", Language::TraditionalChinese),
        ("zh-HK", Language::TraditionalChinese),
        ("zh-MO", Language::TraditionalChinese),
    ] {
        assert_eq!(Locale::new(tag).language(), language, "{tag}");
    }
}

#[wasm_bindgen_test]
fn the_first_browser_language_the_widget_speaks_is_used() {
    let l = Locale::choose(None, &tags(&["fr-FR", "zh-Hant-HK", "en"]));
    assert_eq!(l.language(), Language::TraditionalChinese);
    let l = Locale::choose(Some("  "), &tags(&["en-GB"]));
    assert_eq!((l.language(), l.tag()), (Language::English, "en-GB"));
}

#[wasm_bindgen_test]
fn anything_else_is_english() {
    let l = Locale::choose(None, &tags(&["fr-FR"]));
    assert_eq!(l.language(), Language::English);
    // Its numbers still follow the shopper's conventions.
    assert_eq!(l.tag(), "fr-FR");
    assert_eq!(Locale::choose(None, &[]).tag(), "en");
    let l = Locale::choose(Some("not a locale!"), &tags(&["zh-CN"]));
    assert_eq!((l.language(), l.tag()), (Language::English, "en"));
}
