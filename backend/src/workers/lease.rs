//! A worker's lease: on a store several replicas share, one replica at a time runs each
//! worker. The lease is renewed well before it lapses; a replica that was killed stops
//! renewing, and another takes the worker over once its lease has run out.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::store::Store;

pub(super) struct Lease {
    store: Arc<dyn Store>,
    worker: &'static str,
    leased: bool,
    /// How long the lease lasts unless renewed: how soon a killed replica's work moves
    /// on. It is renewed once less than 70% of it is left, so a step never starts on a
    /// lease about to lapse.
    ttl: Duration,
    /// Until when the lease surely holds: counted from before the request that took
    /// it, so this process never believes it holds longer than the database does.
    until: Option<Instant>,
}

impl Lease {
    pub(super) fn new(
        store: Arc<dyn Store>,
        worker: &'static str,
        leased: bool,
        ttl: Duration,
    ) -> Self {
        Lease {
            store,
            worker,
            leased,
            ttl,
            until: None,
        }
    }

    /// How often a replica without the lease looks whether it has come free.
    pub(super) fn look_again(&self) -> Duration {
        self.ttl / 5
    }

    /// Whether this process may run the worker now, taking or renewing its lease.
    pub(super) async fn hold(&mut self) -> bool {
        if !self.leased {
            return true;
        }
        let asked = Instant::now();
        if self
            .until
            .is_some_and(|until| until > asked + self.ttl * 7 / 10)
        {
            return true;
        }
        let held = match self.store.hold_lease(self.worker, self.ttl).await {
            Ok(held) => held,
            Err(e) => {
                tracing::warn!(worker = self.worker, error = %e, "could not renew a worker's lease");
                false
            }
        };
        let had = self.until.is_some_and(|until| until > asked);
        if held != had {
            tracing::info!(worker = self.worker, held, "worker lease changed hands");
        }
        self.until = held.then_some(asked + self.ttl);
        held
    }

    /// Gives the lease up as the gateway stops, so another replica takes over at once.
    pub(super) async fn release(&mut self) {
        if self.until.take().is_some()
            && let Err(e) = self.store.release_lease(self.worker).await
        {
            tracing::warn!(worker = self.worker, error = %e, "could not release a worker's lease; it lapses");
        }
    }
}
