//! A page that explains something and offers at most one way on: rejected payment
//! requests, lost sessions, payments already decided.

use maud::{Markup, html};
use paydesk_shared::bank::Bank;

use super::{bank_header, document, sandbox_header};
use crate::directory::css_class;

pub(crate) struct MessagePage<'a> {
    /// The bank the shopper was at, when it is known and trustworthy.
    pub(crate) bank: Option<&'a Bank>,
    pub(crate) heading_zh: &'a str,
    pub(crate) heading_en: &'a str,
    /// Plain text.
    pub(crate) message: &'a str,
    /// A link back, only ever to a URL from a verified request.
    pub(crate) link: Option<(&'a str, &'a str)>,
}

pub(crate) fn message_page(page: &MessagePage<'_>) -> Markup {
    let header = page.bank.map_or_else(sandbox_header, bank_header);
    let main = html! {
        section class="panel message" aria-labelledby="message-title" {
            h1 id="message-title" class="message-title" {
                span lang="zh-CN" { (page.heading_zh) } " " span lang="en" { (page.heading_en) }
            }
            p class="message-text" data-testid="bank-message" { (page.message) }
            @if let Some((href, label)) = page.link {
                p { a class="button button-primary" href=(href) { (label) } }
            }
        }
    };
    let body_class = page.bank.map_or_else(
        || "page-message".to_owned(),
        |bank| format!("page-message {}", css_class(bank)),
    );
    document(page.heading_en, &body_class, header, main)
}
