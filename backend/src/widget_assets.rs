//! The built widget as the gateway links to it: which version is current and the
//! Subresource Integrity of each of its files, from the `manifest.json` that
//! `cargo xtask build-widget` writes next to the versioned directory.
//!
//! Without a manifest (a dev build, or the widget not built yet) pages link the
//! unversioned names without integrity, so they still work, only without immutable
//! caching.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// The manifest's name inside the widget directory.
pub(crate) const MANIFEST: &str = "manifest.json";

/// The loader's file name, in the versioned directory and at the evergreen URL.
pub(crate) const LOADER: &str = "paydesk.js";

/// `manifest.json` as written by the build.
#[derive(Debug, Deserialize)]
struct Manifest {
    version: String,
    loader: String,
    integrity: BTreeMap<String, String>,
}

/// Where the current widget files are and what they hash to.
#[derive(Debug, Clone, Default)]
pub(crate) struct WidgetAssets {
    /// `None` when no usable manifest was found.
    version: Option<String>,
    /// File name inside the version directory → `sha384-…`.
    integrity: BTreeMap<String, String>,
}

/// One file to link from a page: its path on the gateway and, when versioned, the
/// integrity a browser must check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AssetLink {
    pub(crate) path: String,
    pub(crate) integrity: Option<String>,
}

impl WidgetAssets {
    /// Reads `manifest.json` from the widget directory. A missing or unreadable
    /// manifest is logged and leaves the unversioned names in use.
    pub(crate) fn load(widget_dir: &Path) -> Self {
        let path = widget_dir.join(MANIFEST);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                tracing::warn!(
                    path = %path.display(),
                    error = %e,
                    "no widget manifest: pages link the unversioned loader without integrity (build the widget with `cargo xtask build-widget`)"
                );
                return Self::default();
            }
        };
        match Self::parse(&text) {
            Ok(assets) => {
                tracing::info!(
                    version = assets.version.as_deref().unwrap_or_default(),
                    "widget manifest loaded"
                );
                assets
            }
            Err(problem) => {
                tracing::warn!(
                    path = %path.display(),
                    problem,
                    "unusable widget manifest: pages link the unversioned loader without integrity"
                );
                Self::default()
            }
        }
    }

    /// Checks a manifest's text; the version and file names end up in URLs, so only
    /// plain hex and plain file names are taken.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let manifest: Manifest = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if !is_version(&manifest.version) {
            return Err(format!("version `{}` is not hex", manifest.version));
        }
        if manifest.loader != format!("{}/{LOADER}", manifest.version) {
            return Err(format!(
                "loader `{}` is not {LOADER} in the version directory",
                manifest.loader
            ));
        }
        for (file, hash) in &manifest.integrity {
            if !is_file_name(file) {
                return Err(format!("`{file}` is not a plain file name"));
            }
            if !is_sri(hash) {
                return Err(format!("integrity of `{file}` is not a sha384 value"));
            }
        }
        if !manifest.integrity.contains_key(LOADER) {
            return Err(format!("no integrity for {LOADER}"));
        }
        Ok(WidgetAssets {
            version: Some(manifest.version),
            integrity: manifest.integrity,
        })
    }

    /// The link to `file`: versioned with its integrity when the manifest lists it,
    /// else the unversioned name.
    pub(crate) fn link(&self, file: &str) -> AssetLink {
        match (&self.version, self.integrity.get(file)) {
            (Some(version), Some(integrity)) => AssetLink {
                path: format!("/assets/{version}/{file}"),
                integrity: Some(integrity.clone()),
            },
            _ => AssetLink {
                path: format!("/assets/{file}"),
                integrity: None,
            },
        }
    }
}

/// Whether a path segment names a build version: what immutable caching applies to.
pub(crate) fn is_version(segment: &str) -> bool {
    segment.len() == 16
        && segment
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn is_sri(value: &str) -> bool {
    value.strip_prefix("sha384-").is_some_and(|b64| {
        b64.len() == 64
            && b64
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRI: &str = "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb";

    fn manifest(version: &str, loader: &str, file: &str, hash: &str) -> String {
        serde_json::json!({
            "version": version,
            "loader": loader,
            "integrity": { "paydesk.js": SRI, file: hash },
        })
        .to_string()
    }

    #[test]
    fn a_good_manifest_gives_versioned_links_with_integrity() {
        let assets = WidgetAssets::parse(&manifest(
            "0123456789abcdef",
            "0123456789abcdef/paydesk.js",
            "hosted.css",
            SRI,
        ))
        .unwrap();
        assert_eq!(
            assets.link("paydesk.js"),
            AssetLink {
                path: "/assets/0123456789abcdef/paydesk.js".into(),
                integrity: Some(SRI.into()),
            }
        );
        // A file the manifest does not list is linked unversioned rather than broken.
        assert_eq!(
            assets.link("other.js"),
            AssetLink {
                path: "/assets/other.js".into(),
                integrity: None,
            }
        );
    }

    #[test]
    fn without_a_manifest_links_are_unversioned() {
        let assets = WidgetAssets::load(Path::new("/nonexistent/paydesk"));
        assert_eq!(assets.link("paydesk.js").path, "/assets/paydesk.js");
        assert_eq!(assets.link("paydesk.js").integrity, None);
    }

    #[test]
    fn manifests_that_would_put_odd_text_into_urls_are_refused() {
        let v = "0123456789abcdef";
        let loader = "0123456789abcdef/paydesk.js";
        for bad in [
            manifest("../../etc", "../../etc/paydesk.js", "a.css", SRI),
            manifest(
                "0123456789ABCDEF",
                "0123456789ABCDEF/paydesk.js",
                "a.css",
                SRI,
            ),
            manifest(v, "elsewhere/paydesk.js", "a.css", SRI),
            manifest(v, loader, "../a.css", SRI),
            manifest(v, loader, "a.css", "sha256-abc"),
            manifest(v, loader, "a.css", "sha384-\"><script>"),
            "{}".into(),
            "not json".into(),
        ] {
            assert!(WidgetAssets::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions_are_sixteen_lowercase_hex_digits() {
        assert!(is_version("0123456789abcdef"));
        assert!(!is_version("0123456789abcde"));
        assert!(!is_version("0123456789abcdeg"));
        assert!(!is_version("paydesk.js"));
    }
}
