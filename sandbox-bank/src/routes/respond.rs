//! Response building shared by the page routes.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::Markup;
use url::Url;

use crate::html::{MessagePage, message_page};

/// An HTML page that must not be cached: pay pages carry a live session id. `Markup`
/// answers as `text/html; charset=utf-8` by itself.
pub(super) fn page(status: StatusCode, html: Markup) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], html).into_response()
}

pub(super) fn message(status: StatusCode, page_content: &MessagePage<'_>) -> Response {
    page(status, message_page(page_content))
}

/// 303 to a URL from a verified payment request. Tried as given first, so the
/// gateway gets back exactly what it sent; a URL with characters a header cannot
/// carry is sent in its normalised, percent-encoded form.
pub(super) fn see_other(url: &str) -> Response {
    let location = HeaderValue::from_str(url).ok().or_else(|| {
        Url::parse(url)
            .ok()
            .and_then(|u| HeaderValue::from_str(u.as_str()).ok())
    });
    match location {
        Some(location) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, location),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        None => {
            tracing::error!("return URL cannot be sent as a Location header");
            message(
                StatusCode::BAD_REQUEST,
                &MessagePage {
                    bank: None,
                    heading_zh: "无法返回商户",
                    heading_en: "Cannot return to the merchant",
                    message: "The merchant's return address is not usable. Your payment result has been sent to the merchant; go back to the shop to see it.",
                    link: None,
                },
            )
        }
    }
}

pub(super) async fn not_found() -> Response {
    message(
        StatusCode::NOT_FOUND,
        &MessagePage {
            bank: None,
            heading_zh: "页面不存在",
            heading_en: "Page not found",
            message: "There is nothing at this address.",
            link: Some(("/", "Sandbox bank home")),
        },
    )
}
