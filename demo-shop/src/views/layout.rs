//! The frame every page shares: head, header, footer.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

pub(crate) const SHOP_NAME: &str = "Paydesk Tea House";

/// A complete page. Pages are never cached: checkout pages carry a client token and
/// order pages change when a webhook arrives.
pub(crate) fn page(status: StatusCode, title: &str, body: Markup) -> Response {
    let html = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (SHOP_NAME) }
                link rel="icon" href="/static/logo.svg" type="image/svg+xml";
                link rel="stylesheet" href="/static/shop.css";
            }
            body {
                header class="site-header" {
                    div class="wrap header-row" {
                        a class="brand" href="/" {
                            img src="/static/logo.svg" alt="" width="36" height="36";
                            span { (SHOP_NAME) }
                        }
                        nav class="site-nav" aria-label="Shop" {
                            a href="/" { "Shop" }
                            a href="/theme" { "Theme the checkout" }
                        }
                        span class="sandbox-badge" title="Payments go to the Paydesk sandbox bank" { "Sandbox" }
                    }
                }
                main class="wrap" { (body) }
                footer class="site-footer" {
                    div class="wrap" {
                        p { (SHOP_NAME) " is a demo merchant for Paydesk. Payments go to the sandbox bank; no real money moves." }
                    }
                }
            }
        }
    };
    // `Markup` answers as `text/html; charset=utf-8` by itself.
    (status, [(header::CACHE_CONTROL, "no-store")], html).into_response()
}
