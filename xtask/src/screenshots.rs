//! `cargo xtask screenshots [--out DIR]`: every step of a checkout at phone, tablet
//! and desktop widths, light and dark, as PNG files.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::e2e_bin::{self, Profile};

pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    let out = match args {
        [] => root.join("target/screenshots"),
        [flag, dir] if flag == "--out" => absolute(root, dir),
        _ => bail!("screenshots takes only `--out DIR`"),
    };
    e2e_bin::run(
        root,
        "screenshots",
        Profile::Dev,
        &[OsString::from("--out"), out.into_os_string()],
    )
}

/// `dir` as given, or relative to where the command was started.
fn absolute(root: &Path, dir: &str) -> PathBuf {
    let dir = PathBuf::from(dir);
    if dir.is_absolute() {
        return dir;
    }
    std::env::current_dir()
        .unwrap_or_else(|_| root.to_path_buf())
        .join(dir)
}
