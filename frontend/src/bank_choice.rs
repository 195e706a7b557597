//! The rules of the bank list, apart from its markup: what a shopper's search
//! matches and why a bank cannot take this payment.

use paydesk_shared::api::{BankOption, CardAvailability, Unavailable};
use paydesk_shared::bank::CardKind;
use paydesk_shared::language::Language;

use crate::format::MoneyFormat;
use crate::i18n::{Text, fill};
use crate::theme::{BadgeColours, badge_colours};

/// A bank as the list shows it, prepared once per checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankEntry {
    pub code: String,
    pub name_en: String,
    /// The Chinese name in the script the shopper reads (the session is asked for in
    /// the widget's language), and its `lang` tag.
    pub name_zh: String,
    pub zh_lang: &'static str,
    pub popular: bool,
    pub badge: Option<BadgeColours>,
    pub key: SearchKey,
    /// What it says under its name, for debit and for credit cards: why it cannot
    /// take this payment, or else its single-payment limit (empty without one).
    notes: [String; 2],
    /// Whether it cannot take this payment, for debit and for credit cards.
    unavailable: [bool; 2],
}

impl BankEntry {
    pub fn new(
        bank: BankOption,
        language: Language,
        text: &Text,
        money: &MoneyFormat,
    ) -> BankEntry {
        let format = |amount: &str| money.format(amount);
        let [debit, credit] = CardKind::ALL.map(|kind| {
            let reason = unavailable_reason(text, kind, availability(&bank, kind), format);
            let unavailable = reason.is_some();
            let limit = || limit_note(text, availability(&bank, kind), format);
            (reason.or_else(limit).unwrap_or_default(), unavailable)
        });
        let notes = [debit.0, credit.0];
        let unavailable = [debit.1, credit.1];
        BankEntry {
            key: SearchKey::new(&bank),
            badge: badge_colours(&bank.colour),
            code: bank.code,
            name_zh: bank.name_zh,
            zh_lang: if language == Language::TraditionalChinese {
                "zh-TW"
            } else {
                "zh-CN"
            },
            name_en: bank.name_en,
            popular: bank.popular,
            notes,
            unavailable,
        }
    }

    /// Why the bank cannot take this payment with `kind`, `None` if it can.
    pub fn reason(&self, kind: CardKind) -> Option<&str> {
        let i = kind as usize;
        self.unavailable[i].then_some(self.notes[i].as_str())
    }

    /// What the bank says under its name for `kind`: [`BankEntry::reason`], or else
    /// its single-payment limit, so the shopper knows it before choosing.
    pub fn note(&self, kind: CardKind) -> &str {
        &self.notes[kind as usize]
    }
}

/// The availability of `bank` for `kind`.
pub fn availability(bank: &BankOption, kind: CardKind) -> &CardAvailability {
    match kind {
        CardKind::Debit => &bank.debit,
        CardKind::Credit => &bank.credit,
    }
}

/// Why the bank cannot take this payment with this card kind, in words, or `None`
/// if it can. `format_amount` turns the limit's decimal string into money.
pub fn unavailable_reason(
    text: &Text,
    kind: CardKind,
    availability: &CardAvailability,
    format_amount: impl Fn(&str) -> String,
) -> Option<String> {
    let reason = availability.unavailable?;
    Some(match reason {
        Unavailable::NotSupported => match kind {
            CardKind::Debit => text.debit_not_supported.to_owned(),
            CardKind::Credit => text.credit_not_supported.to_owned(),
        },
        Unavailable::OverLimit => match availability.limit.as_deref() {
            Some(limit) => fill(text.over_limit, &[&format_amount(limit)]),
            // The gateway always names the limit it compared with; should it not,
            // the shopper still learns this bank cannot take the payment.
            None => text.error_bank_unavailable.to_owned(),
        },
        Unavailable::Maintenance => text.maintenance.to_owned(),
    })
}

/// The single-payment limit in words, when the gateway names one.
pub fn limit_note(
    text: &Text,
    availability: &CardAvailability,
    format_amount: impl Fn(&str) -> String,
) -> Option<String> {
    let limit = availability.limit.as_deref()?;
    Some(fill(text.limit, &[&format_amount(limit)]))
}

/// What a search is matched against, prepared once per bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchKey {
    haystacks: [String; 5],
}

impl SearchKey {
    pub fn new(bank: &BankOption) -> SearchKey {
        let pinyin = bank.pinyin.to_ascii_lowercase();
        let initials: String = pinyin
            .split_whitespace()
            .filter_map(|syllable| syllable.chars().next())
            .collect();
        SearchKey {
            haystacks: [
                compact(&bank.code),
                compact(&bank.name_en),
                compact(&bank.name_zh),
                compact(&pinyin),
                initials,
            ],
        }
    }

