//! How often the bank side retries: status queries for attempts without a verdict,
//! refunds the bank did not answer, and how often bank maintenance is checked.

use std::time::Duration;

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

/// `first` doubled `done` times, never above `max`, in milliseconds.
pub(crate) fn backoff_ms(first: Duration, max: Duration, done: u32) -> i64 {
    let first = i64::try_from(first.as_millis()).unwrap_or(i64::MAX);
    let max = i64::try_from(max.as_millis()).unwrap_or(i64::MAX);
    first
        .checked_mul(1_i64 << done.min(40))
        .map_or(max, |d| d.min(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_start_at_30_seconds_and_back_off_to_30_minutes() {
        let s = BankSchedule::default();
        let at = |n| backoff_ms(s.query_first, s.query_max, n) / 1000;
        assert_eq!([at(0), at(1), at(2), at(3), at(5)], [30, 60, 120, 240, 960]);
        assert_eq!(at(6), 1800);
        assert_eq!(at(u32::MAX), 1800);
    }
}
