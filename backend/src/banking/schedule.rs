//! How often the bank side retries: status queries for attempts without a verdict,
//! refunds the bank did not answer, and how often bank maintenance is checked.

use std::time::Duration;

use paydesk_shared::backoff::Backoff;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BankSchedule {
    /// The first status query, counted from the attempt's start.
    pub query_first: Duration,
    /// Queries back off by doubling up to this interval.
    pub query_max: Duration,
    /// An attempt the bank never saw is failed this long after its order expired.
    pub unseen_grace: Duration,
    pub refund_first: Duration,
    pub refund_max: Duration,
    pub maintenance_every: Duration,
}

impl Default for BankSchedule {
    fn default() -> Self {
        BankSchedule {
            query_first: Duration::from_secs(30),
            query_max: Duration::from_secs(30 * 60),
            unseen_grace: Duration::from_secs(60),
            refund_first: Duration::from_secs(5),
            refund_max: Duration::from_secs(30 * 60),
            maintenance_every: Duration::from_secs(30),
        }
    }
}

impl BankSchedule {
    /// Status queries: `query_first`, doubling up to `query_max`.
    pub fn query_backoff(&self) -> Backoff {
        Backoff::new(self.query_first, self.query_max)
    }

    /// Refunds the bank did not answer: `refund_first`, doubling up to `refund_max`.
    pub fn refund_backoff(&self) -> Backoff {
        Backoff::new(self.refund_first, self.refund_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_start_at_30_seconds_and_back_off_to_30_minutes() {
        let b = BankSchedule::default().query_backoff();
        let at = |n| b.delay(n).as_secs();
        assert_eq!([at(0), at(1), at(2), at(3), at(5)], [30, 60, 120, 240, 960]);
        assert_eq!(at(6), 1800);
        assert_eq!(at(u32::MAX), 1800);
    }
}
