//! Versioned, immutable widget files. After Trunk, the build copies what a page loads
//! into `frontend/dist/<version>/`, where `<version>` is a hash of the files'
//! contents, so a URL never changes its bytes and browsers may cache it for a year.
//! The loader gets the version and the others' Subresource Integrity written in, and
//! `manifest.json` tells the gateway which version is current and every file's hash.
//! Text and WebAssembly also get a brotli copy (`<file>.br`) that the gateway sends
//! to browsers that accept it, so what ships is what the size budget measures.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256, Sha384};

use super::wasm_sections::without_custom_sections;

pub(crate) const MANIFEST: &str = "manifest.json";
pub(crate) const LOADER: &str = "paydesk.js";
pub(crate) const GLUE: &str = "paydesk-widget.js";
pub(crate) const WASM: &str = "paydesk-widget_bg.wasm";
pub(crate) const STYLE: &str = "paydesk-widget.css";
const HOSTED_STYLE: &str = "hosted.css";
const HOSTED_SCRIPT: &str = "hosted.js";

/// Trunk's output that goes into the version directory as it is.
const FROM_TRUNK: [&str; 3] = [GLUE, WASM, STYLE];
/// The hosted page's own files, from `assets/`.
const FROM_ASSETS: [&str; 2] = [HOSTED_STYLE, HOSTED_SCRIPT];

/// The loader's placeholders and the file whose integrity each stands for.
const VERSION_PLACEHOLDER: &str = "__PAYDESK_VERSION__";
const INTEGRITY_PLACEHOLDERS: [(&str, &str); 3] = [
    ("__PAYDESK_INTEGRITY_JS__", GLUE),
    ("__PAYDESK_INTEGRITY_WASM__", WASM),
    ("__PAYDESK_INTEGRITY_CSS__", STYLE),
];

/// How a script is loaded, which decides how it may be minified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    /// An ES module (the wasm-bindgen glue).
    Module,
    /// A classic script (the loader).
    Classic,
}

/// What `publish` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Published {
    pub(crate) version: String,
    /// File name → `sha384-…`, for every file in the version directory.
    pub(crate) integrity: Vec<(String, String)>,
}

impl Published {
    pub(crate) fn integrity_of(&self, file: &str) -> Option<&str> {
        self.integrity
            .iter()
            .find(|(name, _)| name == file)
            .map(|(_, sri)| sri.as_str())
    }

    fn manifest(&self) -> String {
        let integrity: serde_json::Map<String, serde_json::Value> = self
            .integrity
            .iter()
            .map(|(name, sri)| (name.clone(), sri.clone().into()))
            .collect();
        let manifest = serde_json::json!({
            "version": self.version,
            "loader": format!("{}/{LOADER}", self.version),
            "integrity": integrity,
        });
        // A JSON value of strings always serialises.
        serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n"
    }
}

/// Writes `dist/<version>/…`, the evergreen `dist/paydesk.js` and `dist/manifest.json`
/// (last, so a gateway never reads a manifest naming files not yet written).
///
/// `minify` shrinks the glue and the filled-in loader before they are hashed.
pub(crate) fn publish(
    root: &Path,
    dist: &Path,
    minify: impl Fn(&str, Script) -> Result<String>,
) -> Result<Published> {
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    for name in FROM_TRUNK {
        let mut bytes = read(&dist.join(name))?;
        if name == GLUE {
            let glue = String::from_utf8(bytes).context("the widget's glue is not UTF-8")?;
            bytes = minify(&glue, Script::Module)?.into_bytes();
        }
        if name == WASM {
            bytes = without_custom_sections(&bytes).context("the widget's WebAssembly")?;
        }
        files.push((name, bytes));
    }
    for name in FROM_ASSETS {
        files.push((name, read(&root.join("assets").join(name))?));
    }
    let template = String::from_utf8(read(&root.join("assets").join(LOADER))?)
        .context("assets/paydesk.js is not UTF-8")?;

    let version = version(
        files
            .iter()
            .map(|(name, bytes)| (*name, bytes.as_slice()))
            .chain([(LOADER, template.as_bytes())]),
    );
    let mut integrity: Vec<(String, String)> = files
        .iter()
        .map(|(name, bytes)| ((*name).to_owned(), sri(bytes)))
        .collect();
    let loader = fill_loader(&template, &version, |file| {
        integrity
            .iter()
            .find(|(name, _)| name == file)
            .map(|(_, sri)| sri.clone())
    })?;
    let loader = minify(&loader, Script::Classic)?;
    integrity.push((LOADER.to_owned(), sri(loader.as_bytes())));

    let dir = dist.join(&version);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, bytes) in &files {
        write_with_brotli(&dir.join(name), bytes)?;
    }
    write_with_brotli(&dir.join(LOADER), loader.as_bytes())?;
    write_with_brotli(&dist.join(LOADER), loader.as_bytes())?;
    let published = Published { version, integrity };
    write(&dist.join(MANIFEST), published.manifest().as_bytes())?;
    Ok(published)
}

