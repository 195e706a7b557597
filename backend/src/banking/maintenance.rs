//! Which banks are in maintenance, as their connectors last reported. The widget shows
//! them disabled and new attempts at them are refused.

use std::collections::HashSet;
use std::sync::{Arc, PoisonError, RwLock};

use tokio::sync::watch;

use crate::background::idle;
use crate::state::AppState;

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

    fn replace(&self, banks: HashSet<String>) -> bool {
        let mut current = self.banks.write().unwrap_or_else(PoisonError::into_inner);
        let changed = *current != banks;
        *current = banks;
        changed
    }
}

pub(super) async fn run(state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let mut down = HashSet::new();
        let mut complete = true;
        for connector in state.connectors.all() {
            match connector.banks_in_maintenance(state.clock.now_secs()).await {
                Ok(banks) => down.extend(banks),
                Err(e) => {
                    complete = false;
                    tracing::debug!(connector = connector.name(), error = %e, "bank status unavailable");
                }
            }
        }
        // If a connector did not answer, the list stays as it was.
        if complete && state.bank.maintenance.replace(down.clone()) {
            tracing::info!(banks = ?down, "banks in maintenance changed");
        }
        if !idle(
            &*state.clock,
            state.bank.schedule.maintenance_every,
            None,
            &mut shutdown,
        )
        .await
        {
            return;
        }
    }
}
