//! Which banks are in maintenance, as their connectors last reported. The widget shows
//! them disabled and new attempts at them are refused.

use std::collections::HashSet;
use std::sync::{PoisonError, RwLock};

#[derive(Debug, Default)]
pub(crate) struct Maintenance {
    banks: RwLock<HashSet<String>>,
}

impl Maintenance {
    pub(crate) fn contains(&self, bank_code: &str) -> bool {
        self.banks
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(bank_code)
    }

    /// Sets the banks in maintenance; `true` if that changed anything.
    pub(crate) fn replace(&self, banks: HashSet<String>) -> bool {
        let mut current = self.banks.write().unwrap_or_else(PoisonError::into_inner);
        let changed = *current != banks;
        *current = banks;
        changed
    }
}
