//! Amounts for people, formatted by the browser's `Intl.NumberFormat`.
//!
//! The gateway sends amounts as decimal strings and they are handed to `Intl` as
//! strings: `Intl.NumberFormat` reads a string operand as an exact decimal, so
//! "98765432109.99" keeps every digit. Going through a float would not, so the widget
//! never parses an amount at all.

use js_sys::{Array, Object, Reflect};
use paydesk_shared::Currency;
use wasm_bindgen::prelude::*;

use crate::i18n::Locale;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl)]
    type NumberFormat;

    #[wasm_bindgen(catch, constructor, js_namespace = Intl)]
    fn new(locale: &str, options: &Object) -> Result<NumberFormat, JsValue>;

    #[wasm_bindgen(catch, method)]
    fn format(this: &NumberFormat, value: &str) -> Result<String, JsValue>;

    #[wasm_bindgen(catch, js_namespace = Intl, js_name = getCanonicalLocales)]
    fn get_canonical_locales(tag: &str) -> Result<Array, JsValue>;
}

/// The canonical form of a BCP 47 tag (`"zh-cn"` → `"zh-CN"`), or `None` if `Intl`
/// rejects it.
pub fn canonical_locale(tag: &str) -> Option<String> {
    let tag = tag.trim();
    if tag.is_empty() {
        return None;
    }
    get_canonical_locales(tag).ok()?.get(0).as_string()
}

/// A currency formatter for one locale, built once and used for every amount of a
/// view.
pub struct MoneyFormat {
    intl: Option<NumberFormat>,
    currency: Currency,
}

impl MoneyFormat {
    pub fn new(locale: &Locale, currency: Currency) -> MoneyFormat {
        let options = Object::new();
        let set = |key: &str, value: &str| {
            // Setting a property on a fresh plain object cannot fail.
            let _ = Reflect::set(&options, &key.into(), &value.into());
        };
        set("style", "currency");
        set("currency", currency.code());
        if currency == Currency::Cny {
            // "CN¥" is how English spells yuan next to dollars; a shopper paying a
            // Chinese bank in yuan expects the plain "¥" their bank shows.
            set("currencyDisplay", "narrowSymbol");
        }
        MoneyFormat {
            intl: NumberFormat::new(locale.tag(), &options).ok(),
            currency,
        }
    }

    /// `"2500.00"` → `"¥2,500.00"` (for `en` and CNY). Should `Intl` be unusable the
    /// amount is still shown, exactly as sent, with its currency code.
    pub fn format(&self, amount: &str) -> String {
        self.intl
            .as_ref()
            .and_then(|intl| intl.format(amount).ok())
            .unwrap_or_else(|| format!("{amount} {}", self.currency.code()))
    }
}

/// Formats one amount; for many, build a [`MoneyFormat`] once.
pub fn money(locale: &Locale, currency: Currency, amount: &str) -> String {
    MoneyFormat::new(locale, currency).format(amount)
}