    /// Whether the bank's abbreviation, English name or pinyin starts with `prefix`
    /// (already lower-case ASCII): what typing letters in the bank list jumps to.
    pub fn starts_with(&self, prefix: &str) -> bool {
        [0, 1, 3]
            .iter()
            .any(|&i| self.haystacks[i].starts_with(prefix))
    }

    /// Whether the shopper's `query` finds this bank: a case- and space-insensitive
    /// substring of its abbreviation, English or Chinese name (in the script shown),
    /// pinyin, or pinyin initials (`gsyh` finds 工商银行). An empty query finds every
    /// bank.
    pub fn matches(&self, query: &str) -> bool {
        let needle = compact(query);
        // Byte windows rather than `str::contains`: the same answer for UTF-8 text,
        // without the general substring searcher's code.
        let needle = needle.as_bytes();
        needle.is_empty()
            || self
                .haystacks
                .iter()
                .any(|h| h.as_bytes().windows(needle.len()).any(|w| w == needle))
    }
}

/// Lower-cased without whitespace. ASCII case folding is enough (abbreviations,
/// English names and pinyin are ASCII; Chinese has no case) and spares the widget
/// the Unicode case tables.
fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::EN;

    fn bank(debit: CardAvailability, credit: CardAvailability) -> BankOption {
        BankOption {
            code: "ICBC".into(),
            name_en: "Industrial and Commercial Bank of China".into(),
            name_zh: "中国工商银行".into(),
            pinyin: "zhong guo gong shang yin hang".into(),
            colour: "#c7000b".into(),
            popular: true,
            debit,
            credit,
        }
    }

    fn available() -> CardAvailability {
        CardAvailability {
            limit: Some("50000.00".into()),
            unavailable: None,
        }
    }

    fn unavailable(reason: Unavailable, limit: Option<&str>) -> CardAvailability {
        CardAvailability {
            limit: limit.map(Into::into),
            unavailable: Some(reason),
        }
    }

    #[test]
    fn search_finds_by_every_name() {
        let key = SearchKey::new(&bank(available(), available()));
        for query in [
            "",
            "  ",
            "icbc",
            "IC",
            "commercial bank",
            "工商",
            "gongshang",
            "gong shang",
            "zggsyh",
            "gsyh",
        ] {
            assert!(key.matches(query), "{query:?}");
        }
        for query in ["boc", "建设", "jianshe", "zzz"] {
            assert!(!key.matches(query), "{query:?}");
        }
    }

    #[test]
    fn type_ahead_matches_name_starts() {
        let key = SearchKey::new(&bank(available(), available()));
        for prefix in ["i", "ic", "icbc", "industrial", "zhongguo", "z"] {
            assert!(key.starts_with(prefix), "{prefix}");
        }
        for prefix in ["c", "gong", "bank"] {
            assert!(!key.starts_with(prefix), "{prefix}");
        }
    }

    #[test]
    fn reasons_name_the_problem() {
        let fmt = |s: &str| format!("¥{s}");
        let over = unavailable(Unavailable::OverLimit, Some("5000.00"));
        assert_eq!(
            unavailable_reason(&EN, CardKind::Debit, &over, fmt).as_deref(),
            Some("Over this bank's limit of ¥5000.00")
        );
        let none = unavailable(Unavailable::NotSupported, None);
        assert_eq!(
            unavailable_reason(&EN, CardKind::Credit, &none, fmt).as_deref(),
            Some("Credit cards not accepted")
        );
        let down = unavailable(Unavailable::Maintenance, Some("5000.00"));
        assert_eq!(
            unavailable_reason(&EN, CardKind::Debit, &down, fmt).as_deref(),
            Some(EN.maintenance)
        );
        assert_eq!(
            unavailable_reason(&EN, CardKind::Debit, &available(), fmt),
            None
        );
    }

    #[test]
    fn the_limit_is_named_before_choosing() {
        let fmt = |s: &str| format!("¥{s}");
        assert_eq!(
            limit_note(&EN, &available(), fmt).as_deref(),
            Some("Up to ¥50000.00 per payment")
        );
        let none = CardAvailability {
            limit: None,
            unavailable: None,
        };
        assert_eq!(limit_note(&EN, &none, fmt), None);
    }

    #[test]
    fn availability_follows_the_card_kind() {
        let b = bank(available(), unavailable(Unavailable::NotSupported, None));
        assert!(availability(&b, CardKind::Debit).unavailable.is_none());
        assert!(availability(&b, CardKind::Credit).unavailable.is_some());
    }
}
