//! Paydesk's task runner: `cargo xtask <command>`. Dispatch only; each command lives in
//! its own module.

mod bench;
mod e2e_bin;
mod http;
mod process;
mod screenshots;
mod services;
mod supervisor;
mod test;
mod tools;
mod widget;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

const HELP: &str = "\
Paydesk task runner

usage: cargo xtask <command>

commands:
  run            set up, build, and start gateway, sandbox bank and demo shop; Ctrl-C stops
                 [--postgres] on the local PostgreSQL (or PAYDESK_DATABASE_URL)
                 [--replicas N] N gateways behind HAProxy on the gateway's port
  test           formatting, lints, widget build and size, all native tests, the
                 end-to-end suite and the widget's browser tests (what CI runs)
  setup          install missing tools once per machine (--with-browser: Chromium and
                 the merchant samples' runtimes too)
  build-widget   build the widget with Trunk into frontend/dist
  size           build the widget and check its first-load size against the budget
  bench-orders   order-creation benchmark against the release gateway [--seconds N]
  bench-notifications
                 signed bank notifications: acknowledged/s, ack latency and applied/s
                 against the release gateway [--orders N] (default 10000); with
                 --rate N open loop: ack latency at N/s, then notification → merchant
                 webhook latency at --webhook-rate N/s (default 500), each phase for
                 --seconds N (default 10), latency from each scheduled send time
  bench-widget   loader start → usable bank list in headless Chromium [--runs N]
  screenshots    every checkout step at 360, 768 and 1280 px, light and dark
                 [--out DIR] (default target/screenshots)
  help           this text

environment (run): PAYDESK_HOST, PAYDESK_GATEWAY_PORT, PAYDESK_BANK_PORT,
  PAYDESK_SHOP_PORT, PAYDESK_DATA_DIR, PAYDESK_DATABASE_URL, PAYDESK_DEMO_SECRET_KEY,
  PAYDESK_DEMO_WEBHOOK_SECRET, PAYDESK_OPERATOR_KEY (else {data}/operator.key),
  RUST_LOG; tools go to PAYDESK_TOOLS_DIR
  (default ~/.cache/paydesk/tools) and ~/.cargo/bin";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("help", &[][..]),
    };
    match dispatch(command, rest) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(command: &str, args: &[String]) -> Result<()> {
    let root = repo_root()?;
    let root = root.as_path();
    match command {
        "run" => services::Layout::parse(args).and_then(|layout| services::run(root, layout)),
        "test" => no_args(command, args).and_then(|()| test::run(root)),
        "setup" => {
            let browser = match args {
                [] => tools::SystemPackages::Skip,
                [flag] if flag == "--with-browser" => tools::SystemPackages::Install,
                _ => bail!("setup takes only `--with-browser`"),
            };
            tools::setup(&tools::Tools::locate()?, root, browser)
        }
        "build-widget" => {
            no_args(command, args)?;
            let tools = setup(root)?;
            widget::build(root, &tools)
        }
        "size" => {
            no_args(command, args)?;
            let tools = setup(root)?;
            widget::build(root, &tools)?;
            widget::check_size(root)
        }
        "bench-orders" => bench::orders::run(root, args),
        "bench-notifications" => bench::notifications::run(root, args),
        "bench-widget" => bench::widget::run(root, args),
        "screenshots" => screenshots::run(root, args),
        "help" | "--help" | "-h" => {
            println!("{HELP}");
            Ok(())
        }
        other => {
            eprintln!("{HELP}\n");
            bail!("unknown command `{other}`")
        }
    }
}

fn setup(root: &Path) -> Result<tools::Tools> {
    let tools = tools::Tools::locate()?;
    tools::setup(&tools, root, tools::SystemPackages::Skip)?;
    Ok(tools)
}

fn no_args(command: &str, args: &[String]) -> Result<()> {
    match args {
        [] => Ok(()),
        [first, ..] => bail!("`{command}` takes no arguments, got `{first}`"),
    }
}

/// The workspace root: this crate's parent directory.
fn repo_root() -> Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .context("the xtask crate has no parent directory")
}
