//! Time to an interactive bank list: `bench-widget --runs N` loads the demo shop's
//! checkout page N times on a desktop and N times as a phone (CPU ×4 slower, Slow 4G:
//! 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, 360 px wide), each in a fresh
//! headless Chromium with an empty profile and cache, and reads the loader's and the
//! widget's performance marks. `cargo xtask bench-widget` runs it against a release
//! build.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use paydesk_e2e::{Browser, Mode, Stack};

/// `[loader-start, interactive]` in microseconds since navigation start, or null
/// until both marks exist.
const READ_MARKS: &str = r#"
const start = performance.getEntriesByName("paydesk:loader-start")[0];
const ready = performance.getEntriesByName("paydesk:interactive")[0];
return start && ready
  ? [Math.round(start.startTime * 1000), Math.round(ready.startTime * 1000)]
  : null;
"#;

const MARK_WAIT: Duration = Duration::from_secs(30);

/// One page load: microseconds from loader start to interactive, and from navigation
/// start to interactive.
#[derive(Debug, Clone, Copy)]
struct Run {
    from_loader: u64,
    from_navigation: u64,
}

/// The device a page load is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Device {
    Desktop,
    Phone,
}

impl Device {
    fn label(self) -> &'static str {
        match self {
            Device::Desktop => "desktop",
            Device::Phone => "phone (CPU x4, Slow 4G)",
        }
    }
}

async fn measure(url: &str, device: Device) -> anyhow::Result<Run> {
    let browser = match device {
        Device::Desktop => Browser::start(1280).await?,
        Device::Phone => {
            let browser = Browser::start(360).await?;
            browser.emulate_phone().await?;
            browser
        }
    };
    browser.client.goto(url).await?;
    let deadline = Instant::now() + MARK_WAIT;
    let marks = loop {
        let marks = browser.client.execute(READ_MARKS, vec![]).await?;
        if let Some([start, ready]) = marks.as_array().map(Vec::as_slice) {
            break (
                start.as_u64().context("loader-start")?,
                ready.as_u64().context("interactive")?,
            );
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "no `paydesk:loader-start` and `paydesk:interactive` marks after {MARK_WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    browser.close().await?;
    let (start, ready) = marks;
    Ok(Run {
        from_loader: ready.saturating_sub(start),
        from_navigation: ready,
    })
}

/// `12.3 ms` from microseconds.
fn ms(micros: u64) -> String {
    format!("{}.{} ms", micros / 1000, micros % 1000 / 100)
}

/// Median, 90th percentile (nearest rank), min and max of `values`.
fn summary(mut values: Vec<u64>) -> String {
    values.sort_unstable();
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2
    };
    let p90 = values[(n * 9).div_ceil(10).saturating_sub(1)];
    format!(
        "median {}  p90 {}  min {}  max {}",
        ms(median),
        ms(p90),
        ms(values[0]),
        ms(values[n - 1])
    )
}

fn runs() -> anyhow::Result<usize> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(15),
        [flag, n] if flag == "--runs" => {
            let n: usize = n.parse().with_context(|| format!("--runs {n}"))?;
            anyhow::ensure!(n > 0, "--runs must be at least 1");
            Ok(n)
        }
        _ => anyhow::bail!("usage: bench-widget [--runs N]"),
    }
}

async fn bench() -> anyhow::Result<()> {
    let runs = runs()?;
    let stack = Stack::start().await?;
    // One order for every run; each run is a fresh browser with an empty cache.
    let url = {
        let browser = Browser::start(1280).await?;
        let checkout = browser.start_checkout(&stack, Mode::Embedded, None).await?;
        browser.close().await?;
        checkout.url
    };
    let mut summaries = Vec::new();
    for device in [Device::Desktop, Device::Phone] {
        println!("{runs} cold loads of {url} on a {}", device.label());
        let mut results = Vec::with_capacity(runs);
        for i in 1..=runs {
            let run = measure(&url, device)
                .await
                .with_context(|| format!("{} run {i}", device.label()))?;
            println!(
                "  run {i:>2}: loader → interactive {}, navigation → interactive {}",
                ms(run.from_loader),
                ms(run.from_navigation)
            );
            results.push(run);
        }
        summaries.push((device, results));
    }
    for (device, results) in summaries {
        println!("{}:", device.label());
        println!(
            "  loader start → interactive bank list:      {}",
            summary(results.iter().map(|r| r.from_loader).collect())
        );
        println!(
            "  navigation start → interactive bank list:  {}",
            summary(results.iter().map(|r| r.from_navigation).collect())
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match bench().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarises_odd_and_even_counts() {
        assert_eq!(
            summary(vec![3_000, 1_000, 2_000]),
            "median 2.0 ms  p90 3.0 ms  min 1.0 ms  max 3.0 ms"
        );
        assert_eq!(
            summary((1..=10).map(|i| i * 1_000).collect()),
            "median 5.5 ms  p90 9.0 ms  min 1.0 ms  max 10.0 ms"
        );
        assert_eq!(ms(12_345), "12.3 ms");
    }
}
