//! Every page the shop serves carries the same strict Content-Security-Policy: the
//! exact lines Paydesk asks merchants for, plus the shop's own lockdown.

use reqwest::StatusCode;

use crate::helpers::{TestShop, spawn_shop};

/// The policy, written out in full, for a shop whose gateway is at `gateway`.
fn expected_policy(gateway: &str) -> String {
    format!(
        "default-src 'self'; \
         script-src 'self' {gateway} 'wasm-unsafe-eval'; \
         style-src 'self' {gateway}; \
         connect-src 'self' {gateway}; \
         img-src 'self' {gateway} https: data:; \
         font-src 'self' {gateway}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Every kind of page and answer: pages, redirects, errors, assets, the webhook.
async fn every_path(shop: &mut TestShop) -> Vec<String> {
    let order = shop.place_order().await;
    let reference = order.reference;
    vec![
        "/".into(),
        format!("/checkout/{reference}"),
        format!("/checkout/{reference}?theme=dark&locale=zh-CN"),
        format!("/checkout/{reference}/hosted"),
        format!("/checkout/complete?ref={reference}"),
        format!("/orders/{reference}"),
        "/theme".into(),
        "/theme?theme=flat&locale=zh-TW".into(),
        "/static/shop.css".into(),
        "/static/theme.js".into(),
        "/health".into(),
        "/checkout/complete".into(),
        "/checkout/TH-0000000000/hosted".into(),
        "/missing".into(),
    ]
}

#[tokio::test]
async fn every_answer_carries_the_exact_policy() {
    let mut shop = spawn_shop().await;
    let expected = expected_policy(&shop.gateway.url);
    for path in every_path(&mut shop).await {
        let response = shop.get(&path).await;
        let headers = response.headers();
        assert_eq!(
            headers["content-security-policy"],
            expected.as_str(),
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            headers["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
    }
    let webhook = shop.post_webhook(b"{}", None).await;
    assert_eq!(webhook.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        webhook.headers()["content-security-policy"],
        expected.as_str()
    );
}

#[tokio::test]
async fn the_policy_allows_no_inline_code_and_no_eval() {
    let shop = spawn_shop().await;
    let response = shop.get("/").await;
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    for word in policy.split([';', ' ']) {
        assert!(
            !matches!(
                word,
                "'unsafe-inline'" | "'unsafe-eval'" | "*" | "'unsafe-hashes'"
            ),
            "{word} in {policy}"
        );
    }
}

#[tokio::test]
async fn pages_carry_no_inline_script_or_style() {
    let mut shop = spawn_shop().await;
    for path in every_path(&mut shop).await {
        let response = shop.get(&path).await;
        let is_html = response
            .headers()
            .get("content-type")
            .is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
        if !is_html {
            continue;
        }
        let html = response.text().await.unwrap();
        assert!(!html.contains("style="), "{path}");
        assert!(!html.contains("<style"), "{path}");
        assert!(!html.contains("javascript:"), "{path}");
        for (at, _) in html.match_indices(" on") {
            let rest = &html[at + 3..];
            let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
            assert!(
                letters == 0 || !rest[letters..].starts_with('='),
                "event handler attribute on {path}: {}",
                &html[at..at + 20]
            );
        }
        for (at, _) in html.match_indices("<script") {
            let tag = &html[at..at + html[at..].find('>').unwrap()];
            assert!(tag.starts_with("<script src="), "inline script on {path}");
            assert!(
                html[at..].starts_with(&format!("{tag}></script>")),
                "script with a body on {path}"
            );
        }
    }
}
