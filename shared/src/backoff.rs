//! Exponential backoff, the one used by every retry in Paydesk: the gateway's status
//! queries, refunds and webhook deliveries, and the sandbox bank's notifications.

use std::time::Duration;

/// `first`, doubled after each failure, never above `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

/// The most a [`Backoff::stretched`] delay grows: a fifth, at `jitter` = `JITTER_MAX`.
pub const JITTER_MAX: u32 = 1000;

impl Backoff {
    pub const fn new(first: Duration, max: Duration) -> Self {
        Backoff { first, max }
    }

    /// `first` doubled `doublings` times, capped at `max`.
    pub fn delay(&self, doublings: u32) -> Duration {
        self.first
            .checked_mul(1u32 << doublings.min(31))
            .map_or(self.max, |d| d.min(self.max))
    }

    /// [`Self::delay`] stretched by `jitter` thousandths of a fifth of it, so that the
    /// retries of many senders do not arrive together at a recovering receiver.
    pub fn stretched(&self, doublings: u32, jitter: u32) -> Duration {
        let base = u64::try_from(self.delay(doublings).as_millis()).unwrap_or(u64::MAX);
        let extra = base / 5 * u64::from(jitter.min(JITTER_MAX)) / u64::from(JITTER_MAX);
        Duration::from_millis(base.saturating_add(extra))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_first_and_stops_at_max() {
        let b = Backoff::new(Duration::from_millis(250), Duration::from_secs(30));
        let ms = |n| b.delay(n).as_millis();
        assert_eq!([ms(0), ms(1), ms(2), ms(3)], [250, 500, 1000, 2000]);
        assert_eq!(ms(7), 30_000);
        assert_eq!(ms(u32::MAX), 30_000);
    }

    #[test]
    fn jitter_stretches_by_at_most_a_fifth() {
        let b = Backoff::new(Duration::from_secs(5), Duration::from_secs(3600));
        assert_eq!(b.stretched(0, 0), Duration::from_secs(5));
        assert_eq!(b.stretched(0, JITTER_MAX), Duration::from_secs(6));
        assert_eq!(b.stretched(0, u32::MAX), Duration::from_secs(6));
        assert_eq!(b.stretched(40, JITTER_MAX), Duration::from_secs(4320));
    }
}
