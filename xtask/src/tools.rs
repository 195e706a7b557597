//! The tools the widget build and the browser tests need, installed once per machine
//! and outside the clone. Every pinned version lives at the top of this file.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::process;

pub(crate) const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub(crate) const TRUNK_VERSION: &str = "0.21.14";
/// binaryen's wasm-opt, from npm: prebuilt, so no C++ compile on a fresh machine.
pub(crate) const BINARYEN_VERSION: &str = "132";
/// axe-core, the accessibility engine the end-to-end tests run in the browser.
pub(crate) const AXE_CORE_VERSION: &str = "4.14.1";
/// terser, from npm: minifies the loader and the wasm-bindgen glue (Trunk's own
/// minifier cannot parse the glue).
pub(crate) const TERSER_VERSION: &str = "5.51.4";
/// Python tools from PyPI, in a virtual environment of their own: the libraries
/// merchants verify webhooks with (the tests verify real deliveries with them), and
/// the API contract's validator and fuzzer.
pub(crate) const PYTHON_PACKAGES: [(&str, &str); 4] = [
    ("standardwebhooks", "1.3.0"),
    ("stripe", "16.1.0"),
    ("openapi-spec-validator", "0.7.1"),
    ("schemathesis", "4.32.5"),
];
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
/// The programs the merchant samples (`samples/`) run with, and the Debian package of each.
const SAMPLE_RUNTIMES: [(&str, &str); 8] = [
    ("curl", "curl"),
    ("socat", "socat"),
    ("openssl", "openssl"),
    ("node", "nodejs"),
    ("javac", "default-jdk-headless"),
    ("php", "php-cli"),
    ("go", "golang"),
    ("ruby", "ruby"),
];
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
/// Where the binaryen npm package goes unless `PAYDESK_TOOLS_DIR` says otherwise,
/// relative to the home directory.
const DEFAULT_TOOLS_DIR: &str = ".cache/paydesk/tools";

/// Whether setup also installs, from Debian's packages, what the end-to-end tests run:
/// the browser they drive and the runtimes of the merchant samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SystemPackages {
    Skip,
    Install,
}

/// Where the installed tools live, and a `PATH` that finds them first.
#[derive(Debug, Clone)]
pub(crate) struct Tools {
    binaryen_dir: PathBuf,
    axe_dir: PathBuf,
    terser_dir: PathBuf,
    python_dir: PathBuf,
    path: OsString,
}

impl Tools {
    /// Works out the locations from the environment; installs nothing.
    pub(crate) fn locate() -> Result<Self> {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .context("HOME is not set, so there is nowhere outside the clone to install tools")?;
        let cargo_bin = std::env::var_os("CARGO_HOME")
            .map_or_else(|| home.join(".cargo"), PathBuf::from)
            .join("bin");
        let tools_dir = std::env::var_os("PAYDESK_TOOLS_DIR")
            .map_or_else(|| home.join(DEFAULT_TOOLS_DIR), PathBuf::from);
        let binaryen_dir = tools_dir.join(format!("binaryen-{BINARYEN_VERSION}"));
        let axe_dir = tools_dir.join(format!("axe-core-{AXE_CORE_VERSION}"));
        let terser_dir = tools_dir.join(format!("terser-{TERSER_VERSION}"));
        let python_dir = tools_dir.join("python");
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            [binaryen_dir.join("node_modules/.bin"), cargo_bin]
                .into_iter()
                .chain(std::env::split_paths(&inherited)),
        )
        .context("a tool directory contains a character PATH cannot hold")?;
        Ok(Tools {
            binaryen_dir,
            axe_dir,
            terser_dir,
            python_dir,
            path,
        })
    }

    /// `program` with `PATH` prefixed by the binaryen and cargo bin directories.
    pub(crate) fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.env("PATH", &self.path);
        command
    }

    /// `cargo` through the rustup proxy, which keeps the toolchain this task runner
    /// was started with (rustup passes `RUSTUP_TOOLCHAIN` down).
    pub(crate) fn cargo(&self) -> Command {
        self.command("cargo")
    }

    fn wasm_opt(&self) -> PathBuf {
        self.binaryen_dir.join("node_modules/.bin/wasm-opt")
    }

    /// axe-core's browser bundle, which the end-to-end tests inject into pages.
    pub(crate) fn axe_script(&self) -> PathBuf {
        self.axe_dir.join("node_modules/axe-core/axe.min.js")
    }

    /// The Python that has [`PYTHON_PACKAGES`] installed.
    pub(crate) fn python(&self) -> PathBuf {
        self.python_dir.join("bin/python")
    }

    /// terser's command-line entry point.
    pub(crate) fn terser(&self) -> PathBuf {
        self.terser_dir.join("node_modules/.bin/terser")
    }
}

