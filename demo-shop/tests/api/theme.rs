//! The theming page: every design token of the widget's stylesheet as a control with
//! the stylesheet's default, the widget on a real sample order, only external
//! scripts, and a page that keeps working whatever the query says.

use std::path::Path;

use reqwest::StatusCode;

use crate::helpers::spawn_shop;

/// Set per bank by the widget itself, not a theme choice.
const NOT_THEMABLE: [&str; 1] = ["color-badge"];

/// `(name without --paydesk-, default)` for each custom property the widget's
/// stylesheet declares in its first rule (the defaults on `:host`), whitespace in
/// values collapsed as a browser reads them.
fn stylesheet_tokens() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/style/paydesk-widget.css");
    let css = std::fs::read_to_string(&path).unwrap();
    let without_comments = strip_comments(&css);
    let open = without_comments
        .find("--paydesk-")
        .and_then(|first| without_comments[..first].rfind('{'))
        .expect("no custom properties in the widget stylesheet");
    let close = open + without_comments[open..].find('}').unwrap();
    without_comments[open + 1..close]
        .split(';')
        .filter_map(|declaration| {
            let (name, value) = declaration.split_once(':')?;
            let name = name.trim().strip_prefix("--paydesk-")?;
            let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
            Some((name.to_owned(), value))
        })
        .collect()
}

