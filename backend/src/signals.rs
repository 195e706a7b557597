//! Wake-ups and status changes that reach every gateway replica. Work stored on one
//! replica may be for a worker whose lease another holds, and a payment applied on one
//! may be watched by a widget connected to another: each is announced through the
//! store, and [`relay`] hands what the other replicas announce to this one's workers
//! and widget streams, and drops its cached merchants when another changed one. On a
//! store one process owns, announcing does nothing.

use std::sync::Arc;

use tokio::sync::{Notify, broadcast, watch};

use crate::state::AppState;
use crate::store::{Signal, Store};
use crate::workers::Workers;

/// Wakes a background worker, here and wherever its lease is held. Anyone else may
/// watch it ring too (the merchants' live event streams watch the dispatcher's).
#[derive(Clone)]
pub(crate) struct Wake {
    worker: &'static str,
    local: Arc<Notify>,
    store: Arc<dyn Store>,
    rings: Arc<watch::Sender<u64>>,
}

impl Wake {
    pub(crate) fn new(worker: &'static str, store: Arc<dyn Store>) -> Self {
        Wake {
            worker,
            local: Arc::default(),
            store,
            rings: Arc::new(watch::channel(0).0),
        }
    }

    pub(crate) fn notify_one(&self) {
        self.local.notify_one();
        self.rang();
        self.store.announce(Signal::Wake(self.worker.to_owned()));
    }

    /// Tells this replica's watchers it rang (here, or on another replica: [`relay`]
    /// wakes the worker itself).
    fn rang(&self) {
        self.rings
            .send_modify(|count| *count = count.wrapping_add(1));
    }

    /// Changes each time it rings, here or on another replica.
    pub(crate) fn watch(&self) -> watch::Receiver<u64> {
        self.rings.subscribe()
    }

    /// This replica's side, which the worker itself waits on.
    pub(crate) fn local(&self) -> Arc<Notify> {
        self.local.clone()
    }
}

/// Until the gateway stops: wakes this replica's workers and tells its widget streams
/// about orders, as the other replicas announce them.
pub(crate) async fn relay(
    state: AppState,
    workers: Workers,
    mut heard: broadcast::Receiver<Signal>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let signal = tokio::select! {
            signal = heard.recv() => signal,
            _ = shutdown.changed() => return,
        };
        match signal {
            Ok(Signal::Wake(worker)) => {
                workers.wake(&worker);
                if worker == state.outbox.worker {
                    state.outbox.rang();
                }
            }
            Ok(Signal::OrderChanged(order)) => {
                crate::payments::show_status(&state, &order).await;
            }
            Ok(Signal::MerchantsChanged) => state.merchants.forget_here(),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "missed signals from other replicas; workers look again"
                );
                state.merchants.forget_here();
                state.outbox.rang();
                for name in Workers::WOKEN {
                    workers.wake(name);
                }
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
