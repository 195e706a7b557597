//! The HTML of the gateway's own pages: the hosted checkout and its messages. Pages
//! are `maud` templates, so every value spliced into one is escaped; only the
//! doctype and the constant SVG icons are pre-escaped. The pages carry no inline
//! script or style, so they are served under a policy that allows only the
//! gateway's own files.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, PreEscaped, html};

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
    // The raw name: the templates' `{m}` takes it as it is, and the finished string
    // is escaped once, when maud writes it.
    let merchant = page.merchant;
    let initial: String = merchant
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    let loader = assets.link(LOADER);
    let head = html! {
        (stylesheet(&assets.link("hosted.css")))
        (preloads(assets))
        (script(&assets.link("hosted.js")))
        script src=(loader.path) integrity=[loader.integrity.as_deref()]
            crossorigin=[crossorigin(&loader)] data-client-token=(page.client_token)
            data-target={ "#" (TARGET_ID) } data-mode="hosted" data-locale=[page.locale]
            defer {}
    };
    let body = html! {
        body class="hosted" {
            a class="hosted-skip" href="#main" { (text.skip_to_checkout) }
            header class="hosted-header" {
                div class="hosted-bar" {
                    a class="hosted-back" href=(page.return_url) {
                        (BACK_ICON)
                        span { (text.back_to(merchant)) }
                    }
                }
                div class="hosted-merchant" {
                    span class="hosted-monogram" aria-hidden="true" { (initial) }
                    h1 class="hosted-title" { (merchant) }
                }
            }
            main class="hosted-main" id="main" tabindex="-1" {
                div id=(TARGET_ID) class="hosted-widget" {}
                noscript { p class="hosted-note" { (text.noscript(merchant)) } }
                p class="hosted-continue" id="paydesk-continue" hidden[!page.paid] {
                    a class="hosted-button" href=(page.return_url) { (text.continue_to(merchant)) }
                }
            }
            (footer(text))
        }
    };
    html(
        StatusCode::OK,
        &policy_with_images(page.image_urls.iter().copied()),
        document(text.language.tag(), &text.title(merchant), head, body),
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
    let body = html! {
        body class="hosted hosted-message-page" {
            main class="hosted-message" id="main" {
                (INFO_ICON)
                h1 class="hosted-message-title" { (message.title) }
                p class="hosted-message-body" { (message.body) }
            }
            (footer(text))
        }
    };
    html(
        status,
        CONTENT_SECURITY_POLICY,
        document(
            text.language.tag(),
            message.title,
            stylesheet(&assets.link("hosted.css")),
            body,
        ),
    )
}

/// The doctype as the pages have always spelt it (maud's own is `<!DOCTYPE html>`).
const DOCTYPE: PreEscaped<&str> = PreEscaped("<!doctype html>");

/// The document around every page: `head` goes after the common head elements.
pub(super) fn document(lang: &str, title: &str, head: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                meta name="robots" content="noindex, nofollow";
                link rel="icon" href="data:,";
                title { (title) }
                (head)
            }
            (body)
        }
    }
}

fn footer(text: &PageText) -> Markup {
    html! {
        footer class="hosted-footer" { (LOCK_ICON) span { (text.secured_by) } }
    }
}

/// Starts the widget's module and stylesheet downloading with the page instead of
/// after the loader has run. Only for a versioned build: the loader then asks for exactly these
/// URLs with the same integrity and CORS mode, so the browser reuses the responses.
fn preloads(assets: &WidgetAssets) -> Markup {
    let module = assets.link("paydesk-widget.js");
    // Not the WebAssembly: browsers ignore integrity on `as="fetch"` preloads
    // (and say so in the console), so the loader fetches it itself.
    let style = assets.link("paydesk-widget.css");
    html! {
        @if let Some(integrity) = &module.integrity {
            link rel="modulepreload" href=(module.path) integrity=(integrity)
                crossorigin="anonymous";
        }
        @if let Some(integrity) = &style.integrity {
            link rel="preload" as="style" href=(style.path) integrity=(integrity)
                crossorigin="anonymous";
        }
    }
}

/// `crossorigin` goes with `integrity`: a versioned file is checked in CORS mode.
fn crossorigin(link: &AssetLink) -> Option<&'static str> {
    link.integrity.as_ref().map(|_| "anonymous")
}

fn script(link: &AssetLink) -> Markup {
    html! {
        script src=(link.path) integrity=[link.integrity.as_deref()]
            crossorigin=[crossorigin(link)] defer {}
    }
}

fn stylesheet(link: &AssetLink) -> Markup {
    html! {
        link rel="stylesheet" href=(link.path) integrity=[link.integrity.as_deref()]
            crossorigin=[crossorigin(link)];
    }
}

