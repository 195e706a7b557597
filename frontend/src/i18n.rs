//! Every string the shopper can see or hear, in English, Simplified and Traditional
//! Chinese. A language is one [`Text`] value; sentences with values are templates
//! whose `{0}`, `{1}` each language places where its grammar wants them.

mod en;
mod zh_cn;
mod zh_tw;

use crate::format;

pub use paydesk_shared::language::Language;

/// The texts of a language.
pub fn text(language: Language) -> &'static Text {
    match language {
        Language::English => &EN,
        Language::SimplifiedChinese => &ZH_CN,
        Language::TraditionalChinese => &ZH_TW,
    }
}

pub use en::EN;
pub use zh_cn::ZH_CN;
pub use zh_tw::ZH_TW;

/// The shopper's locale: the BCP 47 tag handed to `Intl` for numbers and dates, and
/// the language of the texts.
#[derive(Debug, Clone)]
pub struct Locale {
    tag: String,
    language: Language,
}

impl Locale {
    /// The locale for `tag` (`"en-GB"`, `"zh-Hant-HK"`, …). A language the widget
    /// does not speak gets English texts, but keeps its own number and date
    /// conventions (`de-DE`: "1.234,50 €"); a tag `Intl` rejects is plain English.
    pub fn new(tag: &str) -> Locale {
        match format::canonical_locale(tag) {
            Some(tag) => Locale {
                language: Language::of(&tag).unwrap_or(Language::English),
                tag,
            },
            None => Locale::of_language(Language::English),
        }
    }

    /// The merchant's `requested` locale if given, else the first of the browser's
    /// `preferred` languages the widget speaks, else the browser's first language
    /// with English texts.
    pub fn choose(requested: Option<&str>, preferred: &[String]) -> Locale {
        if let Some(tag) = requested.map(str::trim).filter(|t| !t.is_empty()) {
            return Locale::new(tag);
        }
        preferred
            .iter()
            .find_map(|tag| Locale::supported(tag))
            .or_else(|| preferred.first().map(|tag| Locale::new(tag)))
            .unwrap_or_default()
    }

    fn supported(tag: &str) -> Option<Locale> {
        let tag = format::canonical_locale(tag)?;
        let language = Language::of(&tag)?;
        Some(Locale { tag, language })
    }

    fn of_language(language: Language) -> Locale {
        Locale {
            tag: language.tag().to_owned(),
            language,
        }
    }

    pub fn tag(&self) -> &str {
        &self.tag
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn text(&self) -> &'static Text {
        text(self.language)
    }
}

impl Default for Locale {
    fn default() -> Self {
        Locale::of_language(Language::English)
    }
}

