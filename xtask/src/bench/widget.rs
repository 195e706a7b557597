//! `cargo xtask bench-widget [--runs N]`: time from the loader starting to a usable
//! bank list, in headless Chromium with a fresh profile per run, against the
//! release-built stack. The end-to-end crate's `bench-widget` program drives the
//! browser and reports; this scenario only says how many runs.

use std::path::Path;

use anyhow::{Context, Result};

use super::harness::args::parse_count;
use crate::e2e_bin::{self, Profile};

const DEFAULT_RUNS: u64 = 15;

pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    let runs = parse_runs(args)?;
    e2e_bin::run(
        root,
        "bench-widget",
        Profile::Release,
        &["--runs".into(), runs.to_string().into()],
    )
}

fn parse_runs(args: &[String]) -> Result<u32> {
    let runs = parse_count(args, "--runs", DEFAULT_RUNS, "bench-widget")?;
    u32::try_from(runs).context("--runs is too large")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_default_and_parse() {
        assert_eq!(parse_runs(&[]).unwrap(), 15);
        assert_eq!(parse_runs(&["--runs".into(), "3".into()]).unwrap(), 3);
        assert_eq!(parse_runs(&["--runs=4".into()]).unwrap(), 4);
        assert!(parse_runs(&["--runs".into(), "0".into()]).is_err());
        assert!(parse_runs(&["--runs".into(), "x".into()]).is_err());
        assert!(parse_runs(&["--runs".into(), "5000000000".into()]).is_err());
        assert!(parse_runs(&["--fast".into()]).is_err());
    }
}
