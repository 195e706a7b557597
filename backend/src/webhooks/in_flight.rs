//! Which deliveries the dispatcher must not pick: those being sent, and those whose
//! result was committed after the read that found them began. A read of due deliveries
//! may run on a snapshot from before a result's commit and still show the delivery as
//! due; without the second rule it would be sent again.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::domain::ids::{EndpointId, EventId};

/// (event id, endpoint id)
pub(crate) type DeliveryKey = (EventId, EndpointId);

#[derive(Default)]
pub(crate) struct InFlight(Mutex<State>);

#[derive(Default)]
struct State {
    sending: HashSet<DeliveryKey>,
    /// Deliveries whose result was committed, with the commit's number.
    recorded: HashMap<DeliveryKey, u64>,
    /// Commits so far.
    commits: u64,
}

/// What a read of due deliveries must leave out, fixed before the read starts.
pub(crate) struct ReadMark(u64);

impl InFlight {
    /// Call before reading due deliveries. Results committed up to now are in the read's
    /// snapshot, so they no longer need remembering.
    pub(crate) fn before_read(&self) -> ReadMark {
        let Ok(mut s) = self.0.lock() else {
            return ReadMark(u64::MAX);
        };
        let seen = s.commits;
        s.recorded.retain(|_, commit| *commit > seen);
        ReadMark(seen)
    }

    /// Takes a delivery found by the read marked `mark`, unless it is being sent or its
    /// result was committed after that read began.
    pub(crate) fn take(&self, key: DeliveryKey, mark: &ReadMark) -> bool {
        let Ok(mut s) = self.0.lock() else {
            return false;
        };
        if s.recorded.get(&key).is_some_and(|commit| *commit > mark.0) {
            return false;
        }
        s.sending.insert(key)
    }

    /// Call after the results of `keys` were committed.
    pub(crate) fn recorded(&self, keys: impl IntoIterator<Item = DeliveryKey>) {
        if let Ok(mut s) = self.0.lock() {
            s.commits += 1;
            let commit = s.commits;
            for key in keys {
                s.sending.remove(&key);
                s.recorded.insert(key, commit);
            }
        }
    }

    pub(crate) fn sending(&self) -> usize {
        self.0.lock().map_or(0, |s| s.sending.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> DeliveryKey {
        (format!("evt_{n}").into(), "we_1".into())
    }

    #[test]
    fn a_delivery_recorded_while_a_read_ran_is_not_taken_from_that_read() {
        let f = InFlight::default();
        let first = f.before_read();
        assert!(f.take(key(1), &first));
        assert!(!f.take(key(1), &first), "being sent");

        let stale = f.before_read();
        f.recorded([key(1)]);
        // The read began before the commit: its row for key 1 may be stale.
        assert!(!f.take(key(1), &stale));
        // A read begun after the commit sees the delivery as it now is (due again only
        // if it was rescheduled), so it may take it.
        let fresh = f.before_read();
        assert!(f.take(key(1), &fresh));
        assert_eq!(f.sending(), 1);
    }
}
