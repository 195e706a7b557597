//! What the gateway's background workers share: waiting on the clock until work is due,
//! something wakes them, or the gateway stops.

use std::time::Duration;

use tokio::sync::{Notify, watch};

use crate::clock::Clock;
use crate::store::StoreError;

/// Sleeps for `wait` of clock time, until `wakeup` fires or the gateway stops; `false`
/// on stop.
pub(crate) async fn idle(
    clock: &dyn Clock,
    wait: Duration,
    wakeup: Option<&Notify>,
    shutdown: &mut watch::Receiver<bool>,
) -> bool {
    if *shutdown.borrow() {
        return false;
    }
    let woken = async {
        match wakeup {
            Some(n) => n.notified().await,
            None => std::future::pending().await,
        }
    };
    let at = clock
        .now_ms()
        .saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
    tokio::select! {
        () = woken => true,
        () = clock.sleep_until(at) => true,
        _ = shutdown.changed() => false,
    }
}

/// How long to sleep when the next piece of work is due at `next` (clock ms), at most
/// `max`: a worker also looks again now and then in case it missed a wakeup.
pub(crate) fn until_due(
    clock: &dyn Clock,
    next: Result<Option<i64>, StoreError>,
    max: Duration,
) -> Duration {
    match next {
        Ok(Some(at)) => {
            let ms =
                (at - clock.now_ms()).clamp(0, i64::try_from(max.as_millis()).unwrap_or(i64::MAX));
            Duration::from_millis(ms.unsigned_abs())
        }
        Ok(None) => max,
        Err(e) => {
            tracing::warn!(error = %e, "could not read when work is next due");
            max
        }
    }
}
