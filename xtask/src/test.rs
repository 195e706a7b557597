//! `cargo xtask test`: everything CI checks, cheapest first, stopping at the first
//! failure, with a summary of how long each stage took.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::tools::{self, CHROMEDRIVER, CHROMIUM, SystemPackages, Tools, WASM_TARGET};
use crate::{process, widget};

/// Generous: the first test in a fresh browser also pays for compiling the wasm.
const WASM_TEST_TIMEOUT_SECS: &str = "120";

pub(crate) fn run(root: &Path) -> Result<()> {
    let tools = Tools::locate()?;
    let dist = widget::dist_dir(root);
    let mut stages = Stages::default();

    // Formatting and lints need no extra tools, so a slip fails in seconds rather than
    // after a first-time tool install.
    stages.run("cargo fmt --check", || {
        process::run(
            tools
                .cargo()
                .current_dir(root)
                .args(["fmt", "--all", "--check"]),
        )
    })?;
    stages.run("cargo clippy", || {
        process::run(tools.cargo().current_dir(root).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    stages.run("setup", || {
        tools::setup(&tools, root, SystemPackages::Install)
    })?;
    stages.run("build widget", || widget::build(root, &tools))?;
    stages.run("widget size", || widget::check_size(root))?;
    stages.run("cargo test (native, integration, end-to-end)", || {
        process::run(
            tools
                .cargo()
                .current_dir(root)
                .args(["test", "--workspace"])
                .env("PAYDESK_WIDGET_DIST", &dist)
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .env("CHROMIUM", CHROMIUM)
                .env("PAYDESK_AXE", tools.axe_script())
                .env("PAYDESK_TOOLS_PYTHON", tools.python()),
        )
    })?;
    // The store contract ran on both stores above; the gateway's integration suite runs
    // again on PostgreSQL (the machine's own, a fresh database per test), with the
    // tests of replicas under faults that only PostgreSQL runs.
    stages.run("gateway integration suite on PostgreSQL", || {
        process::run(
            tools
                .cargo()
                .current_dir(root)
                .args(["test", "-p", "paydesk-gateway", "--test", "api"])
                .args(["--", "--include-ignored"])
                .env("PAYDESK_TEST_STORE", "postgres")
                .env("PAYDESK_TOOLS_PYTHON", tools.python()),
        )
    })?;
    stages.run("widget component tests (wasm, headless Chromium)", || {
        process::run(
            tools
                .cargo()
                .current_dir(root)
                .args(["test", "-p", "paydesk-widget", "--target", WASM_TARGET])
                .env(
                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                    "wasm-bindgen-test-runner",
                )
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_TIMEOUT", WASM_TEST_TIMEOUT_SECS),
        )
    })?;
    stages.print_summary();
    println!("all stages passed");
    Ok(())
}

#[derive(Debug, Default)]
struct Stages {
    done: Vec<(&'static str, Duration, bool)>,
}

impl Stages {
    fn run<T>(&mut self, name: &'static str, stage: impl FnOnce() -> Result<T>) -> Result<T> {
        println!("\n━━ {name}");
        let started = Instant::now();
        let result = stage();
        self.done.push((name, started.elapsed(), result.is_ok()));
        if result.is_err() {
            self.print_summary();
        }
        result.with_context(|| format!("stage `{name}` failed"))
    }

    fn print_summary(&self) {
        println!("\n{}", self.summary());
    }

    fn summary(&self) -> String {
        let width = self
            .done
            .iter()
            .map(|(name, ..)| name.len())
            .max()
            .unwrap_or(0);
        let mut out = String::from("stage summary:\n");
        for (name, took, ok) in &self.done {
            let mark = if *ok { "✓" } else { "✗" };
            out += &format!("  {mark} {name:<width$}  {}\n", format_duration(*took));
        }
        let total: Duration = self.done.iter().map(|(_, took, _)| *took).sum();
        out += &format!("  total {}", format_duration(total));
        out
    }
}

fn format_duration(took: Duration) -> String {
    let secs = took.as_secs();
    if secs >= 60 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{}.{}s", secs, took.subsec_millis() / 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_at_the_first_failure_and_summarises() {
        let mut stages = Stages::default();
        assert_eq!(stages.run("first", || Ok(1)).unwrap(), 1);
        let error = stages
            .run("second", || -> Result<()> { anyhow::bail!("boom") })
            .unwrap_err();
        assert_eq!(format!("{error:#}"), "stage `second` failed: boom");
        let summary = stages.summary();
        assert!(summary.contains("✓ first "), "{summary}");
        assert!(summary.contains("✗ second"), "{summary}");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_millis(1_250)), "1.2s");
        assert_eq!(format_duration(Duration::from_secs(754)), "12m 34s");
    }
}
