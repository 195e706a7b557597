//! Forgets what the gateway no longer needs: bank nonces no fresh message can carry,
//! and idempotency answers past the 24 hours they replay for (lookups already ignore
//! them; this keeps the tables small).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;

use super::{Step, Worker};
use crate::domain::idempotency::KEEP;
use crate::domain::time::{Millis, millis};
use crate::state::AppState;
use crate::store::StoreError;

/// Nonces are pruned every run; idempotency answers (a scan) this often.
const KEYS_EVERY: Duration = Duration::from_secs(60 * 60);

pub(super) struct Janitor {
    state: Arc<AppState>,
    keys_pruned_at: Mutex<Option<Millis>>,
}

impl Janitor {
    pub(super) fn new(state: Arc<AppState>) -> Self {
        Janitor {
            state,
            keys_pruned_at: Mutex::new(None),
        }
    }

    fn keys_due(&self, now: Millis) -> bool {
        let mut last = self
            .keys_pruned_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let due = last.is_none_or(|at| now - at >= millis(KEYS_EVERY));
        if due {
            *last = Some(now);
        }
        due
    }
}

#[async_trait]
impl Worker for Janitor {
    fn name(&self) -> &'static str {
        "janitor"
    }

    /// Every replica keeps its own rate-limit buckets trimmed (pruning the database twice is harmless).
    fn leased(&self) -> bool {
        false
    }

    async fn step(&self) -> Result<Step, StoreError> {
        let now = self.state.clock.now_ms();
        self.state.limits.forget_idle();
        self.state.store.prune_nonces(now).await?;
        if self.keys_due(now) {
            let n = self
                .state
                .store
                .prune_idempotency_keys(now - millis(KEEP))
                .await?;
            if n > 0 {
                tracing::info!(keys = n, "expired idempotency keys forgotten");
            }
        }
        Ok(Step::Idle)
    }

    async fn next_due(&self) -> Result<Option<Millis>, StoreError> {
        Ok(None)
    }

    fn max_idle(&self) -> Duration {
        Duration::from_secs(60)
    }
}
