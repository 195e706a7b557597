//! Faults on demand, for testing a gateway against a misbehaving bank. Deterministic:
//! the same settings and the same attempt ids give the same faults on every run.
//!
//! Set through the sandbox-only control API (no authentication: never expose a
//! sandbox bank beyond a test network):
//!
//! - `PUT /sandbox/faults` with a JSON body replaces the settings and answers them;
//! - `GET /sandbox/faults` answers the settings in force;
//! - `DELETE /sandbox/faults` resets to no faults and answers that.
//!
//! The same JSON can be given at start-up in `PAYDESK_BANK_FAULTS`. Every field is
//! optional; unknown fields or values out of range are refused (`400
//! invalid_faults`, nothing changes):
//!
//! ```json
//! {
//!   "seed": 42,                // u64, default 0: picks which attempts drop
//!   "drop_percent": 30,        // 0..=100, default 0: a decision's notification is
//!                              // never delivered when a hash of (seed, attempt id)
//!                              // in 0..100 falls under this; the same attempts drop
//!                              // on every run. Status queries still answer.
//!   "delay_ms": 2000,          // 0..=600000, default 0: wait before the first try
//!   "duplicate": 2,            // 1..=10 copies of every notification, default 1;
//!                              // each delivered (and signed) on its own
//!   "reorder": true,           // default false: deliveries are held until
//!   "reorder_window": 3,       // 2..=100 (default 2) of them wait, then delivered
//!                              // one after the other, newest first
//!   "processing_queries": 2,   // 0..=1000, default 0: the first N status queries of
//!                              // each attempt answer `processing`, whatever the bank
//!                              // knows
//!   "lose_transfer_answers": 2, // 0..=10, default 0: the first N times a payout is
//!                              // asked for (`POST /api/v1/transfers`, per payout
//!                              // id) the bank executes it as usual (the account is
//!                              // credited once, a refusal is decided once) but its
//!                              // answer is lost on the way back: `503 unavailable`.
//!                              // From the (N+1)-th ask on, the signed first answer
//!                              // is returned, as without the fault
//!   "maintenance": ["ICBC"],   // bank codes: their pay page says the bank is in
//!                              // maintenance and takes no payment;
//!                              // /api/v1/banks/status reports `maintenance: true`
//!   "settlement_file": {       // how the settlement file misstates the books,
//!                              // applied each time one is served. Lists of at
//!                              // most 1000 attempt ids, each naming every line
//!                              // of that attempt (its payment and its refunds):
//!     "omit": ["att_1"],       // left out of the file
//!     "amount_off": ["att_2"], // amount one major unit too high: +1.00 CNY,
//!                              // +1 JPY
//!     "currency_off": ["att_3"], // another currency: USD for CNY, CNY for any
//!                              // other (the amount unchanged)
//!     "duplicate": ["att_4"],  // the line twice, one after the other
//!     "unknown_lines": 2       // 0..=100, default 0: payment lines the gateway
//!                              // never saw, after the real ones (see below)
//!   }
//! }
//! ```
//!
//! An omitted attempt is omitted whatever else names it; otherwise a line may be
//! both `amount_off` and `currency_off`, and a duplicate repeats the misstated line.
//! Unknown line `i` (from 0) of the file for day `YYYY-MM-DD` is a payment at ICBC
//! of `(i + 1) × 10.00` CNY at 12:00:00 UTC plus `i` seconds, with bank transaction
//! id `SBX99YYYYMMDD` and `i` in 10 digits, attempt id `att_unknown_YYYYMMDD_i` and
//! order id `ord_unknown_YYYYMMDD_i`: the same lines every time, never an id the
//! bank gave out.
//!
//! `lose_transfer_answers` counts only asks that reach the books: a request refused
//! with a 4xx (bad signature or field, `409 payout_id_reused`) is not counted and
//! is answered as without the fault.
//!
//! Changing or resetting the settings releases any deliveries held for reordering
//! (newest first) and restarts the per-attempt count of status queries and the
//! per-payout count of transfer asks; so does a restart of the bank (the counts are
//! kept in memory only). Deliveries
//! planned before a change keep their copies and delay; notifications resumed after
//! a restart are delivered at once, neither held nor dropped again.
//!
//! `DELETE /sandbox/cards/{card number}/lock` unlocks a test card locked by three
//! wrong payment passwords.

