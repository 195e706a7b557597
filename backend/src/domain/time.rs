//! Time in the gateway's rules and records: milliseconds since the Unix epoch, read
//! from the gateway's `Clock`. One conversion from `Duration` (checked: it saturates
//! rather than wraps) and one rendering (RFC 3339) live here and nowhere else.

use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// `d` in milliseconds, saturating at `Millis::MAX`.
pub fn millis(d: Duration) -> Millis {
    Millis::try_from(d.as_millis()).unwrap_or(Millis::MAX)
}

/// The whole seconds of `at`, for protocols that count in seconds.
pub fn secs(at: Millis) -> i64 {
    at.div_euclid(1000)
}

/// The last millisecond RFC 3339 can write (9999-12-31T23:59:59.999Z).
const LAST_RFC3339: Millis = 253_402_300_799_999;

/// RFC 3339 in UTC with millisecond precision, for times from 1970 to the year 9999
/// (others are clamped to that range).
pub fn rfc3339(at: Millis) -> String {
    let at = at.clamp(0, LAST_RFC3339);
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
        .expect("a time from 1970 to 9999 is a date")
        .format(&Rfc3339)
        .expect("a UTC time from 1970 to 9999 formats as RFC 3339")
}

/// One day in milliseconds.
pub const DAY: Millis = 86_400_000;

/// The UTC day of `at`, `YYYY-MM-DD`.
pub fn day_of(at: Millis) -> String {
    rfc3339(at)[..10].to_owned()
}

/// The first millisecond of the UTC day `YYYY-MM-DD`; none if it is not a date.
pub fn day_start(day: &str) -> Option<Millis> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(day, &format).ok()?;
    let start = date.midnight().assume_utc().unix_timestamp();
    (start >= 0).then(|| start.saturating_mul(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_saturate_and_round_down() {
        assert_eq!(millis(Duration::from_secs(90)), 90_000);
        assert_eq!(millis(Duration::MAX), Millis::MAX);
        assert_eq!(secs(1_999), 1);
        assert_eq!(secs(-1), -1);
        assert_eq!(rfc3339(1_800_000_000_123), "2027-01-15T08:00:00.123Z");
        assert_eq!(rfc3339(Millis::MAX), "9999-12-31T23:59:59.999Z");
        assert_eq!(rfc3339(-5), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn days_are_utc_and_strict() {
        assert_eq!(day_of(1_800_000_000_123), "2027-01-15");
        assert_eq!(
            day_start("2027-01-15"),
            Some(1_800_000_000_000 - 8 * 3_600_000)
        );
        assert_eq!(
            day_of(day_start("2027-01-15").unwrap() + DAY - 1),
            "2027-01-15"
        );
        for bad in [
            "2027-02-30",
            "2027-1-15",
            "27-01-15",
            "",
            "2027-01-15T00:00",
        ] {
            assert_eq!(day_start(bad), None, "{bad}");
        }
    }
}
