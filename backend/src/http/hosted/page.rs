//! The HTML of the gateway's own pages: the hosted checkout and its messages. Every
//! value is escaped; the pages carry no inline script or style, so they are served
//! under a policy that allows only the gateway's own files.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::text::{Message, PageText};
use crate::widget_assets::{AssetLink, LOADER, WidgetAssets};

/// Nothing but the gateway's own files; the widget's WebAssembly needs
/// 'wasm-unsafe-eval', and the widget shows item images from merchants' https URLs.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' https: data:; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// [`CONTENT_SECURITY_POLICY`] that also lets the page show this order's item
/// images from plain-http origins (a merchant's shop in development): each such
/// origin by name, never `http:` as a whole.
fn policy_with_images<'a>(image_urls: impl IntoIterator<Item = &'a str>) -> String {
    let mut origins: Vec<String> = image_urls.into_iter().filter_map(http_source).collect();
    origins.sort();
    origins.dedup();
    if origins.is_empty() {
        return CONTENT_SECURITY_POLICY.to_owned();
    }
    CONTENT_SECURITY_POLICY.replace(
        "img-src 'self' https: data:",
        &format!("img-src 'self' https: data: {}", origins.join(" ")),
    )
}

/// A plain-http URL's origin as a CSP host source, built from parts that cannot
/// carry policy syntax: a host name of letters, digits, hyphens and dots, or an IP
/// literal, and a numeric port. A URL host may legally hold `;` `,` `*` or quotes,
/// which would end or widen a directive; such a URL adds nothing.
fn http_source(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    if url.scheme() != "http" {
        return None;
    }
    let host = match url.host()? {
        url::Host::Domain(name) if is_host_name(name) => name.to_owned(),
        url::Host::Domain(_) => return None,
        url::Host::Ipv4(ip) => ip.to_string(),
        url::Host::Ipv6(ip) => format!("[{ip}]"),
    };
    Some(match url.port() {
        Some(port) => format!("http://{host}:{port}"),
        None => format!("http://{host}"),
    })
}

/// RFC 1123 host name letters: dot-separated labels of ASCII letters, digits and
/// inner hyphens (IDNs arrive here already in their `xn--` form).
fn is_host_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The mount point the loader renders the widget into.
const TARGET_ID: &str = "paydesk-checkout";

/// What the hosted checkout page shows.
pub(super) struct Checkout<'a> {
    pub(super) merchant: &'a str,
    pub(super) return_url: &'a str,
    pub(super) client_token: &'a str,
    /// Passed on to the widget as given (already checked to be a language tag).
    pub(super) locale: Option<&'a str>,
    /// Shows "Continue to …" at once instead of waiting for the widget to say so.
    pub(super) paid: bool,
    /// The order's item images, which the page's policy must let the widget show.
    pub(super) image_urls: Vec<&'a str>,
    pub(super) text: &'a PageText,
}

/// The hosted checkout page, `200 OK`.
pub(super) fn checkout(assets: &WidgetAssets, page: &Checkout<'_>) -> Response {
    let text = page.text;
    let merchant = escape(page.merchant);
    let return_url = escape(page.return_url);
    let initial = escape(
        &page
            .merchant
            .chars()
            .next()
            .map(|c| c.to_uppercase().collect::<String>())
            .unwrap_or_default(),
    );
    let locale = page
        .locale
        .map(|l| format!(" data-locale=\"{}\"", escape(l)))
        .unwrap_or_default();
    let loader = script(
        &assets.link(LOADER),
        &format!(
            " data-client-token=\"{}\" data-target=\"#{TARGET_ID}\" data-mode=\"hosted\"{locale}",
            escape(page.client_token)
        ),
    );
    let hidden = if page.paid { "" } else { " hidden" };
    let body = format!(
        r##"<body class="hosted">
<a class="hosted-skip" href="#main">{skip}</a>
<header class="hosted-header">
<div class="hosted-bar">
<a class="hosted-back" href="{return_url}">{back_icon}<span>{back}</span></a>
</div>
<div class="hosted-merchant">
<span class="hosted-monogram" aria-hidden="true">{initial}</span>
<h1 class="hosted-title">{merchant}</h1>
</div>
</header>
<main class="hosted-main" id="main" tabindex="-1">
<div id="{TARGET_ID}" class="hosted-widget"></div>
<noscript><p class="hosted-note">{noscript}</p></noscript>
<p class="hosted-continue" id="paydesk-continue"{hidden}><a class="hosted-button" href="{return_url}">{continue_to}</a></p>
</main>
{footer}
</body>"##,
        skip = escape(text.skip_to_checkout),
        back_icon = BACK_ICON,
        back = text.back_to(&merchant),
        noscript = text.noscript(&merchant),
        continue_to = text.continue_to(&merchant),
        footer = footer(text),
    );
    let head = format!(
        "{}\n{}{}\n{}",
        stylesheet(&assets.link("hosted.css")),
        preloads(assets),
        script(&assets.link("hosted.js"), ""),
        loader
    );
    html(
        StatusCode::OK,
        &policy_with_images(page.image_urls.iter().copied()),
        &document(text.lang, &text.title(&merchant), &head, &body),
    )
}

/// A page with one message, e.g. for a link that leads nowhere.
pub(super) fn message(status: StatusCode, assets: &WidgetAssets, message: Message) -> Response {
    message_in(status, assets, PageText::english(), message)
}

