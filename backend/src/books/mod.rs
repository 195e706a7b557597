//! The money after the payment, run by the gateway: reconciling each bank's settlement
//! file, settlement runs that make reconciled money available, and payouts. The rules
//! are the domain's (`reconciliation`, `settlement`, `payout`, `postings`); this module
//! fetches what they need, and the store writes each step in one transaction.

mod overdue;
mod payouts;
mod reconcile;
mod run;
mod settle_now;

use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;

use crate::signals::Wake;
use crate::store::Store;

pub(crate) use payouts::request_payout;
pub(crate) use run::{RunDate, run};
pub(crate) use settle_now::settle_order;

/// How the books are kept; from configuration.
#[derive(Debug, Clone)]
pub struct BooksConfig {
    /// Minutes after midnight UTC when the daily settlement run starts.
    pub settlement_minute: u32,
    /// A settlement run pays out automatically when a merchant's available balance
    /// reaches this much (major units of its currency).
    pub payout_minimum: Decimal,
    /// A payment or refund this recent may not be on the bank's file yet: it is not
    /// reported missing at the bank. A bank line this recent may not have reached the
    /// gateway yet: it is not reported unknown.
    pub reconcile_grace: Duration,
    /// Payout retries: the first after this long, doubling up to `payout_retry_max`.
    pub payout_retry_first: Duration,
    pub payout_retry_max: Duration,
}

impl Default for BooksConfig {
    fn default() -> Self {
        BooksConfig {
            settlement_minute: 2 * 60,
            payout_minimum: Decimal::new(100, 2),
            reconcile_grace: Duration::from_secs(300),
            payout_retry_first: Duration::from_secs(5),
            payout_retry_max: Duration::from_secs(600),
        }
    }
}

/// The books' settings and the payout worker's wake-up.
pub(crate) struct Books {
    pub(crate) config: BooksConfig,
    pub(crate) payouts: Wake,
}

impl Books {
    pub(crate) fn new(config: BooksConfig, store: &Arc<dyn Store>) -> Self {
        Books {
            config,
            payouts: Wake::new(crate::workers::PAYOUTER, store.clone()),
        }
    }
}
