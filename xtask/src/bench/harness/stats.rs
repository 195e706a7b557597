//! The one statistics implementation every benchmark reports with: latency samples and
//! their percentiles, what a load phase saw, rates, and the table the README quotes.
//!
//! Integer arithmetic throughout (the workspace warns on float arithmetic): latencies
//! in microseconds, rates in tenths per second.

use std::time::Duration;

/// Latency samples in microseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Latencies {
    micros: Vec<u64>,
}

impl Latencies {
    pub(crate) fn push(&mut self, latency: Duration) {
        self.micros
            .push(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX));
    }

    pub(crate) fn extend(&mut self, other: Latencies) {
        self.micros.extend(other.micros);
    }

    pub(crate) fn len(&self) -> u64 {
        u64::try_from(self.micros.len()).unwrap_or(u64::MAX)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.micros.is_empty()
    }

    /// The percentiles, sorted once.
    pub(crate) fn summary(&self) -> Summary {
        let mut sorted = self.micros.clone();
        sorted.sort_unstable();
        let at = |p: usize| match sorted.len() {
            0 => 0,
            n => sorted[(n - 1) * p / 100],
        };
        Summary {
            p50_us: at(50),
            p90_us: at(90),
            p99_us: at(99),
            max_us: sorted.last().copied().unwrap_or(0),
        }
    }
}

impl FromIterator<u64> for Latencies {
    /// Samples given in microseconds.
    fn from_iter<I: IntoIterator<Item = u64>>(micros: I) -> Self {
        Latencies {
            micros: micros.into_iter().collect(),
        }
    }
}

/// Latency percentiles in microseconds; each is the sample at rank `(n - 1) · p / 100`
/// of the sorted samples, 0 without samples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    pub(crate) p50_us: u64,
    pub(crate) p90_us: u64,
    pub(crate) p99_us: u64,
    pub(crate) max_us: u64,
}

/// What one phase of load saw: every successful request's latency, and what went wrong.
#[derive(Debug, Default)]
pub(crate) struct Phase {
    pub(crate) elapsed: Duration,
    pub(crate) latencies: Latencies,
    pub(crate) non_2xx: u64,
    pub(crate) errors: u64,
    pub(crate) first_failure: Option<String>,
}

impl Phase {
    pub(crate) fn failures(&self) -> u64 {
        self.non_2xx + self.errors
    }

    /// Successful requests.
    pub(crate) fn succeeded(&self) -> u64 {
        self.latencies.len()
    }

    pub(crate) fn requests(&self) -> u64 {
        self.succeeded() + self.failures()
    }

    /// Counts a non-2xx answer, keeping the first one's status and body.
    pub(crate) fn note_non_2xx(&mut self, what: impl FnOnce() -> String) {
        self.non_2xx += 1;
        self.note_failure(what);
    }

    /// Counts an error (no answer, or an answer that made no sense).
    pub(crate) fn note_error(&mut self, what: impl FnOnce() -> String) {
        self.errors += 1;
        self.note_failure(what);
    }

    fn note_failure(&mut self, what: impl FnOnce() -> String) {
        if self.first_failure.is_none() {
            self.first_failure = Some(what());
        }
    }

    pub(crate) fn merge(&mut self, other: Phase) {
        self.latencies.extend(other.latencies);
        self.non_2xx += other.non_2xx;
        self.errors += other.errors;
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
    }

    /// Completed requests per second, in tenths.
    pub(crate) fn rate_tenths(&self) -> u128 {
        per_second_tenths(self.requests(), self.elapsed)
    }

    /// This phase as one row of [`table`].
    pub(crate) fn row<'a>(&self, name: &'a str) -> Row<'a> {
        Row {
            name,
            rate_tenths: self.rate_tenths(),
            summary: self.latencies.summary(),
            non_2xx: self.non_2xx,
            errors: self.errors,
            requests: self.requests(),
        }
    }
}

/// One line of [`table`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    pub(crate) name: &'a str,
    pub(crate) rate_tenths: u128,
    pub(crate) summary: Summary,
    pub(crate) non_2xx: u64,
    pub(crate) errors: u64,
    pub(crate) requests: u64,
}

