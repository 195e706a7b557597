//! The gateway's and the bank's signing keys in `{data}/keys/`, created on first run,
//! and how every secret file under `{data}` is written.

use std::fs::{DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use paydesk_shared::signing::Signer;
use rand::Rng;
use rand::distributions::Alphanumeric;

/// `(file stem, key id)` for each party that signs.
const KEY_PAIRS: [(&str, &str); 2] = [("gateway", "gateway-1"), ("bank", "bank-1")];

/// Makes sure `{data}/keys/{gateway,bank}.{key,pub}` exist and match; existing keys are
/// kept so orders signed before a restart still verify.
pub(crate) fn ensure_keys(data_dir: &Path) -> Result<()> {
    let dir = data_dir.join("keys");
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("could not create {}", dir.display()))?;
    for (stem, kid) in KEY_PAIRS {
        ensure_key_pair(&dir, stem, kid)?;
    }
    Ok(())
}

fn ensure_key_pair(dir: &Path, stem: &str, kid: &str) -> Result<()> {
    let key_path = dir.join(format!("{stem}.key"));
    let pub_path = dir.join(format!("{stem}.pub"));
    let signer = match std::fs::read_to_string(&key_path) {
        Ok(text) => Signer::from_text(&text).map_err(|e| anyhow!("{}: {e}", key_path.display()))?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let signer = Signer::generate(kid);
            write_private(&key_path, &signer.to_text())?;
            println!("created {}", key_path.display());
            signer
        }
        Err(error) => {
            return Err(error).with_context(|| format!("could not read {}", key_path.display()));
        }
    };
    let public = signer.public_key().to_text();
    let current = std::fs::read_to_string(&pub_path).unwrap_or_default();
    if current.trim() != public {
        std::fs::write(&pub_path, format!("{public}\n"))
            .with_context(|| format!("could not write {}", pub_path.display()))?;
    }
    Ok(())
}

/// Creates (or replaces the contents of) a file only its owner can read.
pub(crate) fn write_private(path: &Path, text: &str) -> Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    writeln!(file, "{text}").with_context(|| format!("could not write {}", path.display()))
}

/// `len` random base62 characters from the operating system's generator.
pub(super) fn random_base62(len: usize) -> String {
    rand::rngs::OsRng
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_shared::signing::PublicKey;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn creates_matching_private_key_files_once() {
        let data = tempfile::tempdir().unwrap();
        ensure_keys(data.path()).unwrap();
        let keys = data.path().join("keys");
        let gateway_key = std::fs::read_to_string(keys.join("gateway.key")).unwrap();
        let signer = Signer::from_text(&gateway_key).unwrap();
        assert_eq!(signer.kid(), "gateway-1");
        let public = std::fs::read_to_string(keys.join("gateway.pub")).unwrap();
        assert_eq!(PublicKey::from_text(&public).unwrap(), signer.public_key());
        let mode = std::fs::metadata(keys.join("bank.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);

        // A second run keeps the keys and repairs a missing public key.
        std::fs::remove_file(keys.join("gateway.pub")).unwrap();
        ensure_keys(data.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(keys.join("gateway.key")).unwrap(),
            gateway_key
        );
        assert_eq!(
            std::fs::read_to_string(keys.join("gateway.pub")).unwrap(),
            public
        );
        let bank = std::fs::read_to_string(keys.join("bank.pub")).unwrap();
        assert!(bank.starts_with("bank-1:"));
    }

    #[test]
    fn a_corrupt_key_file_is_named() {
        let data = tempfile::tempdir().unwrap();
        std::fs::create_dir(data.path().join("keys")).unwrap();
        std::fs::write(data.path().join("keys/gateway.key"), "garbage").unwrap();
        let error = ensure_keys(data.path()).unwrap_err().to_string();
        assert!(error.contains("gateway.key"), "{error}");
    }
}