/// `template` with `{0}`, `{1}`, … replaced by `values`. Templates are this
/// crate's own constants; a placeholder without a value is left out.
pub fn fill(template: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    // `split_once` rather than slicing by index: no panic path, so none of the
    // panic message formatting ships (see frontend/SIZE.md).
    while let Some((head, after)) = rest.split_once('{') {
        out.push_str(head);
        match after.split_once('}') {
            Some((index, tail)) if index.len() == 1 && index.as_bytes()[0].is_ascii_digit() => {
                let i = usize::from(index.as_bytes()[0] - b'0');
                out.push_str(values.get(i).copied().unwrap_or_default());
                rest = tail;
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One language's strings. Templates take their values in the order documented.
#[derive(Debug)]
pub struct Text {
    pub widget_label: &'static str,
    pub loading: &'static str,
    pub retry: &'static str,

    /// `{0}` merchant name.
    pub order_from: &'static str,
    /// `{0}` quantity, `{1}` unit price.
    pub quantity_times_price: &'static str,
    pub total: &'static str,
    /// `{0}` number of items.
    pub show_all_items: &'static str,
    pub show_fewer_items: &'static str,

    pub card_kind_legend: &'static str,
    pub debit: &'static str,
    pub credit: &'static str,
    pub banks_heading: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub no_bank_matches: &'static str,
    pub popular_banks: &'static str,
    pub all_banks: &'static str,
    pub last_used: &'static str,
    pub debit_not_supported: &'static str,
    pub credit_not_supported: &'static str,
    /// A bank's single-payment limit, shown before choosing: `{0}` the amount.
    pub limit: &'static str,
    /// `{0}` the bank's limit.
    pub over_limit: &'static str,
    pub maintenance: &'static str,

    /// `{0}` amount, `{1}` bank.
    pub pay: &'static str,
    /// `{0}` amount.
    pub pay_without_bank: &'static str,
    pub choose_bank_first: &'static str,
    /// `{0}` bank.
    pub redirecting: &'static str,
    pub redirect_note: &'static str,
    /// `{0}` expiry time, `{1}` time left (`mm:ss`).
    pub pay_by: &'static str,
    pub five_minutes_left: &'static str,
    pub one_minute_left: &'static str,

    pub paid: &'static str,
    pub paid_detail: &'static str,
    /// Paid, and another payment the order could not keep is being refunded.
    pub paid_twice: &'static str,
    pub view_receipt: &'static str,
    pub pending: &'static str,
    pub pending_detail: &'static str,
    /// `{0}` the reason.
    pub failed: &'static str,
    pub declined: Declines,
    pub choose_another_bank: &'static str,
    pub expired: &'static str,
    pub expired_detail: &'static str,
    pub cancelled: &'static str,
    pub cancelled_detail: &'static str,
    /// Expired or cancelled, and a payment that came after is being refunded.
    pub late_payment_refunded: &'static str,
    pub connection_lost: &'static str,

    pub error_network: &'static str,
    pub error_link_invalid: &'static str,
    pub error_not_payable: &'static str,
    pub error_bank_unavailable: &'static str,
    pub error_generic: &'static str,
}

/// Why a bank declined, by the gateway's `failure_reason` code.
#[derive(Debug)]
pub struct Declines {
    pub insufficient_funds: &'static str,
    pub over_limit: &'static str,
    pub card_expired: &'static str,
    pub card_locked: &'static str,
    pub cancelled_by_shopper: &'static str,
    pub payment_expired: &'static str,
    /// Any other code, or none.
    pub other: &'static str,
}

impl Declines {
    pub fn reason(&self, code: Option<&str>) -> &'static str {
        match code.unwrap_or_default() {
            "insufficient_funds" => self.insufficient_funds,
            "over_limit" => self.over_limit,
            "card_expired" => self.card_expired,
            "card_locked" => self.card_locked,
            "cancelled_by_shopper" => self.cancelled_by_shopper,
            "payment_expired" => self.payment_expired,
            _ => self.other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_places_values_by_index() {
        assert_eq!(
            fill("Pay {0} with {1}", &["¥1", "ICBC"]),
            "Pay ¥1 with ICBC"
        );
        assert_eq!(
            fill("使用{1}支付 {0}", &["¥1", "工商银行"]),
            "使用工商银行支付 ¥1"
        );
        assert_eq!(fill("{0}", &[]), "");
        assert_eq!(fill("a { b {x} {12}", &["v"]), "a { b {x} {12}");
    }

    #[test]
    fn every_language_has_every_template_value() {
        for text in [&EN, &ZH_CN, &ZH_TW] {
            for (template, n) in [
                (text.order_from, 1),
                (text.quantity_times_price, 2),
                (text.show_all_items, 1),
                (text.limit, 1),
                (text.over_limit, 1),
                (text.pay, 2),
                (text.pay_without_bank, 1),
                (text.redirecting, 1),
                (text.pay_by, 2),
                (text.failed, 1),
            ] {
                for i in 0..n {
                    assert!(template.contains(&format!("{{{i}}}")), "{template}");
                }
            }
        }
    }
}
