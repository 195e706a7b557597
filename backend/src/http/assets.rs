//! `/assets/…`: the built widget. A versioned path (`/assets/<version>/…`) never
//! changes its bytes, so browsers and CDNs keep it for a year; the evergreen loader
//! (`/assets/paydesk.js`) is what merchant pages name, so it is cached only briefly
//! and a new build reaches shoppers within minutes. Everything may be fetched from any
//! origin: the widget runs on merchants' pages, and Subresource Integrity on a
//! cross-origin file needs CORS.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::widget_assets::{LOADER, is_version};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const EVERGREEN_LOADER: &str = "public, max-age=300";
const REVALIDATE: &str = "no-cache";

pub(super) fn router(widget_dir: &Path) -> Router {
    Router::new()
        // The build writes `<file>.br` next to each versioned file; browsers that take
        // brotli get it, byte for byte what the size budget measures.
        .fallback_service(ServeDir::new(widget_dir).precompressed_br())
        .layer(middleware::from_fn(cache_control))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
}

/// How long a response for this path (relative to `/assets`) may be reused.
fn cache_policy(path: &str) -> &'static str {
    let path = path.trim_start_matches('/');
    match path.split_once('/') {
        Some((version, rest)) if is_version(version) && !rest.is_empty() => IMMUTABLE,
        None if path == LOADER => EVERGREEN_LOADER,
        // Trunk's unversioned output and the manifest: always revalidate.
        _ => REVALIDATE,
    }
}

async fn cache_control(request: Request, next: Next) -> Response {
    let policy = cache_policy(request.uri().path());
    let mut response = next.run(request).await;
    // A miss must not be remembered for a year: the file may be deployed next.
    let policy = if response.status().is_success() || response.status().is_redirection() {
        policy
    } else {
        REVALIDATE
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    // The same URL answers brotli or plain bytes: caches must keep them apart.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_paths_are_immutable_and_the_loader_is_short_lived() {
        assert_eq!(cache_policy("/0123456789abcdef/paydesk.js"), IMMUTABLE);
        assert_eq!(
            cache_policy("/0123456789abcdef/paydesk-widget_bg.wasm"),
            IMMUTABLE
        );
        assert_eq!(cache_policy("/paydesk.js"), EVERGREEN_LOADER);
        assert_eq!(cache_policy("/paydesk-widget.js"), REVALIDATE);
        assert_eq!(cache_policy("/manifest.json"), REVALIDATE);
        assert_eq!(cache_policy("/0123456789abcdef/"), REVALIDATE);
        assert_eq!(cache_policy("/not-a-version/paydesk.js"), REVALIDATE);
    }
}