/// Moves every version directory from `from` into `to` (same file system).
pub(crate) fn move_versions(from: &Path, to: &Path) -> Result<()> {
    for (name, path) in version_dirs(from)? {
        let target = to.join(&name);
        if !target.exists() {
            std::fs::rename(&path, &target).with_context(|| {
                format!("cannot move {} to {}", path.display(), target.display())
            })?;
        }
    }
    Ok(())
}

/// Removes all but the `keep` most recently written version directories.
pub(crate) fn prune(dist: &Path, keep: usize) -> Result<()> {
    let mut dirs = version_dirs(dist)?
        .into_iter()
        .map(|(_, path)| {
            let written = std::fs::metadata(&path).and_then(|m| m.modified())?;
            Ok((written, path))
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    dirs.sort_by_key(|(written, _)| std::cmp::Reverse(*written));
    for (_, path) in dirs.into_iter().skip(keep) {
        std::fs::remove_dir_all(&path)
            .with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
}

/// `(name, path)` of each version directory in `dir`; none if `dir` does not exist.
fn version_dirs(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_version(&name) && entry.file_type()?.is_dir() {
            dirs.push((name, entry.path()));
        }
    }
    Ok(dirs)
}

/// The current version's directory, from `dist/manifest.json`.
pub(crate) fn current_dir(dist: &Path) -> Result<(PathBuf, String)> {
    let path = dist.join(MANIFEST);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "could not read {} (build the widget first: `cargo xtask build-widget`)",
            path.display()
        )
    })?;
    let manifest: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let version = manifest["version"]
        .as_str()
        .filter(|v| is_version(v))
        .with_context(|| format!("{} has no valid version", path.display()))?;
    let loader_sri = manifest["integrity"][LOADER]
        .as_str()
        .with_context(|| format!("{} has no integrity for {LOADER}", path.display()))?;
    Ok((dist.join(version), loader_sri.to_owned()))
}

/// The first 16 hex digits of SHA-256 over every file, each preceded by its name and
/// length so that moving bytes between files changes the version too.
fn version<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut hash = Sha256::new();
    for (name, bytes) in files {
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update((bytes.len() as u64).to_be_bytes());
        hash.update(bytes);
    }
    hex16(&hash.finalize())
}

