//! Serialization failures, retried. Every writing transaction runs SERIALIZABLE; when
//! PostgreSQL cannot order it with a concurrent one it aborts it (SQLSTATE 40001, or
//! 40P01 for a deadlock) and nothing of it is kept, so running it again is safe.

use std::future::Future;
use std::time::Duration;

use crate::store::StoreError;

/// Tries before a conflict is given up as the backend's failure.
const TRIES: u32 = 30;

/// Runs `attempt` until it finishes without a serialization failure. Each retry waits
/// a little longer, with jitter, so racing writers fall out of step.
pub(super) async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(e) if tries < TRIES && is_serialization_failure(&e) => {
                let cap = 1u64 << tries.min(7);
                let wait = rand::random::<u64>() % cap + 1;
                tokio::time::sleep(Duration::from_millis(wait)).await;
                tries += 1;
            }
            done => return done,
        }
    }
}

/// Whether PostgreSQL aborted the transaction to keep it serializable.
pub(super) fn is_serialization_failure(e: &StoreError) -> bool {
    let StoreError::Backend(source) = e else {
        return false;
    };
    match source.downcast_ref::<sqlx::Error>() {
        Some(sqlx::Error::Database(db)) => {
            matches!(db.code().as_deref(), Some("40001") | Some("40P01"))
        }
        _ => false,
    }
}