fn strip_comments(css: &str) -> String {
    let mut out = String::new();
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("*/").unwrap();
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

fn attribute_escaped(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#39;")
}

/// The `data-token` names on the page, in order.
fn page_tokens(html: &str) -> Vec<&str> {
    html.match_indices(r#"data-token=""#)
        .map(|(at, marker)| {
            let rest = &html[at + marker.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[tokio::test]
async fn every_stylesheet_token_has_a_control_with_its_default() {
    let shop = spawn_shop().await;
    let html = shop.get_html("/theme").await;
    let tokens = stylesheet_tokens();
    assert!(tokens.len() > 20, "{tokens:?}");
    for (name, default) in &tokens {
        if NOT_THEMABLE.contains(&name.as_str()) {
            assert!(!html.contains(&format!(r#"data-token="{name}""#)), "{name}");
            continue;
        }
        let id = format!("token-{name}");
        assert!(
            html.contains(&format!(r#"<label for="{id}">"#)),
            "no label for --paydesk-{name}"
        );
        let control = html
            .find(&format!(r#"id="{id}""#))
            .map(|at| &html[at..at + html[at..].find('>').unwrap()])
            .unwrap_or_else(|| panic!("no control for --paydesk-{name}"));
        assert!(
            control.contains(&format!(r#"data-token="{name}""#)),
            "{control}"
        );
        assert!(
            control.contains(&format!(r#"data-default="{}""#, attribute_escaped(default))),
            "--paydesk-{name}: the page's default differs from the stylesheet's {default}: {control}"
        );
        if default.starts_with('#') {
            assert!(control.starts_with(r#"id="token-"#));
            assert!(
                html.contains(&format!(r#"<input type="color" id="{id}""#)),
                "{name} is a colour"
            );
        }
    }
    // Nothing on the page that the stylesheet does not define.
    for name in page_tokens(&html) {
        assert!(
            tokens.iter().any(|(token, _)| token == name),
            "--paydesk-{name} is not in the widget stylesheet"
        );
    }
}

#[tokio::test]
async fn the_page_has_presets_languages_fonts_and_the_snippet() {
    let shop = spawn_shop().await;
    let html = shop.get_html("/theme").await;
    for theme in ["auto", "light", "dark", "flat"] {
        assert!(
            html.contains(&format!(r#"<option value="{theme}""#)),
            "{theme}"
        );
    }
    assert!(html.contains(r#"<option value="auto" selected>"#));
    for locale in ["en", "zh-CN", "zh-TW"] {
        assert!(
            html.contains(&format!(r#"<option value="{locale}""#)),
            "{locale}"
        );
    }
    assert!(html.contains(r#"<select id="theme-preset" name="theme" data-setting="theme">"#));
    assert!(html.contains(r#"<select id="theme-locale" name="locale" data-setting="locale">"#));
    assert!(html.contains(r#"<input type="color""#));
    assert!(
        html.contains("&quot;Tea House Serif&quot;"),
        "the shop's web font"
    );
    assert!(html.contains(r#"data-action="copy-snippet""#));
    assert!(html.contains(r#"<pre id="theme-snippet""#));
    assert!(
        html.contains("Paydesk.mount(document.querySelector(&quot;#paydesk-checkout&quot;), {")
    );
    assert!(
        html.contains(r#"<a href="/theme">"#),
        "linked from the header"
    );
    assert!(
        shop.get_html("/").await.contains(r#"<a href="/theme">"#),
        "the storefront header links the theming page"
    );
}

#[tokio::test]
async fn the_widget_mounts_on_a_real_sample_order_shared_between_visits() {
    let mut shop = spawn_shop().await;
    let first = shop.get_html("/theme").await;
    let request = shop.gateway.next_request();
    assert!(request.idempotency_key.is_some());
    assert!(
        request.request.items.len() > 1,
        "a review with several lines"
    );
    let order = shop
        .gateway
        .order(request.idempotency_key.as_deref().unwrap());
    assert!(first.contains(&format!(
        r#"<div id="theme-preview" data-client-token="{}">"#,
        order.client_token
    )));
    assert!(first.contains(r#"<div id="paydesk-checkout"></div>"#));

    // The next designer gets the same order, not a new one.
    let second = shop.get_html("/theme?theme=dark").await;
    shop.gateway.assert_no_request();
    assert!(second.contains(&order.client_token));
    // And its reference is a shop order like any other.
    assert!(
        shop.get(&format!("/orders/{}", order.merchant_reference))
            .await
            .status()
            .is_success()
    );
}

#[tokio::test]
async fn scripts_are_external_files_from_the_shop_and_the_gateway() {
    let shop = spawn_shop().await;
    let html = shop.get_html("/theme").await;
    let sources: Vec<&str> = html
        .match_indices("<script")
        .map(|(at, _)| {
            let tag = &html[at..at + html[at..].find('>').unwrap() + 1];
            assert!(
                html[at..].starts_with(&format!("{tag}</script>")),
                "script with a body: {tag}"
            );
            let src = tag
                .strip_prefix(r#"<script src=""#)
                .unwrap_or_else(|| panic!("script without src: {tag}"));
            &src[..src.find('"').unwrap()]
        })
        .collect();
    assert_eq!(
        sources,
        [
            format!("{}/assets/paydesk.js", shop.gateway.url),
            "/static/theme.js".to_owned()
        ]
    );
    assert!(!html.contains("style="));
    assert!(!html.contains("<style"));

    let script = shop.get("/static/theme.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let script = script.text().await.unwrap();
    for needle in [
        "Paydesk.mount(host, options)",
        "style.setProperty(property",
        "data-paydesk-theme",
        "navigator.clipboard",
    ] {
        assert!(script.contains(needle), "{needle}");
    }
    for forbidden in [
        "eval(",
        "new Function",
        "innerHTML",
        ".style.cssText",
        "setAttribute(\"style\"",
    ] {
        assert!(!script.contains(forbidden), "{forbidden}");
    }
}

#[tokio::test]
async fn the_web_font_and_its_licence_are_served() {
    let shop = spawn_shop().await;
    for path in [
        "/static/fonts/tea-house-serif.woff2",
        "/static/fonts/tea-house-serif-bold.woff2",
    ] {
        let response = shop.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["content-type"], "font/woff2");
        assert!(
            response.bytes().await.unwrap().starts_with(b"wOF2"),
            "{path}"
        );
    }
    let css = shop.get("/static/shop.css").await.text().await.unwrap();
    assert!(css.contains(r#"font-family: "Tea House Serif";"#));
    assert!(css.contains(r#"url("/static/fonts/tea-house-serif.woff2")"#));
    let licence = shop.get("/static/fonts/LICENSE-DejaVu.txt").await;
    assert_eq!(
        licence.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert!(
        licence
            .text()
            .await
            .unwrap()
            .contains("Copyright (c) 2003 by Bitstream, Inc.")
    );
}

#[tokio::test]
async fn the_query_preselects_known_values_and_ignores_the_rest() {
    let shop = spawn_shop().await;
    let html = shop.get_html("/theme?theme=dark&locale=zh-TW").await;
    assert!(html.contains(r#"<option value="dark" selected>"#));
    assert!(html.contains(r#"<option value="zh-TW" selected>"#));
    assert!(html.contains("locale: &quot;zh-TW&quot;,"));
    assert!(html.contains("theme: &quot;dark&quot;,"));

    for query in [
        "theme=neon&locale=xx",
        "theme=%22%3E%3Cscript%3E&locale=%3C",
        "theme&locale=",
        "theme=%FF",
        "locale=zh-tw",
    ] {
        let response = shop.get(&format!("/theme?{query}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains(r#"<option value="auto" selected>"#),
            "{query}"
        );
        assert!(
            html.contains(r#"<option value="" selected>Browser language"#),
            "{query}"
        );
        assert!(!html.contains("<script>"), "{query}");
    }
}

#[tokio::test]
async fn the_theming_page_without_a_gateway_is_an_error_page() {
    let shop = crate::helpers::spawn_shop_without_gateway().await;
    let response = shop.get("/theme").await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The payment service is not answering right now")
    );
    assert_eq!(
        shop.get("/theme/nope").await.status(),
        StatusCode::NOT_FOUND
    );
    let post = reqwest::Client::new()
        .post(format!("{}/theme", shop.url))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
}
