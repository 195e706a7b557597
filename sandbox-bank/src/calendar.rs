//! Civil dates in UTC, as far as the bank needs them: the start of a settlement day
//! and the end of a card's last valid month. Proleptic Gregorian calendar.

/// Seconds in a UTC day (Unix time has no leap seconds).
pub(crate) const DAY_SECS: i64 = 86_400;
const SECS_PER_DAY: i64 = DAY_SECS;

/// Days from 1970-01-01 to the given date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Unix seconds at 00:00 UTC of a `YYYY-MM-DD` date; `None` for anything else,
/// including dates that do not exist (`2026-02-30`).
pub(crate) fn day_start(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    let year: i64 = text.get(0..4)?.parse().ok()?;
    let month: u32 = text.get(5..7)?.parse().ok()?;
    let day: u32 = text.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day) * SECS_PER_DAY)
}

/// Unix seconds at 00:00 UTC of the first day after `month` of `year` ends.
pub(crate) fn month_end(year: i64, month: u32) -> i64 {
    let (year, month) = if month >= 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    days_from_civil(year, month, 1) * SECS_PER_DAY
}

/// `YYYY-MM-DD HH:MM` in UTC, for statements (Hinnant's `civil_from_days`).
pub(crate) fn utc_minute(unix: i64) -> String {
    let days = unix.div_euclid(SECS_PER_DAY);
    let secs = unix.rem_euclid(SECS_PER_DAY);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_start_at_utc_midnight() {
        assert_eq!(day_start("1970-01-01"), Some(0));
        assert_eq!(day_start("2026-11-26"), Some(1_795_651_200));
        assert_eq!(day_start("2024-02-29"), Some(1_709_164_800));
        assert_eq!(day_start("2000-03-01"), Some(951_868_800));
    }

    #[test]
    fn bad_dates_are_refused() {
        for bad in [
            "",
            "2026-1-01",
            "2026-13-01",
            "2026-00-10",
            "2026-02-29",
            "2026-04-31",
            "2026-11-26T00",
            "+026-11-26",
            "2026/11/26",
            "２０２６-11-26",
        ] {
            assert_eq!(day_start(bad), None, "{bad}");
        }
    }

    #[test]
    fn statement_times_are_utc_minutes() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00");
        assert_eq!(
            utc_minute(1_795_651_200 + 21 * 3600 + 38 * 60 + 16),
            "2026-11-26 21:38"
        );
        assert_eq!(utc_minute(1_709_164_800 + 86_399), "2024-02-29 23:59");
        assert_eq!(utc_minute(951_868_800 - 1), "2000-02-29 23:59");
    }

    #[test]
    fn months_end_at_utc_midnight() {
        assert_eq!(month_end(1969, 12), 0);
        assert_eq!(month_end(2020, 12), 1_609_459_200);
        assert_eq!(month_end(2024, 2), 1_709_251_200);
        assert_eq!(month_end(2026, 10), 1_793_491_200);
        assert_eq!(month_end(2020, 12), day_start("2021-01-01").unwrap());
    }
}
