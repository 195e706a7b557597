//! Validated base URLs from the configuration, so that a typo in a URL stops the shop
//! at start-up instead of producing broken links at checkout.

use std::fmt;

use url::Url;

#[derive(Debug, thiserror::Error)]
pub(crate) enum BaseUrlError {
    #[error("`{name}` is not a valid URL: {source}")]
    Invalid {
        name: &'static str,
        source: url::ParseError,
    },
    #[error("`{name}` must be an http:// or https:// URL with a host")]
    NotHttp { name: &'static str },
    #[error("`{name}` must not carry a query string, fragment or credentials")]
    Extras { name: &'static str },
}

/// An absolute http(s) URL without query, fragment or credentials, kept without a
/// trailing slash so that `join("/path")` never doubles it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    base: String,
    origin: String,
}

impl BaseUrl {
    /// `name` is the configuration field, used in the error message.
    pub(crate) fn parse(name: &'static str, value: &str) -> Result<Self, BaseUrlError> {
        let url = Url::parse(value).map_err(|source| BaseUrlError::Invalid { name, source })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(BaseUrlError::NotHttp { name });
        }
        if url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(BaseUrlError::Extras { name });
        }
        Ok(BaseUrl {
            base: url.as_str().trim_end_matches('/').to_owned(),
            origin: url.origin().ascii_serialization(),
        })
    }

    /// The base followed by `path`, which starts with `/`.
    pub(crate) fn join(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Whether `candidate` is an absolute URL on this base's origin and under its path,
    /// without credentials: the check before the shop sends a browser to a URL it
    /// was given by another service.
    pub(crate) fn owns(&self, candidate: &str) -> bool {
        let Ok(url) = Url::parse(candidate) else {
            return false;
        };
        url.origin().ascii_serialization() == self.origin
            && url.username().is_empty()
            && url.password().is_none()
            && url.as_str().starts_with(&format!("{}/", self.base))
    }

    /// `scheme://host[:port]`, the form a Content-Security-Policy source takes.
    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_without_doubling_slashes() {
        let url = BaseUrl::parse("public_url", "http://127.0.0.1:8082/").unwrap();
        assert_eq!(url.join("/checkout"), "http://127.0.0.1:8082/checkout");
        let prefixed = BaseUrl::parse("public_url", "https://shop.example/tea").unwrap();
        assert_eq!(
            prefixed.join("/orders/TH-1"),
            "https://shop.example/tea/orders/TH-1"
        );
    }

    #[test]
    fn origin_drops_the_path_and_default_port() {
        let url = BaseUrl::parse("gateway_public_url", "https://pay.example:443/paydesk").unwrap();
        assert_eq!(url.origin(), "https://pay.example");
        let local = BaseUrl::parse("gateway_public_url", "http://127.0.0.1:8080").unwrap();
        assert_eq!(local.origin(), "http://127.0.0.1:8080");
    }

    #[test]
    fn owns_only_urls_below_itself() {
        let gateway = BaseUrl::parse("gateway_public_url", "https://pay.example/paydesk").unwrap();
        assert!(gateway.owns("https://pay.example/paydesk/pay/ct_1"));
        assert!(gateway.owns("https://pay.example:443/paydesk/pay/ct_1"));
        for other in [
            "",
            "/paydesk/pay/ct_1",
            "https://pay.example/paydesk",
            "https://pay.example/paydesker/pay",
            "https://pay.example/elsewhere",
            "http://pay.example/paydesk/pay/ct_1",
            "https://pay.example.evil/paydesk/pay/ct_1",
            "https://user@pay.example/paydesk/pay/ct_1",
            "javascript:alert(1)",
        ] {
            assert!(!gateway.owns(other), "{other}");
        }
    }

    #[test]
    fn rejects_what_cannot_be_a_base() {
        for bad in [
            "",
            "127.0.0.1:8080",
            "ftp://files.example",
            "http://shop.example/?x=1",
            "http://shop.example/#top",
            "http://user:pw@shop.example",
        ] {
            assert!(BaseUrl::parse("public_url", bad).is_err(), "{bad}");
        }
    }
}
