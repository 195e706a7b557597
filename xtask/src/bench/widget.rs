//! `cargo xtask bench-widget [--runs N]`: time from the loader starting to a usable
//! bank list, in headless Chromium with a fresh profile per run, against the
//! release-built stack.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::e2e_bin::{self, Profile};

const DEFAULT_RUNS: u32 = 15;

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
    match args {
        [] => Ok(DEFAULT_RUNS),
        [flag, n] if flag == "--runs" => {
            let runs: u32 = n
                .parse()
                .with_context(|| format!("--runs takes a whole number, not `{n}`"))?;
            if runs == 0 {
                bail!("--runs must be at least 1");
            }
            Ok(runs)
        }
        _ => bail!("bench-widget takes only `--runs N`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_default_and_parse() {
        assert_eq!(parse_runs(&[]).unwrap(), DEFAULT_RUNS);
        assert_eq!(parse_runs(&["--runs".into(), "3".into()]).unwrap(), 3);
        assert!(parse_runs(&["--runs".into(), "0".into()]).is_err());
        assert!(parse_runs(&["--runs".into(), "x".into()]).is_err());
        assert!(parse_runs(&["--fast".into()]).is_err());
    }
}