/// One line per row: rate, latency percentiles and failures, under a header.
pub(crate) fn table(rows: &[Row<'_>]) -> String {
    let width = rows
        .iter()
        .map(|row| row.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("endpoint".len());
    let line = |cells: [&str; 9]| {
        let [name, numbers @ ..] = cells;
        let mut line = format!("{name:<width$}");
        for (cell, cell_width) in numbers.iter().zip([10, 10, 10, 10, 10, 9, 8, 10]) {
            line += &format!(" {cell:>cell_width$}");
        }
        line + "\n"
    };
    let mut out = line([
        "endpoint", "req/s", "p50", "p90", "p99", "max", "non-2xx", "errors", "requests",
    ]);
    for row in rows {
        out += &line([
            row.name,
            &tenths(row.rate_tenths),
            &millis(row.summary.p50_us),
            &millis(row.summary.p90_us),
            &millis(row.summary.p99_us),
            &millis(row.summary.max_us),
            &row.non_2xx.to_string(),
            &row.errors.to_string(),
            &row.requests.to_string(),
        ]);
    }
    out
}

/// `count` events in `elapsed`, per second, in tenths.
pub(crate) fn per_second_tenths(count: u64, elapsed: Duration) -> u128 {
    u128::from(count) * 10_000_000 / elapsed.as_micros().max(1)
}

pub(crate) fn tenths(value: u128) -> String {
    format!("{}.{}", value / 10, value % 10)
}

pub(crate) fn thousandths(value: u128) -> String {
    format!("{}.{:03}", value / 1000, value % 1000)
}

pub(crate) fn millis(micros: u64) -> String {
    format!("{}.{:02} ms", micros / 1000, micros % 1000 / 10)
}

/// A duration as seconds with two decimals.
pub(crate) fn seconds(elapsed: Duration) -> String {
    let hundredths = elapsed.as_millis() / 10;
    format!("{}.{:02} s", hundredths / 100, hundredths % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_use_integer_arithmetic() {
        let phase = Phase {
            elapsed: Duration::from_secs(2),
            latencies: (1..=100).map(|n| n * 100).collect(),
            non_2xx: 1,
            ..Phase::default()
        };
        assert_eq!(phase.requests(), 101);
        assert_eq!(tenths(phase.rate_tenths()), "50.5");
        let summary = phase.latencies.summary();
        assert_eq!(millis(summary.p50_us), "5.00 ms");
        assert_eq!(millis(summary.p90_us), "9.00 ms");
        assert_eq!(millis(summary.p99_us), "9.90 ms");
        assert_eq!(millis(summary.max_us), "10.00 ms");
        assert_eq!(thousandths(412), "0.412");
        assert_eq!(
            tenths(per_second_tenths(10_000, Duration::from_millis(4_210))),
            "2375.2"
        );
        assert_eq!(seconds(Duration::from_micros(12_345_678)), "12.34 s");
    }

    #[test]
    fn no_samples_summarise_to_zero() {
        assert_eq!(Latencies::default().summary(), Summary::default());
        let mut one = Latencies::default();
        one.push(Duration::from_micros(1_500));
        let summary = one.summary();
        assert_eq!((summary.p50_us, summary.max_us), (1_500, 1_500));
    }

    #[test]
    fn phases_merge_and_keep_the_first_failure() {
        let mut phase = Phase::default();
        phase.note_non_2xx(|| "500: first".to_owned());
        let mut other = Phase::default();
        other.latencies.push(Duration::from_millis(1));
        other.note_error(|| "reset".to_owned());
        phase.merge(other);
        assert_eq!((phase.non_2xx, phase.errors, phase.requests()), (1, 1, 3));
        assert_eq!(phase.first_failure.as_deref(), Some("500: first"));
    }

    #[test]
    fn the_table_widens_for_long_names() {
        let phase = Phase {
            elapsed: Duration::from_secs(1),
            latencies: [1_000, 2_000].into_iter().collect(),
            ..Phase::default()
        };
        let table = table(&[phase.row("POST /v1/bank/notifications/sandbox")]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("endpoint   "), "{table}");
        assert!(lines[0].contains("p90"), "{table}");
        assert_eq!(
            lines[0].chars().count(),
            lines[1].chars().count(),
            "{table}"
        );
        assert!(lines[1].starts_with("POST /v1/bank/notifications/sandbox "));
        assert!(lines[1].trim_end().ends_with(" 2"), "{table}");
    }
}
