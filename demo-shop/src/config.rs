//! What the shop needs to know to run: where the gateway is, where the shop itself is
//! reachable, and the merchant's two secrets. Plain data; `main.rs` reads it from the
//! environment, tests build it by hand.

use std::fmt;

/// The demo shop's settings.
#[derive(Clone)]
pub struct Config {
    /// Server-to-server base URL of the gateway, without a trailing slash.
    pub gateway_api_url: String,
    /// Base URL browsers use to load the widget's loader script (the same as
    /// `gateway_api_url` when everything runs on one machine).
    pub gateway_public_url: String,
    /// The shop's own base URL, as shoppers' browsers and the gateway reach it.
    pub public_url: String,
    /// The merchant's secret API key (`sk_test_…`). Only ever sent to the gateway.
    pub secret_key: String,
    /// The secret the gateway signs webhooks with (`whsec_…`).
    pub webhook_secret: String,
}

// Written by hand so that logging a `Config` can never leak either secret.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("gateway_api_url", &self.gateway_api_url)
            .field("gateway_public_url", &self.gateway_public_url)
            .field("public_url", &self.public_url)
            .field("secret_key", &"[redacted]")
            .field("webhook_secret", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets() {
        let config = Config {
            gateway_api_url: "http://127.0.0.1:8080".into(),
            gateway_public_url: "http://127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8082".into(),
            secret_key: "sk_test_abc".into(),
            webhook_secret: "whsec_abc".into(),
        };
        let printed = format!("{config:?}");
        assert!(!printed.contains("sk_test_abc"));
        assert!(!printed.contains("whsec_abc"));
        assert!(printed.contains("127.0.0.1:8082"));
    }
}
