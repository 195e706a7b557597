//! Response headers that lock the shop's pages down while letting the Paydesk widget
//! run: its loader, WebAssembly module, stylesheet and API calls come from the
//! gateway's origin and nowhere else.

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, HeaderName, InvalidHeaderValue, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS,
};
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy for a shop whose gateway lives at `gateway_origin`. The first four
/// directives after `default-src` are the lines Paydesk asks every merchant page to
/// allow; the rest only tighten the shop's own pages.
///
/// - `'wasm-unsafe-eval'` lets the widget compile its WebAssembly; it does not allow
///   `eval` of JavaScript.
/// - No `'unsafe-inline'` anywhere: the widget sets theme variables and per-bank
///   colours through the CSSOM (`style.setProperty`), which style-src does not govern,
///   and every page script, the theming page's included, is a file.
/// - `img-src https:` lets the widget show merchants' product pictures from their CDN.
/// - `form-action 'self'`: the shop's forms post to itself. The widget sends the
///   shopper to the bank with `location.assign`, and "Pay on a Paydesk page" is a
///   link, neither of which form-action governs.
pub(crate) fn content_security_policy(gateway_origin: &str) -> String {
    let gw = gateway_origin;
    [
        "default-src 'self'".to_owned(),
        format!("script-src 'self' {gw} 'wasm-unsafe-eval'"),
        format!("style-src 'self' {gw}"),
        format!("connect-src 'self' {gw}"),
        format!("img-src 'self' {gw} https: data:"),
        format!("font-src 'self' {gw}"),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ]
    .join("; ")
}

/// Adds the security headers to every response of `router`.
pub(crate) fn with_security_headers<S>(
    router: Router<S>,
    gateway_origin: &str,
) -> Result<Router<S>, InvalidHeaderValue>
where
    S: Clone + Send + Sync + 'static,
{
    let csp = HeaderValue::from_str(&content_security_policy(gateway_origin))?;
    let headers: [(HeaderName, HeaderValue); 3] = [
        (CONTENT_SECURITY_POLICY, csp),
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (
            REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
    ];
    Ok(headers.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(name, value))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_is_the_merchant_lines_plus_lockdown() {
        assert_eq!(
            content_security_policy("http://127.0.0.1:8080"),
            "default-src 'self'; \
             script-src 'self' http://127.0.0.1:8080 'wasm-unsafe-eval'; \
             style-src 'self' http://127.0.0.1:8080; \
             connect-src 'self' http://127.0.0.1:8080; \
             img-src 'self' http://127.0.0.1:8080 https: data:; \
             font-src 'self' http://127.0.0.1:8080; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
    }

    #[test]
    fn nothing_inline_and_no_eval() {
        let csp = content_security_policy("https://pay.example");
        for token in csp.split([';', ' ']) {
            assert!(
                token != "'unsafe-inline'" && token != "'unsafe-eval'" && token != "*",
                "{token} in {csp}"
            );
        }
    }
}
