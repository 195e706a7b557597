//! The HTTP surface, one module per feature.

mod accounts;
mod api;
mod assets;
mod banks;
mod books;
mod health;
mod index;
mod merchant_accounts;
mod pay;
mod respond;
mod sandbox;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

pub(crate) use assets::banks_css;

/// Pages may load only this origin's stylesheets and images: no scripts at all, no
/// inline styles, never framed. `form-action` is left out on purpose: browsers apply
/// it to the redirects that follow a form post, and the pay form's answer redirects
/// to the gateway and from there to the merchant.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(index::router())
        .merge(banks::router())
        .merge(books::router())
        .merge(accounts::router())
        .merge(merchant_accounts::router())
        .merge(assets::router())
        .merge(pay::router())
        .merge(api::router())
        .merge(sandbox::router())
        .fallback(respond::not_found)
        .with_state(state)
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        // The pay URL carries the signed request; no page should pass it on.
        .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
        .layer(
            // Spans name the path only: query strings carry signed requests.
            TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                )
            }),
        )
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}
