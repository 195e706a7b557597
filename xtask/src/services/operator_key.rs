//! The key for the gateway's operator API (`/v1/operator/…`).
//!
//! The environment wins; otherwise it is generated once into `{data}/operator.key`
//! (readable by its owner only), so scripts and dashboards keep working across restarts.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::demo_merchant::env_var;
use super::keys::{random_base62, write_private};

/// What the gateway reads the key from.
pub(crate) const OPERATOR_KEY_VAR: &str = "PAYDESK_OPERATOR_KEY";
const FILE_NAME: &str = "operator.key";
const PREFIX: &str = "op_";
const RANDOM_CHARS: usize = 32;

/// A fresh random operator key: `op_` and 32 base62 characters.
pub(crate) fn random_operator_key() -> String {
    format!("{PREFIX}{}", random_base62(RANDOM_CHARS))
}

#[derive(Clone, PartialEq, Eq)]
pub(crate) struct OperatorKey {
    secret: String,
    origin: Origin,
}

/// Where the key came from, which is what `run` shows instead of the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    Environment,
    File(PathBuf),
}

impl std::fmt::Debug for OperatorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorKey")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl OperatorKey {
    /// `PAYDESK_OPERATOR_KEY` if set, else the key saved in the data dir (created on
    /// first use).
    pub(crate) fn load_or_create(data_dir: &Path) -> Result<Self> {
        Self::resolve(env_var(OPERATOR_KEY_VAR)?, data_dir)
    }

    /// [`Self::load_or_create`] with the environment's value passed in.
    fn resolve(from_env: Option<String>, data_dir: &Path) -> Result<Self> {
        if let Some(secret) = from_env {
            return Ok(OperatorKey {
                secret,
                origin: Origin::Environment,
            });
        }
        let path = data_dir.join(FILE_NAME);
        let saved = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text.trim().to_owned()).filter(|key| !key.is_empty()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => {
                return Err(error).with_context(|| format!("could not read {}", path.display()));
            }
        };
        let secret = match saved {
            Some(secret) => secret,
            None => {
                std::fs::create_dir_all(data_dir)
                    .with_context(|| format!("could not create {}", data_dir.display()))?;
                let secret = random_operator_key();
                write_private(&path, &secret)?;
                println!("created {}", path.display());
                secret
            }
        };
        Ok(OperatorKey {
            secret,
            origin: Origin::File(path),
        })
    }

    /// The environment variable the gateway reads.
    pub(crate) fn env(&self) -> (&'static str, &str) {
        (OPERATOR_KEY_VAR, &self.secret)
    }

    /// Where to find the key, for the banner; the key itself is not printed.
    pub(crate) fn location(&self) -> String {
        match &self.origin {
            Origin::Environment => format!("${OPERATOR_KEY_VAR}"),
            Origin::File(path) => path.display().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn random_keys_have_the_documented_shape() {
        let key = random_operator_key();
        let random = key.strip_prefix("op_").unwrap();
        assert_eq!(random.len(), 32);
        assert!(random.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(key, random_operator_key());
    }

    #[test]
    fn a_key_is_created_once_private_and_then_kept() {
        let data = tempfile::tempdir().unwrap();
        let dir = data.path().join("fresh");
        let first = OperatorKey::resolve(None, &dir).unwrap();
        let path = dir.join("operator.key");
        assert_eq!(first.location(), path.display().to_string());
        let (name, secret) = first.env();
        assert_eq!(name, "PAYDESK_OPERATOR_KEY");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{secret}\n")
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        let second = OperatorKey::resolve(None, &dir).unwrap();
        assert_eq!(second, first);
        assert!(!format!("{second:?}").contains(secret));
    }

    #[test]
    fn the_environment_wins_and_writes_nothing() {
        let data = tempfile::tempdir().unwrap();
        std::fs::write(data.path().join("operator.key"), "op_saved\n").unwrap();
        let key = OperatorKey::resolve(Some("op_from_env".into()), data.path()).unwrap();
        assert_eq!(key.env().1, "op_from_env");
        assert_eq!(key.location(), "$PAYDESK_OPERATOR_KEY");
        assert_eq!(
            std::fs::read_to_string(data.path().join("operator.key")).unwrap(),
            "op_saved\n"
        );
    }

    #[test]
    fn a_blank_file_gets_a_new_key() {
        let data = tempfile::tempdir().unwrap();
        std::fs::write(data.path().join("operator.key"), "  \n").unwrap();
        let key = OperatorKey::resolve(None, data.path()).unwrap();
        assert!(key.env().1.starts_with("op_"));
        let saved = std::fs::read_to_string(data.path().join("operator.key")).unwrap();
        assert_eq!(saved.trim(), key.env().1);
    }
}
