//! When to try a delivery again.

use std::time::Duration;

/// Exponential backoff between the tries of one delivery.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    pub(crate) first: Duration,
    pub(crate) max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_millis(250),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The wait after the `failures`-th failed try (1-based): `first`, doubling each
    /// time, never above `max`.
    pub(crate) fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.first
            .checked_mul(1u32 << doublings)
            .map_or(self.max, |d| d.min(self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_250ms_up_to_30s() {
        let b = Backoff::default();
        let ms = |n| b.delay(n).as_millis();
        assert_eq!([ms(1), ms(2), ms(3), ms(4)], [250, 500, 1000, 2000]);
        assert_eq!(ms(8), 30_000);
        assert_eq!(ms(9), 30_000);
        assert_eq!(ms(u32::MAX), 30_000);
    }
}
