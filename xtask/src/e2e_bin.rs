//! Runs one of the end-to-end crate's programs (screenshots, widget benchmark) against
//! the freshly built widget in headless Chromium.

use std::ffi::OsString;
use std::path::Path;

use anyhow::Result;

use crate::tools::{self, CHROMEDRIVER, CHROMIUM, SystemPackages, Tools};
use crate::{process, widget};

/// Whether the stack the program starts in-process is compiled with optimisations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    Dev,
    Release,
}

/// Installs what is missing, builds the widget, then `cargo run`s `bin` from
/// `paydesk-e2e` with `args`.
pub(crate) fn run(root: &Path, bin: &str, profile: Profile, args: &[OsString]) -> Result<()> {
    let tools = Tools::locate()?;
    tools::setup(&tools, root, SystemPackages::Install)?;
    widget::build(root, &tools)?;
    let mut cargo = tools.cargo();
    cargo.current_dir(root).args(["run", "--quiet"]);
    if profile == Profile::Release {
        cargo.arg("--release");
    }
    cargo
        .args(["-p", "paydesk-e2e", "--bin", bin, "--"])
        .args(args)
        .env("PAYDESK_WIDGET_DIST", widget::dist_dir(root))
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("CHROMIUM", CHROMIUM);
    process::run(&mut cargo)
}
