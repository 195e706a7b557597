//! Building the widget with Trunk, publishing it under a versioned path, and holding
//! its first load to a size budget.

mod versioned;
mod wasm_sections;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::process;
use crate::tools::{Tools, WASM_TARGET};

/// Trunk's output directory (set in the root Trunk.toml), relative to the repo root.
pub(crate) const DIST_DIR: &str = "frontend/dist";

/// What a shopper's browser downloads before the widget can show anything, from the
/// current version's directory.
const FIRST_LOAD_FILES: [&str; 4] = [
    versioned::LOADER,
    versioned::GLUE,
    versioned::WASM,
    versioned::STYLE,
];

/// 100 kB in decimal kilobytes (1 kB = 1000 bytes), brotli-compressed.
const BROTLI_BUDGET_BYTES: u64 = 100 * 1000;
/// Quality 11 is what a CDN or a `brotli -q 11` precompression step ships.
const BROTLI_QUALITY: i32 = 11;
const BROTLI_WINDOW_BITS: i32 = 22;
/// The encoder's largest input block (16 MiB): every file is planned as one block.
const BROTLI_MAX_BLOCK_BITS: i32 = 24;

/// How many versions stay in `frontend/dist`, the current one included: enough to
/// outlast the evergreen loader's five-minute cache across a few quick deploys.
const KEPT_VERSIONS: usize = 5;

pub(crate) fn dist_dir(root: &Path) -> PathBuf {
    root.join(DIST_DIR)
}

/// `trunk build --release` from the repo root, then the versioned copy and manifest.
pub(crate) fn build(root: &Path, tools: &Tools) -> Result<()> {
    // Trunk runs offline below, so the wasm build's crates must already be on disk.
    process::run(
        tools
            .cargo()
            .current_dir(root)
            .args(["fetch", "--target", WASM_TARGET]),
    )?;
    let dist = dist_dir(root);
    // Trunk replaces the whole output directory; earlier versions are kept, since
    // pages and cached evergreen loaders out there may still name them.
    std::fs::create_dir_all(root.join("target"))?;
    let earlier = tempfile::tempdir_in(root.join("target"))?;
    versioned::move_versions(&dist, earlier.path())?;
    let built = process::run(
        tools
            .command("trunk")
            .current_dir(root)
            .args(["build", "--release"])
            // Offline makes Trunk use the wasm-bindgen and wasm-opt that setup installed,
            // failing loudly on a version mismatch instead of downloading its own copy.
            .env("TRUNK_OFFLINE", "true")
            .env("TRUNK_SKIP_VERSION_CHECK", "true"),
    );
    std::fs::create_dir_all(&dist)?;
    versioned::move_versions(earlier.path(), &dist)?;
    built?;
    let published =
        versioned::publish(root, &dist, |source, script| minify(tools, source, script))?;
    versioned::prune(&dist, KEPT_VERSIONS)?;
    println!(
        "widget version {} in {}/{}/ (loader integrity {})",
        published.version,
        DIST_DIR,
        published.version,
        published
            .integrity_of(versioned::LOADER)
            .unwrap_or_default()
    );
    Ok(())
}

/// One first-load file's size on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Measured {
    name: &'static str,
    raw: u64,
    brotli: u64,
}