/// Installs whatever is missing or at the wrong version, one line per tool.
pub(crate) fn setup(tools: &Tools, root: &Path, system: SystemPackages) -> Result<()> {
    let wasm_bindgen = locked_version(&read_lockfile(root)?, "wasm-bindgen").context(
        "Cargo.lock has no `wasm-bindgen` package to take the wasm-bindgen-cli version from",
    )?;

    ensure(
        &format!("rustup target {WASM_TARGET}"),
        1,
        || {
            process::probe(
                tools
                    .command("rustup")
                    .args(["target", "list", "--installed"]),
            )
            .is_some_and(|out| out.lines().any(|line| line.trim() == WASM_TARGET))
        },
        || process::run(tools.command("rustup").args(["target", "add", WASM_TARGET])),
    )?;
    ensure(
        &format!("trunk {TRUNK_VERSION}"),
        12,
        || reports_version(tools.command("trunk"), TRUNK_VERSION),
        || {
            process::run(tools.cargo().args([
                "install",
                "trunk",
                "--version",
                TRUNK_VERSION,
                "--locked",
            ]))
        },
    )?;
    ensure(
        &format!("wasm-bindgen-cli {wasm_bindgen}"),
        6,
        || reports_version(tools.command("wasm-bindgen"), &wasm_bindgen),
        // No `--locked`: the CLI's own lockfile pins a crate the registry no longer has.
        || {
            process::run(tools.cargo().args([
                "install",
                "wasm-bindgen-cli",
                "--version",
                &wasm_bindgen,
            ]))
        },
    )?;
    ensure(
        &format!("wasm-opt (binaryen {BINARYEN_VERSION})"),
        1,
        || {
            process::probe(tools.command(tools.wasm_opt()).arg("--version"))
                .is_some_and(|out| is_binaryen_version(&out, BINARYEN_VERSION))
        },
        || {
            std::fs::create_dir_all(&tools.binaryen_dir)
                .with_context(|| format!("could not create {}", tools.binaryen_dir.display()))?;
            process::run(
                tools
                    .command("npm")
                    .arg("install")
                    .arg("--prefix")
                    .arg(&tools.binaryen_dir)
                    .args(["--no-audit", "--no-fund"])
                    .arg(format!("binaryen@{BINARYEN_VERSION}")),
            )
        },
    )?;
    ensure_axe(tools)?;
    ensure_terser(tools)?;
    ensure_python_packages(tools)?;
    if system == SystemPackages::Install {
        ensure(
            "chromium + chromedriver + CJK fonts",
            3,
            || {
                Path::new(CHROMIUM).is_file()
                    && Path::new(CHROMEDRIVER).is_file()
                    && Path::new(CJK_FONT).is_file()
            },
            install_chromium,
        )?;
        let packages: Vec<&str> = SAMPLE_RUNTIMES
            .iter()
            .map(|(_, package)| *package)
            .collect();
        ensure(
            &format!("sample runtimes ({})", packages.join(", ")),
            3,
            || SAMPLE_RUNTIMES.iter().all(|(program, _)| on_path(program)),
            || {
                let missing: Vec<&str> = SAMPLE_RUNTIMES
                    .iter()
                    .filter(|(program, _)| !on_path(program))
                    .map(|(_, package)| *package)
                    .collect();
                apt_install(&missing)
            },
        )?;
    }
    Ok(())
}

/// axe-core from npm, at the pinned version, in its own directory.
fn ensure_axe(tools: &Tools) -> Result<()> {
    ensure_npm(
        tools,
        &tools.axe_dir,
        "axe-core",
        AXE_CORE_VERSION,
        &tools.axe_script(),
    )
}

fn ensure_terser(tools: &Tools) -> Result<()> {
    ensure_npm(
        tools,
        &tools.terser_dir,
        "terser",
        TERSER_VERSION,
        &tools.terser(),
    )
}

/// [`PYTHON_PACKAGES`] at their pinned versions, in a virtual environment.
fn ensure_python_packages(tools: &Tools) -> Result<()> {
    let python = tools.python();
    let pinned: Vec<String> = PYTHON_PACKAGES
        .iter()
        .map(|(name, version)| format!("{name}=={version}"))
        .collect();
    ensure(
        &format!("Python {}", pinned.join(" ")),
        1,
        || {
            let names = PYTHON_PACKAGES
                .map(|(name, _)| format!("{name:?}"))
                .join(",");
            let script = format!(
                "import importlib.metadata as m; print(' '.join(n + '==' + m.version(n) for n in [{names}]))"
            );
            process::probe(tools.command(&python).args(["-c", &script]))
                .is_some_and(|out| out.trim() == pinned.join(" "))
        },
        || {
            process::run(
                tools
                    .command("python3")
                    .args(["-m", "venv"])
                    .arg(&tools.python_dir),
            )?;
            process::run(
                tools
                    .command(&python)
                    .args(["-m", "pip", "install", "--quiet"])
                    .args(&pinned),
            )
        },
    )
}

