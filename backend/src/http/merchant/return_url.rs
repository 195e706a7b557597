use url::Url;

/// Whether `candidate` targets one of the merchant's registered return URLs: scheme,
/// host, port and path must match exactly; the query may differ (it usually carries the
/// merchant's own order reference); fragments and credentials are refused.
pub(super) fn is_registered(registered: &[String], candidate: &str) -> bool {
    let Ok(c) = Url::parse(candidate) else {
        return false;
    };
    if c.fragment().is_some() || !c.username().is_empty() || c.password().is_some() {
        return false;
    }
    registered
        .iter()
        .filter_map(|r| Url::parse(r).ok())
        .any(|r| {
            r.scheme() == c.scheme()
                && r.host_str() == c.host_str()
                && r.port_or_known_default() == c.port_or_known_default()
                && r.path() == c.path()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_exact_target_with_any_query() {
        let registered = vec!["https://shop.example/checkout/complete".to_owned()];
        assert!(is_registered(
            &registered,
            "https://shop.example/checkout/complete?ref=A1"
        ));
        assert!(is_registered(
            &registered,
            "https://shop.example:443/checkout/complete"
        ));
        for bad in [
            "https://shop.example/checkout/complete/evil",
            "https://shop.example.evil.com/checkout/complete",
            "http://shop.example/checkout/complete",
            "https://shop.example:8443/checkout/complete",
            "https://user@shop.example/checkout/complete",
            "https://shop.example/checkout/complete#x",
            "not a url",
        ] {
            assert!(!is_registered(&registered, bad), "{bad}");
        }
        assert!(!is_registered(
            &[],
            "https://shop.example/checkout/complete"
        ));
    }
}