mod settings;
mod settlement_file;

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError, RwLock};

pub use settings::{FaultError, Faults};
pub(crate) use settlement_file::SettlementFaults;

/// The settings in force, and the status queries (by attempt id) and transfer asks
/// (by payout id) counted under them.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    settings: RwLock<Faults>,
    queries: Mutex<HashMap<String, u32>>,
    transfers: Mutex<HashMap<String, u32>>,
}

impl FaultState {
    pub(crate) fn new(settings: Faults) -> Self {
        FaultState {
            settings: RwLock::new(settings),
            queries: Mutex::new(HashMap::new()),
            transfers: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn current(&self) -> Faults {
        self.settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set(&self, settings: Faults) {
        *self
            .settings
            .write()
            .unwrap_or_else(PoisonError::into_inner) = settings;
        self.queries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.transfers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// How the settlement file is misstated now.
    pub(crate) fn settlement_file(&self) -> SettlementFaults {
        self.settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .settlement_file
            .clone()
    }

    pub(crate) fn in_maintenance(&self, bank_code: &str) -> bool {
        self.settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .in_maintenance(bank_code)
    }

    /// Counts a status query for `attempt_id`; true while it is one of the first
    /// `processing_queries` for that attempt.
    pub(crate) fn answer_processing(&self, attempt_id: &str) -> bool {
        let limit = self
            .settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .processing_queries;
        count_within(&self.queries, attempt_id, limit)
    }

    /// Counts an executed transfer ask for `payout_id`; true while it is one of the
    /// first `lose_transfer_answers` for that payout, whose answer is then lost.
    pub(crate) fn lose_transfer_answer(&self, payout_id: &str) -> bool {
        let limit = self
            .settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .lose_transfer_answers;
        count_within(&self.transfers, payout_id, limit)
    }
}

/// Counts one more for `key`; true while the count is at most `limit`. Nothing is
/// counted under a limit of 0.
fn count_within(counts: &Mutex<HashMap<String, u32>>, key: &str, limit: u32) -> bool {
    if limit == 0 {
        return false;
    }
    let mut counts = counts.lock().unwrap_or_else(PoisonError::into_inner);
    let count = counts.entry(key.to_owned()).or_insert(0);
    *count = count.saturating_add(1);
    *count <= limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_n_queries_of_each_attempt_answer_processing() {
        let state = FaultState::new(Faults {
            processing_queries: 2,
            ..Faults::default()
        });
        let answers: Vec<bool> = (0..3).map(|_| state.answer_processing("a")).collect();
        assert_eq!(answers, [true, true, false]);
        assert!(state.answer_processing("b"));
        // New settings count afresh.
        state.set(Faults {
            processing_queries: 1,
            ..Faults::default()
        });
        assert!(state.answer_processing("a"));
        assert!(!state.answer_processing("a"));
        state.set(Faults::default());
        assert!(!state.answer_processing("c"));
    }

    #[test]
    fn the_first_n_asks_of_each_payout_lose_their_answer() {
        let state = FaultState::new(Faults {
            lose_transfer_answers: 2,
            processing_queries: 1,
            ..Faults::default()
        });
        let lost: Vec<bool> = (0..3).map(|_| state.lose_transfer_answer("po_1")).collect();
        assert_eq!(lost, [true, true, false]);
        assert!(state.lose_transfer_answer("po_2"));
        // Counted apart from status queries, even under the same id.
        assert!(state.answer_processing("po_1"));
        // New settings count afresh.
        state.set(Faults {
            lose_transfer_answers: 1,
            ..Faults::default()
        });
        assert!(state.lose_transfer_answer("po_1"));
        assert!(!state.lose_transfer_answer("po_1"));
        state.set(Faults::default());
        assert!(!state.lose_transfer_answer("po_3"));
    }
}
