//! The gateway's bank side after a payment starts: verified verdicts are stored, then
//! applied by one applier; pending attempts are queried on a stored schedule when no
//! notification comes; payments that cannot be kept are refunded; banks in maintenance
//! are learned from their status endpoints.

mod applier;
pub(crate) mod events;
mod intake;
mod maintenance;
pub(crate) mod plan;
mod querier;
mod refunder;
mod schedule;

use std::sync::Arc;

use tokio::sync::{Notify, watch};

use crate::state::AppState;

pub(crate) use intake::receive_notification;
pub(crate) use maintenance::Maintenance;
pub use schedule::BankSchedule;

/// What the bank side's background tasks share with the request handlers.
pub(crate) struct BankSide {
    pub(crate) schedule: BankSchedule,
    pub(crate) maintenance: Maintenance,
    /// Wakes the applier when a verdict is stored.
    pub(crate) applier: Notify,
    /// Wakes the refunder when a refund is created.
    pub(crate) refunder: Notify,
}

impl BankSide {
    pub(crate) fn new(schedule: BankSchedule) -> Self {
        BankSide {
            schedule,
            maintenance: Maintenance::default(),
            applier: Notify::new(),
            refunder: Notify::new(),
        }
    }
}

/// Starts the applier, querier, refunder and maintenance watcher; they stop when
/// `shutdown` turns true.
pub(crate) fn spawn(
    state: &AppState,
    shutdown: &watch::Sender<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let state = Arc::new(state.clone());
    vec![
        tokio::spawn(applier::run(state.clone(), shutdown.subscribe())),
        tokio::spawn(querier::run(state.clone(), shutdown.subscribe())),
        tokio::spawn(refunder::run(state.clone(), shutdown.subscribe())),
        tokio::spawn(maintenance::run(state, shutdown.subscribe())),
    ]
}
