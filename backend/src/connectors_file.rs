//! `PAYDESK_CONNECTORS`: which bank uses which connector, with which keys, as a JSON
//! file an operator edits. Without it the gateway runs one sandbox connector for every
//! bank, with the keys in `{data}/keys`.
//!
//! ```json
//! [
//!   { "name": "sandbox", "protocol": "sandbox", "url": "http://127.0.0.1:8081",
//!     "banks": "*", "signing_key": "keys/gateway.key",
//!     "bank_keys": ["keys/bank.pub", "keys/bank-2027.pub"] }
//! ]
//! ```
//!
//! `banks` is `"*"` (every bank no other connector names) or a list of bank codes. Key
//! paths are relative to the data directory. Listing two bank keys is a rotation: both
//! verify until the old one is removed.

use std::path::Path;

use anyhow::{Context, bail};
use paydesk_shared::signing::{PublicKey, Signer};
use serde::Deserialize;

use crate::config::{BankSelection, ConnectorConfig, Protocol};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    protocol: String,
    url: String,
    banks: Banks,
    signing_key: String,
    bank_keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Banks {
    All(String),
    Only(Vec<String>),
}

/// Reads the connectors file; key paths are taken relative to `data_dir`.
pub fn load(text: &str, data_dir: &Path) -> anyhow::Result<Vec<ConnectorConfig>> {
    let entries: Vec<Entry> = serde_json::from_str(text).context("not a connectors list")?;
    if entries.is_empty() {
        bail!("no connector configured");
    }
    entries
        .into_iter()
        .map(|e| {
            let context = || format!("connector `{}`", e.name);
            if e.name.is_empty()
                || !e
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                bail!(
                    "connector name `{}` must be lower-case letters, digits and `-`",
                    e.name
                );
            }
            let protocol = match e.protocol.as_str() {
                "sandbox" => Protocol::Sandbox,
                other => bail!("{}: unknown protocol `{other}`", context()),
            };
            let banks = match e.banks {
                Banks::All(star) if star == "*" => BankSelection::All,
                Banks::All(other) => bail!(
                    "{}: banks must be \"*\" or a list, not `{other}`",
                    context()
                ),
                Banks::Only(codes) => BankSelection::Only(codes),
            };
            let read = |path: &str| {
                let full = data_dir.join(path);
                std::fs::read_to_string(&full)
                    .with_context(|| format!("{}: cannot read {}", context(), full.display()))
            };
            let signer = Signer::from_text(&read(&e.signing_key)?)
                .with_context(|| format!("{}: {}", context(), e.signing_key))?;
            let bank_keys = e
                .bank_keys
                .iter()
                .map(|p| {
                    PublicKey::from_text(&read(p)?).with_context(|| format!("{}: {p}", context()))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            if bank_keys.is_empty() {
                bail!("{}: no bank key to verify its messages", context());
            }
            Ok(ConnectorConfig {
                name: e.name,
                protocol,
                url: e.url,
                banks,
                signer,
                bank_keys,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(dir: &Path) {
        std::fs::create_dir_all(dir.join("keys")).unwrap();
        let gw = Signer::generate("gw");
        std::fs::write(dir.join("keys/gateway.key"), gw.to_text()).unwrap();
        for name in ["bank.pub", "bank-next.pub"] {
            let key = Signer::generate(name.trim_end_matches(".pub"));
            std::fs::write(dir.join("keys").join(name), key.public_key().to_text()).unwrap();
        }
    }

    #[test]
    fn reads_connectors_with_their_banks_and_keys() {
        let dir = tempfile::tempdir().unwrap();
        keys(dir.path());
        let text = r#"[
            {"name": "sandbox", "protocol": "sandbox", "url": "http://a", "banks": "*",
             "signing_key": "keys/gateway.key", "bank_keys": ["keys/bank.pub", "keys/bank-next.pub"]},
            {"name": "cmb-direct", "protocol": "sandbox", "url": "http://b", "banks": ["CMB"],
             "signing_key": "keys/gateway.key", "bank_keys": ["keys/bank.pub"]}
        ]"#;
        let connectors = load(text, dir.path()).unwrap();
        assert_eq!(connectors.len(), 2);
        assert_eq!(connectors[0].banks, BankSelection::All);
        assert_eq!(connectors[0].bank_keys.len(), 2);
        assert_eq!(connectors[1].banks, BankSelection::Only(vec!["CMB".into()]));
        assert_eq!(connectors[1].url, "http://b");
    }

    #[test]
    fn refuses_what_it_cannot_run() {
        let dir = tempfile::tempdir().unwrap();
        keys(dir.path());
        let entry = |patch: &str| {
            format!(
                r#"[{{"name": "sandbox", "protocol": "sandbox", "url": "http://a", "banks": "*",
                   "signing_key": "keys/gateway.key", "bank_keys": ["keys/bank.pub"]{patch}}}]"#
            )
        };
        for bad in [
            "[]".to_owned(),
            "{}".to_owned(),
            entry(r#", "extra": 1"#),
            entry("").replace(r#""sandbox", "url""#, r#""swift", "url""#),
            entry("").replace(r#""banks": "*""#, r#""banks": "all""#),
            entry("").replace("keys/bank.pub", "keys/missing.pub"),
            entry("").replace(r#"["keys/bank.pub"]"#, "[]"),
            entry("").replace(r#""name": "sandbox""#, r#""name": "Sand Box""#),
        ] {
            assert!(load(&bad, dir.path()).is_err(), "{bad}");
        }
    }
}
