//! Forgets what the gateway no longer needs: idempotency keys past the 24 hours they
//! replay their answer for (lookups already ignore them; this keeps the table small).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::background::idle;
use crate::http::idempotency::KEEP;
use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(60 * 60);

pub(crate) async fn run(state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let keep_ms = i64::try_from(KEEP.as_millis()).unwrap_or(i64::MAX);
        match state
            .store
            .prune_idempotency_keys(state.clock.now_ms() - keep_ms)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(keys = n, "expired idempotency keys forgotten"),
            Err(e) => tracing::warn!(error = %e, "could not prune idempotency keys"),
        }
        if !idle(&*state.clock, EVERY, None, &mut shutdown).await {
            return;
        }
    }
}