/// Prints raw and brotli sizes of the first-load files; fails above the budget.
pub(crate) fn check_size(root: &Path) -> Result<()> {
    let (dist, loader_sri) = versioned::current_dir(&dist_dir(root))?;
    let measured = FIRST_LOAD_FILES
        .into_iter()
        .map(|name| {
            let path = dist.join(name);
            let bytes = std::fs::read(&path).with_context(|| {
                format!(
                    "could not read {} (build the widget first: `cargo xtask build-widget`)",
                    path.display()
                )
            })?;
            Ok(Measured {
                name,
                raw: len(bytes.len()),
                brotli: brotli_len(&bytes)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    print!("{}", size_table(&measured));
    let version = dist
        .file_name()
        .map(|v| v.to_string_lossy().into_owned())
        .unwrap_or_default();
    println!(
        "loader: /assets/{version}/{} integrity=\"{loader_sri}\" crossorigin=\"anonymous\"",
        versioned::LOADER
    );
    let total: u64 = measured.iter().map(|m| m.brotli).sum();
    if total > BROTLI_BUDGET_BYTES {
        bail!(
            "the widget's first load is {total} bytes brotli, over the budget of {BROTLI_BUDGET_BYTES} bytes by {}",
            total - BROTLI_BUDGET_BYTES
        );
    }
    Ok(())
}

fn size_table(measured: &[Measured]) -> String {
    let total_raw: u64 = measured.iter().map(|m| m.raw).sum();
    let total_brotli: u64 = measured.iter().map(|m| m.brotli).sum();
    let mut out = format!(
        "{:<26} {:>10} {:>10}\n",
        "first-load file", "raw B", "brotli B"
    );
    for m in measured {
        out += &format!("{:<26} {:>10} {:>10}\n", m.name, m.raw, m.brotli);
    }
    out += &format!("{:<26} {:>10} {:>10}\n", "total", total_raw, total_brotli);
    out += &format!(
        "budget: {BROTLI_BUDGET_BYTES} bytes brotli (100 kB, 1 kB = 1000 bytes, quality {BROTLI_QUALITY}); {}\n",
        match BROTLI_BUDGET_BYTES.checked_sub(total_brotli) {
            Some(left) => format!("{left} bytes left"),
            None => format!("{} bytes OVER", total_brotli - BROTLI_BUDGET_BYTES),
        }
    );
    out
}

fn brotli_len(bytes: &[u8]) -> Result<u64> {
    Ok(len(brotli(bytes)?.len()))
}

/// `bytes` compressed as the gateway ships them. The encoder plans its blocks over
/// the whole file: with its default input block of 2^18 bytes, a wasm just past 256 KiB
/// was planned in two and compressed 324 B worse.
fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: BROTLI_WINDOW_BITS,
        lgblock: BROTLI_MAX_BLOCK_BITS,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut compressed = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut compressed, &params)
        .context("brotli compression failed")?;
    Ok(compressed)
}

fn len(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// `source` through terser (compress and mangle). Trunk's own minifier cannot parse
/// the wasm-bindgen glue, and the loader is not a Trunk asset at all.
fn minify(tools: &Tools, source: &str, script: versioned::Script) -> Result<String> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("in.js");
    let output = dir.path().join("out.js");
    std::fs::write(&input, source)?;
    let mut command = tools.command(tools.terser());
    command
        .arg(&input)
        .args(["--compress", "--mangle", "--ecma", "2020", "--output"])
        .arg(&output);
    if script == versioned::Script::Module {
        command.arg("--module");
    }
    process::run(&mut command)?;
    std::fs::read_to_string(&output)
        .with_context(|| format!("terser wrote no {}", output.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn brotli_round_trips_and_shrinks_repetitive_input() {
        let input = "paydesk ".repeat(10_000).into_bytes();
        let size = brotli_len(&input).unwrap();
        assert!(size < 200, "compressed to {size} bytes");

        let compressed = brotli(&input).unwrap();
        let mut restored = Vec::new();
        brotli::Decompressor::new(compressed.as_slice(), 4096)
            .read_to_end(&mut restored)
            .unwrap();
        assert_eq!(restored, input);
    }

    #[test]
    fn table_shows_totals_and_the_budget() {
        let table = size_table(&[
            Measured {
                name: "paydesk.js",
                raw: 2000,
                brotli: 900,
            },
            Measured {
                name: "paydesk-widget_bg.wasm",
                raw: 300_000,
                brotli: 99_200,
            },
        ]);
        assert!(
            table.contains("total                          302000     100100"),
            "{table}"
        );
        assert!(table.contains("100 bytes OVER"), "{table}");
    }
}