/// An npm package at a pinned version, in its own directory under the tools dir.
fn ensure_npm(tools: &Tools, dir: &Path, package: &str, version: &str, entry: &Path) -> Result<()> {
    let manifest = dir.join("node_modules").join(package).join("package.json");
    ensure(
        &format!("{package} {version}"),
        1,
        || {
            entry.is_file()
                && std::fs::read_to_string(&manifest)
                    .is_ok_and(|text| text.contains(&format!("\"version\": \"{version}\"")))
        },
        || {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("could not create {}", dir.display()))?;
            process::run(
                tools
                    .command("npm")
                    .arg("install")
                    .arg("--prefix")
                    .arg(dir)
                    .args(["--no-audit", "--no-fund"])
                    .arg(format!("{package}@{version}")),
            )
        },
    )
}

/// Prints `✓ … (present)` or installs with the installer's own output streaming.
pub(crate) fn ensure(
    label: &str,
    minutes: u32,
    present: impl Fn() -> bool,
    install: impl FnOnce() -> Result<()>,
) -> Result<()> {
    if present() {
        println!("✓ {label} (present)");
        return Ok(());
    }
    println!("→ installing {label}, first time only, ~{minutes} min…");
    let started = Instant::now();
    install().with_context(|| format!("installing {label} failed"))?;
    if !present() {
        bail!("{label} is still missing after installing it");
    }
    println!("✓ {label} (installed in {}s)", started.elapsed().as_secs());
    Ok(())
}

/// Whether `program` is an executable file in a directory of `PATH`.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

fn install_chromium() -> Result<()> {
    // The CJK fonts let screenshots show the banks' Chinese names rather than boxes.
    apt_install(&["chromium", "chromium-driver", "fonts-noto-cjk"])
}

/// Installs Debian packages (as root, else through sudo).
pub(crate) fn apt_install(packages: &[&str]) -> Result<()> {
    let apt_get = |args: &[&str]| {
        let mut command = if is_root() {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg("apt-get");
            sudo
        };
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    let mut install = vec!["install", "-y"];
    install.extend_from_slice(packages);
    // A fresh machine's package lists may be stale or empty; refresh only when needed.
    if process::run(&mut apt_get(&install)).is_err() {
        process::run(&mut apt_get(&["update"]))?;
        process::run(&mut apt_get(&install))?;
    }
    Ok(())
}

fn is_root() -> bool {
    process::probe(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// `trunk 0.21.14`, `wasm-bindgen 0.2.100`: the second word is the version.
fn reports_version(mut command: Command, version: &str) -> bool {
    process::probe(command.arg("--version"))
        .is_some_and(|out| out.split_whitespace().nth(1) == Some(version))
}

/// `wasm-opt version 132 (version_132)`.
fn is_binaryen_version(output: &str, version: &str) -> bool {
    output
        .split_once("version ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        == Some(version)
}

fn read_lockfile(root: &Path) -> Result<String> {
    let path = root.join("Cargo.lock");
    std::fs::read_to_string(&path).with_context(|| format!("could not read {}", path.display()))
}

/// The version of the `[[package]]` called `name` in a Cargo.lock.
pub(crate) fn locked_version(lockfile: &str, name: &str) -> Option<String> {
    let quoted_name = format!("\"{name}\"");
    lockfile.split("[[package]]").skip(1).find_map(|package| {
        let field = |key: &str| {
            package.lines().find_map(|line| {
                let (k, v) = line.split_once('=')?;
                (k.trim() == key).then(|| v.trim())
            })
        };
        (field("name") == Some(quoted_name.as_str()))
            .then(|| field("version").map(|v| v.trim_matches('"').to_owned()))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCKFILE: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen-backend"
version = "0.2.99"

[[package]]
name = "wasm-bindgen"
version = "0.2.100"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "wasm-bindgen-macro",
]
"#;

    #[test]
    fn finds_the_exact_package_in_the_lockfile() {
        assert_eq!(
            locked_version(LOCKFILE, "wasm-bindgen").as_deref(),
            Some("0.2.100")
        );
        assert_eq!(
            locked_version(LOCKFILE, "wasm-bindgen-backend").as_deref(),
            Some("0.2.99")
        );
        assert_eq!(locked_version(LOCKFILE, "wasm-bindgen-macro"), None);
    }

    #[test]
    fn reads_binaryen_versions() {
        assert!(is_binaryen_version(
            "wasm-opt version 132 (version_132)",
            "132"
        ));
        assert!(!is_binaryen_version(
            "wasm-opt version 1320 (version_1320)",
            "132"
        ));
        assert!(!is_binaryen_version("wasm-opt version 131", "132"));
    }

    #[test]
    fn compares_whole_versions() {
        let mut echo = Command::new("echo");
        echo.arg("trunk 0.21.14");
        // `echo` prints its arguments, then `--version` from reports_version.
        assert!(!reports_version(echo, "0.21.1"));
        let mut sh = Command::new("sh");
        sh.args(["-c", "echo trunk 0.21.14", "sh"]);
        assert!(reports_version(sh, "0.21.14"));
    }
}
