//! `GET /static/…`: the stylesheet, the theming page's script, the web font and the
//! pictures, compiled into the binary so the shop runs from any working directory.

use std::sync::Arc;

use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::PageError;
use crate::startup::AppState;

const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";
const JS: &str = "text/javascript; charset=utf-8";
const WOFF2: &str = "font/woff2";
const TEXT: &str = "text/plain; charset=utf-8";

/// (path under /static/, content type, bytes)
const FILES: [(&str, &str, &[u8]); 10] = [
    ("shop.css", CSS, include_bytes!("../../static/shop.css")),
    ("theme.js", JS, include_bytes!("../../static/theme.js")),
    (
        "fonts/tea-house-serif.woff2",
        WOFF2,
        include_bytes!("../../static/fonts/tea-house-serif.woff2"),
    ),
    (
        "fonts/tea-house-serif-bold.woff2",
        WOFF2,
        include_bytes!("../../static/fonts/tea-house-serif-bold.woff2"),
    ),
    (
        "fonts/LICENSE-DejaVu.txt",
        TEXT,
        include_bytes!("../../static/fonts/LICENSE-DejaVu.txt"),
    ),
    ("logo.svg", SVG, include_bytes!("../../static/logo.svg")),
    (
        "products/longjing.svg",
        SVG,
        include_bytes!("../../static/products/longjing.svg"),
    ),
    (
        "products/jasmine-pearls.svg",
        SVG,
        include_bytes!("../../static/products/jasmine-pearls.svg"),
    ),
    (
        "products/celadon-cup.svg",
        SVG,
        include_bytes!("../../static/products/celadon-cup.svg"),
    ),
    (
        "products/bamboo-tray.svg",
        SVG,
        include_bytes!("../../static/products/bamboo-tray.svg"),
    ),
];

pub(super) fn router() -> Router<Arc<AppState>> {
    Router::new().route("/static/{*path}", get(serve))
}

async fn serve(Path(path): Path<String>) -> Result<Response, PageError> {
    let (_, content_type, bytes) = FILES
        .iter()
        .find(|(name, _, _)| *name == path)
        .ok_or(PageError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, *content_type),
            // Short enough that a redeployed stylesheet shows up within the hour.
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *bytes,
    )
        .into_response())
}
