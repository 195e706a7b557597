//! Error pages: a friendly title, what happened, and a way back.

use axum::http::StatusCode;
use axum::response::Response;

use super::layout::page;
use crate::html::esc;

pub(crate) fn render(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        r#"<section class="card narrow error" aria-labelledby="error-title">
<p class="eyebrow">Error {code}</p>
<h1 id="error-title">{title}</h1>
<p>{message}</p>
<p class="actions"><a class="button" href="/">Back to the shop</a></p>
</section>"#,
        code = status.as_u16(),
        title = esc(title),
        message = esc(message),
    );
    page(status, title, &body)
}