/// [`message`] in the shopper's language.
pub(super) fn message_in(
    status: StatusCode,
    assets: &WidgetAssets,
    text: &PageText,
    message: Message,
) -> Response {
    let body = format!(
        r#"<body class="hosted hosted-message-page">
<main class="hosted-message" id="main">
{INFO_ICON}
<h1 class="hosted-message-title">{title}</h1>
<p class="hosted-message-body">{body}</p>
</main>
{footer}
</body>"#,
        title = escape(message.title),
        body = escape(message.body),
        footer = footer(text),
    );
    html(
        status,
        CONTENT_SECURITY_POLICY,
        &document(
            text.lang,
            &escape(message.title),
            &stylesheet(&assets.link("hosted.css")),
            &body,
        ),
    )
}

fn document(lang: &str, title: &str, head: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="data:,">
<title>{title}</title>
{head}
</head>
{body}
</html>
"#,
        lang = escape(lang),
    )
}

fn footer(text: &PageText) -> String {
    format!(
        r#"<footer class="hosted-footer">{LOCK_ICON}<span>{}</span></footer>"#,
        escape(text.secured_by)
    )
}

/// Starts the widget's module and stylesheet downloading with the page instead of
/// after the loader has run. Only for a versioned build: the loader then asks for exactly these
/// URLs with the same integrity and CORS mode, so the browser reuses the responses.
fn preloads(assets: &WidgetAssets) -> String {
    [
        ("paydesk-widget.js", r#"rel="modulepreload""#),
        // Not the WebAssembly: browsers ignore integrity on `as="fetch"` preloads
        // (and say so in the console), so the loader fetches it itself.
        ("paydesk-widget.css", r#"rel="preload" as="style""#),
    ]
    .into_iter()
    .map(|(file, kind)| (assets.link(file), kind))
    .filter(|(link, _)| link.integrity.is_some())
    .map(|(link, kind)| {
        format!(
            "<link {kind} href=\"{}\"{}>\n",
            escape(&link.path),
            integrity(&link)
        )
    })
    .collect()
}

fn integrity(link: &AssetLink) -> String {
    link.integrity
        .as_deref()
        .map(|sri| format!(" integrity=\"{}\" crossorigin=\"anonymous\"", escape(sri)))
        .unwrap_or_default()
}

fn script(link: &AssetLink, attributes: &str) -> String {
    format!(
        r#"<script src="{}"{}{attributes} defer></script>"#,
        escape(&link.path),
        integrity(link)
    )
}

fn stylesheet(link: &AssetLink) -> String {
    format!(
        r#"<link rel="stylesheet" href="{}"{}>"#,
        escape(&link.path),
        integrity(link)
    )
}

/// Sends `body` as HTML with the headers every gateway page carries: the strict
/// policy, no referrer (the URL holds the client token) and no caching (the page
/// shows a live order).
fn html(status: StatusCode, policy: &str, body: &str) -> Response {
    let mut response = (status, body.to_owned()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(policy)
            .expect("a policy is built from constant text and validated host sources"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Text and attribute values in HTML.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const BACK_ICON: &str = r#"<svg class="hosted-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><path d="M15 18l-6-6 6-6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>"#;

const LOCK_ICON: &str = r#"<svg class="hosted-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false"><rect x="5" y="11" width="14" height="10" rx="2" fill="none" stroke="currentColor" stroke-width="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>"#;

const INFO_ICON: &str = r#"<svg class="hosted-message-icon" viewBox="0 0 24 24" width="48" height="48" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M12 11v6M12 7.5v.5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_images_add_their_origins_and_nothing_else() {
        assert_eq!(
            policy_with_images(["https://cdn.example/a.png"]),
            CONTENT_SECURITY_POLICY
        );
        let policy = policy_with_images([
            "http://127.0.0.1:8082/static/a.svg",
            "http://127.0.0.1:8082/static/b.svg",
            "http://shop.example/c.png",
            "https://cdn.example/d.png",
        ]);
        assert!(
            policy.contains(
                "img-src 'self' https: data: http://127.0.0.1:8082 http://shop.example; font-src"
            ),
            "{policy}"
        );
        assert_eq!(
            policy.replace(" http://127.0.0.1:8082 http://shop.example", ""),
            CONTENT_SECURITY_POLICY
        );
    }

    #[test]
    fn hostile_image_hosts_add_nothing_to_the_policy() {
        for hostile in [
            "http://a;script-src*/x.png",
            "http://a,b/x.png",
            "http://*/x.png",
            "http://evil'unsafe-inline'/x.png",
            "http://a;default-src%20*/x.png",
            "http://a%3Bb/x.png",
            "http://-a.example/x.png",
        ] {
            assert_eq!(
                policy_with_images([hostile]),
                CONTENT_SECURITY_POLICY,
                "{hostile}"
            );
        }
        assert_eq!(
            http_source("http://[::1]:8082/a.png").as_deref(),
            Some("http://[::1]:8082")
        );
        assert_eq!(
            http_source("http://bücher.example/a.png").as_deref(),
            Some("http://xn--bcher-kva.example")
        );
    }

    #[test]
    fn escape_covers_text_and_both_quote_kinds() {
        assert_eq!(
            escape(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(escape("工商银行 ¥25.00"), "工商银行 ¥25.00");
    }
}
