//! The banks this service plays, looked up by code.

use std::collections::BTreeMap;

use paydesk_shared::bank::{self, Bank};

#[derive(Debug, Clone)]
pub(crate) struct Directory {
    banks: Vec<Bank>,
    by_code: BTreeMap<String, usize>,
}

impl Directory {
    pub(crate) fn load() -> Self {
        Self::from_banks(bank::directory())
    }

    pub(crate) fn from_banks(banks: Vec<Bank>) -> Self {
        let by_code = banks
            .iter()
            .enumerate()
            .map(|(i, b)| (b.code.clone(), i))
            .collect();
        Directory { banks, by_code }
    }

    pub(crate) fn get(&self, code: &str) -> Option<&Bank> {
        self.by_code.get(code).and_then(|&i| self.banks.get(i))
    }

    /// In the directory's own order (popular banks first).
    pub(crate) fn banks(&self) -> &[Bank] {
        &self.banks
    }
}

/// The CSS class that carries a bank's colour; see `routes::assets`.
pub(crate) fn css_class(bank: &Bank) -> String {
    let code: String = bank
        .code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    format!("bank-{code}")
}
