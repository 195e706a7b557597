//! Learns which banks are in maintenance from their connectors, every few seconds. If
//! a connector does not answer, the list stays as it was.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{Step, Worker};
use crate::domain::time::Millis;
use crate::state::AppState;
use crate::store::StoreError;

pub(super) struct Watcher(pub(super) Arc<AppState>);

#[async_trait]
impl Worker for Watcher {
    fn name(&self) -> &'static str {
        "maintenance"
    }

    /// Every replica keeps its own view of which banks are in maintenance.
    fn leased(&self) -> bool {
        false
    }

    async fn step(&self) -> Result<Step, StoreError> {
        let state = &self.0;
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
        if complete && state.bank.maintenance.replace(down.clone()) {
            tracing::info!(banks = ?down, "banks in maintenance changed");
        }
        Ok(Step::Idle)
    }

    async fn next_due(&self) -> Result<Option<Millis>, StoreError> {
        Ok(None)
    }

    fn max_idle(&self) -> Duration {
        self.0.bank.schedule.maintenance_every
    }
}
