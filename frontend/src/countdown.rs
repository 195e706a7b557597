//! The time left to pay, from the order's `expires_at` and the browser's clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use leptos::prelude::*;

use crate::change_tick::ChangeTick;
use crate::format;

/// Whole seconds from `now_ms` until `expires_ms`, rounded up (a checkout with
/// 0.4 s left still shows 00:01), zero once past.
pub fn seconds_left(expires_ms: i64, now_ms: i64) -> u32 {
    let ms = expires_ms.saturating_sub(now_ms).max(0);
    u32::try_from(ms.saturating_add(999) / 1000).unwrap_or(u32::MAX)
}

/// A moment worth telling a screen-reader user about. Announcing every second
/// would drown everything else out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    FiveMinutes,
    OneMinute,
}

/// The milestone passed between two readings of the countdown, if any. Timers in
/// background tabs skip seconds, so passing counts, not landing exactly on it.
pub fn milestone(before: u32, now: u32) -> Option<Milestone> {
    if before > 60 && now <= 60 && now > 0 {
        Some(Milestone::OneMinute)
    } else if before > 300 && now <= 300 && now > 60 {
        Some(Milestone::FiveMinutes)
    } else {
        None
    }
}

/// Seconds left, read reactively; `None` while the expiry is unknown. A plain
/// closure rather than a signal: each signal value type costs the widget its own
/// copy of the reactive code.
pub type ReadSeconds = Arc<dyn Fn() -> Option<u32> + Send + Sync>;

/// Seconds left until `expires_ms` (milliseconds since 1970), re-read once a
/// second while the view lives; `None` while the expiry is unknown.
pub fn use_seconds_left(
    expires_ms: impl Fn() -> Option<i64> + Send + Sync + 'static,
) -> ReadSeconds {
    // The time in an atomic, with a tick once a second to say it changed.
    let now = Arc::new(AtomicI64::new(format::now_ms()));
    let tick = ChangeTick::default();
    let clock = now.clone();
    if let Ok(timer) = set_interval_with_handle(
        move || {
            clock.store(format::now_ms(), Ordering::Relaxed);
            tick.changed();
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || timer.clear());
    }
    Arc::new(move || {
        tick.track();
        Some(seconds_left(expires_ms()?, now.load(Ordering::Relaxed)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_up_and_stop_at_zero() {
        assert_eq!(seconds_left(10_000, 0), 10);
        assert_eq!(seconds_left(10_000, 9_600), 1);
        assert_eq!(seconds_left(10_000, 10_000), 0);
        assert_eq!(seconds_left(10_000, 99_000), 0);
        assert_eq!(seconds_left(i64::MAX, i64::MIN), u32::MAX);
    }

    #[test]
    fn milestones_are_passed_once() {
        use Milestone::*;
        assert_eq!(milestone(301, 300), Some(FiveMinutes));
        assert_eq!(milestone(305, 299), Some(FiveMinutes));
        assert_eq!(milestone(300, 299), None);
        assert_eq!(milestone(61, 60), Some(OneMinute));
        assert_eq!(milestone(400, 30), Some(OneMinute));
        assert_eq!(milestone(60, 59), None);
        assert_eq!(milestone(5, 0), None);
    }
}
