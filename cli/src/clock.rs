//! Wall-clock time for signatures and for the lines the CLI prints.

use time::OffsetDateTime;
use time::macros::format_description;

pub(crate) fn now_secs() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// `2026-12-07 10:15:02`, UTC: the time at the start of a line.
pub(crate) fn stamp() -> String {
    OffsetDateTime::now_utc()
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default()
}
