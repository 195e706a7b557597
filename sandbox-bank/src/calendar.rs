//! Civil dates in UTC, as far as the bank needs them: the end of a card's last valid
//! month. Proleptic Gregorian calendar.

const SECS_PER_DAY: i64 = 86_400;

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

/// Unix seconds at 00:00 UTC of the first day after `month` of `year` ends.
pub(crate) fn month_end(year: i64, month: u32) -> i64 {
    let (year, month) = if month >= 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    days_from_civil(year, month, 1) * SECS_PER_DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_end_at_utc_midnight() {
        assert_eq!(month_end(1969, 12), 0);
        assert_eq!(month_end(2020, 12), 1_609_459_200);
        assert_eq!(month_end(2024, 2), 1_709_251_200);
        assert_eq!(month_end(2026, 10), 1_793_491_200);
    }
}
