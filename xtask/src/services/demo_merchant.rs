//! The demo merchant's API secret key and webhook secret, shared by gateway and shop.
//!
//! The environment wins; otherwise they persist in `{data}/demo-merchant.env`, so the
//! shop keeps working with orders created before a restart.

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::keys::{random_base62, write_private};

pub(crate) const SECRET_KEY_VAR: &str = "PAYDESK_DEMO_SECRET_KEY";
pub(crate) const WEBHOOK_SECRET_VAR: &str = "PAYDESK_DEMO_WEBHOOK_SECRET";
const SECRET_KEY_PREFIX: &str = "sk_test_";
const WEBHOOK_SECRET_PREFIX: &str = "whsec_";
const FILE_NAME: &str = "demo-merchant.env";
const RANDOM_CHARS: usize = 32;

#[derive(Clone, PartialEq, Eq)]
pub(crate) struct DemoMerchant {
    pub(crate) secret_key: String,
    pub(crate) webhook_secret: String,
}

impl std::fmt::Debug for DemoMerchant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DemoMerchant { .. }")
    }
}

impl DemoMerchant {
    /// Fresh random keys: `sk_test_` / `whsec_` and 32 base62 characters each.
    pub(crate) fn generate() -> Self {
        DemoMerchant {
            secret_key: format!("{SECRET_KEY_PREFIX}{}", random_base62(RANDOM_CHARS)),
            webhook_secret: format!("{WEBHOOK_SECRET_PREFIX}{}", random_base62(RANDOM_CHARS)),
        }
    }

    /// The environment's keys, else those saved in the data dir (created on first use).
    pub(crate) fn load_or_create(data_dir: &Path) -> Result<Self> {
        let path = data_dir.join(FILE_NAME);
        let saved = match std::fs::read_to_string(&path) {
            Ok(text) => parse_file(&text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => (None, None),
            Err(error) => {
                return Err(error).with_context(|| format!("could not read {}", path.display()));
            }
        };
        let fresh = DemoMerchant::generate();
        let file = match saved {
            (Some(secret_key), Some(webhook_secret)) => DemoMerchant {
                secret_key,
                webhook_secret,
            },
            (secret_key, webhook_secret) => {
                let completed = DemoMerchant {
                    secret_key: secret_key.unwrap_or(fresh.secret_key),
                    webhook_secret: webhook_secret.unwrap_or(fresh.webhook_secret),
                };
                write_private(&path, &completed.to_file())?;
                println!("created {}", path.display());
                completed
            }
        };
        let merchant = DemoMerchant {
            secret_key: env_var(SECRET_KEY_VAR)?.unwrap_or(file.secret_key),
            webhook_secret: env_var(WEBHOOK_SECRET_VAR)?.unwrap_or(file.webhook_secret),
        };
        merchant.validate().with_context(|| {
            format!(
                "check {SECRET_KEY_VAR} / {WEBHOOK_SECRET_VAR} or {}",
                path.display()
            )
        })?;
        Ok(merchant)
    }

    /// The environment variables gateway and demo shop read.
    pub(crate) fn env(&self) -> [(&'static str, &str); 2] {
        [
            (SECRET_KEY_VAR, &self.secret_key),
            (WEBHOOK_SECRET_VAR, &self.webhook_secret),
        ]
    }

    fn validate(&self) -> Result<()> {
        if !self.secret_key.starts_with(SECRET_KEY_PREFIX) {
            bail!("the demo secret key must start with `{SECRET_KEY_PREFIX}`");
        }
        if !self.webhook_secret.starts_with(WEBHOOK_SECRET_PREFIX) {
            bail!("the demo webhook secret must start with `{WEBHOOK_SECRET_PREFIX}`");
        }
        Ok(())
    }

    fn to_file(&self) -> String {
        format!(
            "# The demo merchant's keys, read by `cargo xtask run`. Delete to get new ones.\n\
             {SECRET_KEY_VAR}={}\n{WEBHOOK_SECRET_VAR}={}",
            self.secret_key, self.webhook_secret
        )
    }
}

fn parse_file(text: &str) -> (Option<String>, Option<String>) {
    let value = |name: &str| {
        text.lines()
            .filter_map(|line| line.trim().split_once('='))
            .find(|(key, _)| key.trim() == name)
            .map(|(_, value)| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    (value(SECRET_KEY_VAR), value(WEBHOOK_SECRET_VAR))
}

/// A variable's trimmed value; unset and blank are both `None`.
pub(super) fn env_var(name: &str) -> Result<Option<String>> {
    match std::env::var(name) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => Ok(Some(value.trim().to_owned())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => bail!("{name} is not valid UTF-8"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_the_documented_shape() {
        let merchant = DemoMerchant::generate();
        let random = merchant.secret_key.strip_prefix("sk_test_").unwrap();
        assert_eq!(random.len(), 32);
        assert!(random.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(merchant.webhook_secret.len(), "whsec_".len() + 32);
        assert_ne!(merchant, DemoMerchant::generate());
        assert_eq!(format!("{merchant:?}"), "DemoMerchant { .. }");
    }

    #[test]
    fn the_file_round_trips_and_partial_files_are_completed() {
        let merchant = DemoMerchant::generate();
        assert_eq!(
            parse_file(&merchant.to_file()),
            (
                Some(merchant.secret_key.clone()),
                Some(merchant.webhook_secret.clone())
            )
        );
        assert_eq!(
            parse_file("# comment\nPAYDESK_DEMO_SECRET_KEY = sk_test_abc\n"),
            (Some("sk_test_abc".into()), None)
        );
    }

    // Both cases share one test: they depend on the process environment, which tests
    // running in parallel threads would otherwise race on.
    #[test]
    fn saved_keys_persist_when_the_environment_is_silent() {
        if std::env::var_os(SECRET_KEY_VAR).is_some()
            || std::env::var_os(WEBHOOK_SECRET_VAR).is_some()
        {
            return;
        }
        let data = tempfile::tempdir().unwrap();
        let first = DemoMerchant::load_or_create(data.path()).unwrap();
        let second = DemoMerchant::load_or_create(data.path()).unwrap();
        assert_eq!(first, second);

        std::fs::write(
            data.path().join(FILE_NAME),
            "PAYDESK_DEMO_SECRET_KEY=pk_live_x\n",
        )
        .unwrap();
        assert!(DemoMerchant::load_or_create(data.path()).is_err());
    }
}
