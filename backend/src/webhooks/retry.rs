//! What one attempt means for a delivery: delivered, try again later (exponential
//! backoff with jitter), give up after three days, or stop for good on `410 Gone`.

use std::time::Duration;

use crate::store::DeliveryOutcome;

/// A delivery still failing this long after it was scheduled gives up.
pub(crate) const RETRY_WINDOW: Duration = Duration::from_secs(3 * 24 * 60 * 60);
const FIRST_BACKOFF_MS: i64 = 5_000;
const MAX_BACKOFF_MS: i64 = 60 * 60 * 1000;

/// How the endpoint answered one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    Status(u16),
    /// No HTTP answer: refused, timed out, reset, or the URL is not allowed.
    NoAnswer(String),
}

pub(crate) fn outcome(
    answer: &Answer,
    previous_attempts: u32,
    scheduled_at: i64,
    now: i64,
    jitter: u32,
) -> DeliveryOutcome {
    match answer {
        Answer::Status(s) if (200..300).contains(s) => DeliveryOutcome::Delivered,
        Answer::Status(410) => DeliveryOutcome::Gone,
        Answer::Status(_) | Answer::NoAnswer(_) => {
            let next_attempt_at = now + backoff_ms(previous_attempts, jitter);
            let window_ms = i64::try_from(RETRY_WINDOW.as_millis()).unwrap_or(i64::MAX);
            if next_attempt_at > scheduled_at + window_ms {
                DeliveryOutcome::GiveUp
            } else {
                DeliveryOutcome::Retry { next_attempt_at }
            }
        }
    }
}

/// Random stretch of a delay, in thousandths of a fifth of it.
pub(crate) const JITTER_MAX: u32 = 1000;

/// 5 s, 10 s, 20 s … capped at an hour, stretched by up to a fifth (`jitter` of
/// [`JITTER_MAX`]) so a recovering merchant is not hit by every retry at once.
fn backoff_ms(previous_attempts: u32, jitter: u32) -> i64 {
    let base = FIRST_BACKOFF_MS
        .saturating_mul(1_i64 << previous_attempts.min(20))
        .min(MAX_BACKOFF_MS);
    base + base / 5 * i64::from(jitter.min(JITTER_MAX)) / i64::from(JITTER_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        assert_eq!(backoff_ms(0, 0), 5_000);
        assert_eq!(backoff_ms(0, JITTER_MAX), 6_000);
        assert_eq!(backoff_ms(3, 0), 40_000);
        assert_eq!(backoff_ms(40, 0), HOUR);
        assert_eq!(backoff_ms(40, JITTER_MAX), HOUR + HOUR / 5);
    }

    #[test]
    fn answers_decide_the_delivery() {
        let ok = Answer::Status(204);
        assert_eq!(outcome(&ok, 9, 0, 100, 500), DeliveryOutcome::Delivered);
        assert_eq!(
            outcome(&Answer::Status(410), 0, 0, 100, 500),
            DeliveryOutcome::Gone
        );
        for failed in [
            Answer::Status(500),
            Answer::Status(302),
            Answer::Status(404),
            Answer::NoAnswer("connection refused".into()),
        ] {
            assert_eq!(
                outcome(&failed, 0, 0, 100, 0),
                DeliveryOutcome::Retry {
                    next_attempt_at: 5_100
                }
            );
        }
    }

    #[test]
    fn gives_up_once_the_next_try_would_fall_after_three_days() {
        let window = 72 * HOUR;
        let failed = Answer::Status(503);
        assert_eq!(
            outcome(&failed, 30, 0, window - HOUR, 0),
            DeliveryOutcome::Retry {
                next_attempt_at: window
            }
        );
        assert_eq!(
            outcome(&failed, 30, 0, window - HOUR + 1, 0),
            DeliveryOutcome::GiveUp
        );
    }
}