fn hex16(digest: &[u8]) -> String {
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn is_version(text: &str) -> bool {
    text.len() == 16
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A Subresource Integrity value, as `<script integrity>` and `fetch` take it.
pub(crate) fn sri(bytes: &[u8]) -> String {
    format!("sha384-{}", STANDARD.encode(Sha384::digest(bytes)))
}

/// The loader with its placeholders replaced. Fails if the template lost one (the
/// loader and this build would silently disagree) or kept one after replacing.
fn fill_loader(
    template: &str,
    version: &str,
    integrity_of: impl Fn(&str) -> Option<String>,
) -> Result<String> {
    let mut loader = template.to_owned();
    let mut replace = |placeholder: &str, value: &str| -> Result<()> {
        if loader.matches(placeholder).count() != 1 {
            bail!("assets/paydesk.js must contain {placeholder} exactly once");
        }
        loader = loader.replace(placeholder, value);
        Ok(())
    };
    replace(VERSION_PLACEHOLDER, version)?;
    for (placeholder, file) in INTEGRITY_PLACEHOLDERS {
        let sri = integrity_of(file).with_context(|| format!("no integrity for {file}"))?;
        replace(placeholder, &sri)?;
    }
    if loader.contains("__PAYDESK_") {
        bail!("assets/paydesk.js has a __PAYDESK_… placeholder this build does not fill");
    }
    Ok(loader)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Writes `path` and `path.br`.
fn write_with_brotli(path: &Path, bytes: &[u8]) -> Result<()> {
    write(path, bytes)?;
    let mut br = path.as_os_str().to_owned();
    br.push(".br");
    write(Path::new(&br), &super::brotli(bytes)?)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unminified(source: &str, _: Script) -> Result<String> {
        Ok(source.to_owned())
    }

    const TEMPLATE: &str = r#"const VERSION = "__PAYDESK_VERSION__";
const INTEGRITY = { js: "__PAYDESK_INTEGRITY_JS__", wasm: "__PAYDESK_INTEGRITY_WASM__", css: "__PAYDESK_INTEGRITY_CSS__" };
"#;

    fn fake_build(root: &Path) -> PathBuf {
        let dist = root.join("frontend/dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::create_dir_all(root.join("assets")).unwrap();
        std::fs::write(dist.join(GLUE), "export default async function init() {}").unwrap();
        std::fs::write(dist.join(WASM), b"\0asm\x01\0\0\0").unwrap();
        std::fs::write(dist.join(STYLE), ":host { display: block }").unwrap();
        std::fs::write(root.join("assets").join(HOSTED_STYLE), "body { margin: 0 }").unwrap();
        std::fs::write(root.join("assets").join(HOSTED_SCRIPT), "void 0;").unwrap();
        std::fs::write(root.join("assets").join(LOADER), TEMPLATE).unwrap();
        dist
    }

    #[test]
    fn publish_writes_a_versioned_directory_the_loader_and_the_manifest() {
        let root = tempfile::tempdir().unwrap();
        let dist = fake_build(root.path());
        let published = publish(root.path(), &dist, unminified).unwrap();
        assert!(is_version(&published.version), "{}", published.version);

        let dir = dist.join(&published.version);
        for name in [GLUE, WASM, STYLE, HOSTED_STYLE, HOSTED_SCRIPT, LOADER] {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            assert_eq!(
                published.integrity_of(name),
                Some(sri(&bytes).as_str()),
                "{name}"
            );
            let br = std::fs::read(dir.join(format!("{name}.br"))).unwrap();
            let mut unpacked = Vec::new();
            std::io::Read::read_to_end(
                &mut brotli::Decompressor::new(br.as_slice(), 4096),
                &mut unpacked,
            )
            .unwrap();
            assert_eq!(unpacked, bytes, "{name}.br");
        }
        let loader = std::fs::read_to_string(dir.join(LOADER)).unwrap();
        assert!(loader.contains(&format!("\"{}\"", published.version)));
        let wasm_sri = sri(&std::fs::read(dist.join(WASM)).unwrap());
        assert!(
            loader.contains(&format!("wasm: \"{wasm_sri}\"")),
            "{loader}"
        );
        assert!(!loader.contains("__PAYDESK_"));
        assert_eq!(std::fs::read_to_string(dist.join(LOADER)).unwrap(), loader);

        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dist.join(MANIFEST)).unwrap()).unwrap();
        assert_eq!(manifest["version"], published.version.as_str());
        assert_eq!(
            manifest["loader"],
            format!("{}/paydesk.js", published.version).as_str()
        );
        assert_eq!(
            manifest["integrity"]["paydesk.js"],
            sri(loader.as_bytes()).as_str()
        );
        assert_eq!(manifest["integrity"].as_object().unwrap().len(), 6);

        let (current, loader_sri) = current_dir(&dist).unwrap();
        assert_eq!(current, dir);
        assert_eq!(loader_sri, sri(loader.as_bytes()));
    }

    #[test]
    fn the_version_follows_every_file() {
        let root = tempfile::tempdir().unwrap();
        let dist = fake_build(root.path());
        let first = publish(root.path(), &dist, unminified).unwrap().version;
        assert_eq!(
            publish(root.path(), &dist, unminified).unwrap().version,
            first
        );
        std::fs::write(root.path().join("assets").join(HOSTED_SCRIPT), "void 1;").unwrap();
        let second = publish(root.path(), &dist, unminified).unwrap().version;
        assert_ne!(second, first);
        std::fs::write(
            root.path().join("assets").join(LOADER),
            TEMPLATE.replace("const", "let"),
        )
        .unwrap();
        assert_ne!(
            publish(root.path(), &dist, unminified).unwrap().version,
            second
        );
    }

    #[test]
    fn earlier_versions_survive_a_rebuild_and_only_the_newest_are_kept() {
        let root = tempfile::tempdir().unwrap();
        let dist = fake_build(root.path());
        let first = publish(root.path(), &dist, unminified).unwrap().version;
        std::fs::write(dist.join("unrelated.txt"), "x").unwrap();

        // What `build` does around Trunk, which empties the directory.
        let aside = tempfile::tempdir().unwrap();
        move_versions(&dist, aside.path()).unwrap();
        assert!(!dist.join(&first).exists());
        move_versions(aside.path(), &dist).unwrap();
        assert!(dist.join(&first).join(LOADER).exists());

        std::fs::write(root.path().join("assets").join(HOSTED_SCRIPT), "void 2;").unwrap();
        let second = publish(root.path(), &dist, unminified).unwrap().version;
        // Directory times can be coarse: make the order unambiguous.
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::open(dist.join(&first))
            .unwrap()
            .set_modified(old)
            .unwrap();
        prune(&dist, 1).unwrap();
        assert!(!dist.join(&first).exists());
        assert!(dist.join(&second).exists());
        assert!(dist.join("unrelated.txt").exists());
    }

    #[test]
    fn a_loader_without_its_placeholders_fails_the_build() {
        let any = |_: &str| Some("sha384-x".to_owned());
        assert!(fill_loader(TEMPLATE, "0123456789abcdef", any).is_ok());
        let lost = TEMPLATE.replace("__PAYDESK_INTEGRITY_WASM__", "");
        assert!(fill_loader(&lost, "0123456789abcdef", any).is_err());
        let extra = format!("{TEMPLATE}const X = \"__PAYDESK_OTHER__\";");
        assert!(fill_loader(&extra, "0123456789abcdef", any).is_err());
    }

    #[test]
    fn sri_is_sha384_in_base64() {
        // `printf abc | openssl dgst -sha384 -binary | base64`
        assert_eq!(
            sri(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
    }
}
