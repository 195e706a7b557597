//! The bank directory: which banks exist, what they are called, which card kinds and
//! currencies they take and their single-payment limits. The data lives in
//! `shared/data/banks.json`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::currency::Currency;
use crate::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    Debit,
    Credit,
}

impl CardKind {
    pub const ALL: [CardKind; 2] = [CardKind::Debit, CardKind::Credit];

    pub fn as_str(self) -> &'static str {
        match self {
            CardKind::Debit => "debit",
            CardKind::Credit => "credit",
        }
    }

    pub fn parse(s: &str) -> Option<CardKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for CardKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One bank of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bank {
    /// Upper-case abbreviation, e.g. `ICBC`.
    pub code: String,
    /// In Simplified characters, as in mainland China.
    pub name_zh: String,
    /// In Traditional characters, for shoppers reading zh-TW.
    pub name_zh_tw: String,
    pub name_en: String,
    /// Pinyin of the Chinese name, syllables separated by spaces.
    pub pinyin: String,
    /// Brand-neutral badge colour, `#rrggbb`.
    pub colour: String,
    pub popular: bool,
    /// Single-payment limit per currency for debit cards; a currency that is absent is
    /// not accepted with this card kind.
    pub debit_limits: BTreeMap<Currency, String>,
    pub credit_limits: BTreeMap<Currency, String>,
}

impl Bank {
    /// The single-payment limit for this card kind in this currency, if the bank takes
    /// that combination at all.
    pub fn limit(&self, kind: CardKind, currency: Currency) -> Option<Money> {
        let limits = match kind {
            CardKind::Debit => &self.debit_limits,
            CardKind::Credit => &self.credit_limits,
        };
        limits
            .get(&currency)
            .and_then(|s| Money::parse(s, currency).ok())
    }
}

const DIRECTORY_JSON: &str = include_str!("../data/banks.json");

/// The built-in bank directory. Panics only if the bundled JSON is broken, which the
/// tests below rule out.
pub fn directory() -> Vec<Bank> {
    #[allow(clippy::expect_used)]
    serde_json::from_str(DIRECTORY_JSON).expect("shared/data/banks.json is valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn directory_is_complete_and_consistent() {
        let banks = directory();
        assert!(banks.len() >= 20, "{} banks", banks.len());
        let codes: HashSet<_> = banks.iter().map(|b| b.code.as_str()).collect();
        assert_eq!(codes.len(), banks.len(), "duplicate bank code");
        for required in [
            "ICBC", "ABC", "BOC", "CCB", "BOCOM", "PSBC", "CMB", "CITIC", "CEB", "CIB", "SPDB",
            "CMBC", "PAB", "CGB", "HXB", "BOB", "BOS", "NBCB", "JSB", "CZB",
        ] {
            assert!(codes.contains(required), "{required} missing");
        }
        for b in &banks {
            assert!(b.code.bytes().all(|c| c.is_ascii_uppercase()), "{}", b.code);
            assert!(
                b.colour.len() == 7 && b.colour.starts_with('#'),
                "{}",
                b.code
            );
            assert!(!b.debit_limits.is_empty() || !b.credit_limits.is_empty());
            for (currency, limit) in b.debit_limits.iter().chain(&b.credit_limits) {
                assert!(Money::parse(limit, *currency).is_ok(), "{} {limit}", b.code);
            }
        }
    }

    #[test]
    fn limit_lookup() {
        let icbc = directory().into_iter().find(|b| b.code == "ICBC").unwrap();
        assert!(icbc.limit(CardKind::Debit, Currency::Cny).is_some());
    }
}
