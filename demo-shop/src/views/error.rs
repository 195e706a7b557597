//! Error pages: a friendly title, what happened, and a way back.

use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::layout::page;

pub(crate) fn render(status: StatusCode, title: &str, message: &str) -> Response {
    let body = html! {
        section class="card narrow error" aria-labelledby="error-title" {
            p class="eyebrow" { "Error " (status.as_u16()) }
            h1 id="error-title" { (title) }
            p { (message) }
            p class="actions" { a class="button" href="/" { "Back to the shop" } }
        }
    };
    page(status, title, body)
}