/// Sends `body` as HTML with the headers every gateway page carries: the strict
/// policy, no referrer (the URL holds the client token) and no caching (the page
/// shows a live order).
pub(super) fn html(status: StatusCode, policy: &str, body: Markup) -> Response {
    let mut response = (status, body.into_string()).into_response();
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

// The icons are constant markup, written here and nowhere else, so they go into the
// pages as they are.

const BACK_ICON: PreEscaped<&str> = PreEscaped(
    r#"<svg class="hosted-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><path d="M15 18l-6-6 6-6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>"#,
);

pub(super) const LOCK_ICON: PreEscaped<&str> = PreEscaped(
    r#"<svg class="hosted-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false"><rect x="5" y="11" width="14" height="10" rx="2" fill="none" stroke="currentColor" stroke-width="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>"#,
);

pub(super) const INFO_ICON: PreEscaped<&str> = PreEscaped(
    r#"<svg class="hosted-message-icon" viewBox="0 0 24 24" width="48" height="48" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M12 11v6M12 7.5v.5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>"#,
);

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

    async fn body_of(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a page body is in memory");
        String::from_utf8(bytes.to_vec()).expect("pages are UTF-8")
    }

    #[tokio::test]
    async fn hostile_names_return_urls_and_locales_come_out_escaped_once() {
        let page = Checkout {
            merchant: r#"<img src=x onerror=alert(1)> "Tom & Jerry's" {m}"#,
            return_url: r#"https://shop.example/?q="><script>alert(1)</script>&x='y'"#,
            client_token: r#"ct_"><b>"#,
            locale: Some(r#"en"><script>alert(2)</script>"#),
            paid: false,
            image_urls: vec![],
            text: PageText::english(),
        };
        let response = checkout(&WidgetAssets::default(), &page);
        assert_eq!(response.status(), StatusCode::OK);
        let html = body_of(response).await;

        let name = "&lt;img src=x onerror=alert(1)&gt; &quot;Tom &amp; Jerry's&quot; {m}";
        let url =
            "https://shop.example/?q=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;x='y'";
        for expected in [
            format!("<title>Pay {name} · Paydesk</title>"),
            format!(r#"<a class="hosted-back" href="{url}">"#),
            format!("<span>Back to {name}</span></a>"),
            r#"<span class="hosted-monogram" aria-hidden="true">&lt;</span>"#.to_owned(),
            format!(r#"<h1 class="hosted-title">{name}</h1>"#),
            format!("or go back to {name}.</p></noscript>"),
            format!(
                r#"<p class="hosted-continue" id="paydesk-continue" hidden><a class="hosted-button" href="{url}">Continue to {name}</a></p>"#
            ),
            r##"<script src="/assets/paydesk.js" data-client-token="ct_&quot;&gt;&lt;b&gt;" data-target="#paydesk-checkout" data-mode="hosted" data-locale="en&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" defer></script>"##.to_owned(),
        ] {
            assert!(html.contains(&expected), "{expected}\nnot in\n{html}");
        }
        // Escaped exactly once, and nothing hostile became markup: the page's only
        // scripts are its own two.
        assert!(
            !html.contains("&amp;amp;") && !html.contains("&amp;lt;"),
            "{html}"
        );
        assert!(!html.contains("&amp;quot;"), "{html}");
        assert!(!html.contains("<img") && !html.contains("<b>"), "{html}");
        assert_eq!(html.matches("<script").count(), 2, "{html}");
        assert!(
            html.starts_with(r#"<!doctype html><html lang="en">"#),
            "{html}"
        );
    }

    #[tokio::test]
    async fn message_pages_escape_their_text() {
        let text = PageText::for_locale(Some("zh-TW"));
        let hostile = Message {
            title: r#"<i>"x" & y</i>"#,
            body: "<script>alert(1)</script>",
        };
        let response = message_in(
            StatusCode::NOT_FOUND,
            &WidgetAssets::default(),
            text,
            hostile,
        );
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let html = body_of(response).await;
        assert!(html.contains(r#"<html lang="zh-TW">"#), "{html}");
        assert!(
            html.contains("<title>&lt;i&gt;&quot;x&quot; &amp; y&lt;/i&gt;</title>"),
            "{html}"
        );
        assert!(
            html.contains(
                r#"<h1 class="hosted-message-title">&lt;i&gt;&quot;x&quot; &amp; y&lt;/i&gt;</h1>"#
            ),
            "{html}"
        );
        assert!(
            html.contains(
                r#"<p class="hosted-message-body">&lt;script&gt;alert(1)&lt;/script&gt;</p>"#
            ),
            "{html}"
        );
        assert!(!html.contains("<script") && !html.contains("<i>"), "{html}");
    }
}
