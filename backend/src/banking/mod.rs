//! The gateway's bank side after a payment starts: verified verdicts are stored, then
//! applied by the applier (`workers`); pending attempts are queried on a stored
//! schedule when no notification comes; payments that cannot be kept are refunded;
//! banks in maintenance are learned from their status endpoints.

mod intake;
mod maintenance;
mod schedule;

use std::sync::Arc;

use crate::signals::Wake;
use crate::store::Store;

pub(crate) use intake::{receive_notification, store_verdict};
pub(crate) use maintenance::Maintenance;
pub use schedule::BankSchedule;

/// What the bank side's workers share with the request handlers.
pub(crate) struct BankSide {
    pub(crate) schedule: BankSchedule,
    pub(crate) maintenance: Maintenance,
    /// Wakes the applier when a verdict is stored.
    pub(crate) applier: Wake,
    /// Wakes the refunder when a refund is created.
    pub(crate) refunder: Wake,
}

impl BankSide {
    pub(crate) fn new(schedule: BankSchedule, store: &Arc<dyn Store>) -> Self {
        BankSide {
            schedule,
            maintenance: Maintenance::default(),
            applier: Wake::new(crate::workers::APPLIER, store.clone()),
            refunder: Wake::new(crate::workers::REFUNDER, store.clone()),
        }
    }
}
