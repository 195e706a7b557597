//! Amounts, numbers and times for people, formatted by the browser's `Intl`.
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

    #[wasm_bindgen(js_namespace = Intl)]
    type DateTimeFormat;

    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "DateTimeFormat")]
    fn new_date_time(locale: &str, options: &Object) -> Result<DateTimeFormat, JsValue>;

    #[wasm_bindgen(catch, method, js_name = format)]
    fn format_date(this: &DateTimeFormat, date: &js_sys::Date) -> Result<String, JsValue>;
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

/// A plain object of string options for an `Intl` constructor.
fn options(pairs: &[(&str, &str)]) -> Object {
    let options = Object::new();
    for (key, value) in pairs {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    options
}

impl MoneyFormat {
    pub fn new(locale: &Locale, currency: Currency) -> MoneyFormat {
        // "CN¥" is how English spells yuan next to dollars; a shopper paying a
        // Chinese bank in yuan expects the plain "¥" their bank shows.
        let display = if currency == Currency::Cny {
            "narrowSymbol"
        } else {
            "symbol"
        };
        let options = options(&[
            ("style", "currency"),
            ("currency", currency.code()),
            ("currencyDisplay", display),
        ]);
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
            .unwrap_or_else(|| [amount, " ", self.currency.code()].concat())
    }
}

/// Formats one amount; for many, build a [`MoneyFormat`] once.
pub fn money(locale: &Locale, currency: Currency, amount: &str) -> String {
    MoneyFormat::new(locale, currency).format(amount)
}

/// A whole number in the shopper's digits and grouping (`1,234`).
pub fn number(locale: &Locale, n: u32) -> String {
    let digits = n.to_string();
    NumberFormat::new(locale.tag(), &Object::new())
        .and_then(|intl| intl.format(&digits))
        .unwrap_or(digits)
}

/// The time of day of `epoch_ms` in the shopper's convention (`14:35`, `下午2:35`).
pub fn time_of_day(locale: &Locale, epoch_ms: i64) -> String {
    // Milliseconds since 1970 fit a float's 53 bits exactly for millions of years.
    let date = js_sys::Date::new(&JsValue::from(epoch_ms as f64));
    DateTimeFormat::new_date_time(
        locale.tag(),
        &options(&[("hour", "numeric"), ("minute", "2-digit")]),
    )
    .and_then(|intl| intl.format_date(&date))
    .unwrap_or_default()
}

/// An RFC 3339 timestamp (`2030-01-01T00:00:00Z`) as milliseconds since 1970.
pub fn epoch_ms(timestamp: &str) -> Option<i64> {
    let ms = js_sys::Date::parse(timestamp);
    (!ms.is_nan()).then_some(ms as i64)
}

/// The browser's clock, in milliseconds since 1970.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// A duration as `mm:ss` (`12:04`); hours count as minutes (`75:00`).
pub fn minutes_seconds(seconds: u32) -> String {
    let (m, s) = (seconds / 60, seconds % 60);
    let two = |n: u32| {
        [
            char::from(b'0' + (n / 10 % 10) as u8),
            char::from(b'0' + (n % 10) as u8),
        ]
    };
    let mut out = if m >= 100 {
        m.to_string()
    } else {
        two(m).iter().collect()
    };
    out.push(':');
    out.extend(two(s));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_seconds_pads_both() {
        assert_eq!(minutes_seconds(0), "00:00");
        assert_eq!(minutes_seconds(59), "00:59");
        assert_eq!(minutes_seconds(724), "12:04");
        assert_eq!(minutes_seconds(4500), "75:00");
        assert_eq!(minutes_seconds(6000), "100:00");
    }
}
