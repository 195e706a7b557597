//! The stylesheets: the hand-written `bank.css` and `banks.css`, generated from the
//! directory with one class per bank carrying its colour. Colours live in CSS, not in
//! style attributes, so pages work under a CSP without `'unsafe-inline'`.

use std::fmt::Write as _;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use paydesk_shared::bank::Bank;

use crate::directory::css_class;
use crate::state::AppState;

const BANK_CSS: &str = include_str!("../../static/bank.css");

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/static/bank.css", get(bank_css))
        .route("/static/banks.css", get(banks_css_route))
}

async fn bank_css() -> Response {
    css(BANK_CSS.to_owned())
}

async fn banks_css_route(State(state): State<AppState>) -> Response {
    css(state.banks_css.to_string())
}

fn css(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

/// One rule per bank: `.bank-icbc { --bank-colour: #c7000b; --bank-on-colour: #fff; }`.
pub(crate) fn banks_css(banks: &[Bank]) -> String {
    let mut out = String::from("/* Generated from the bank directory. */\n");
    for bank in banks {
        let Some((r, g, b)) = parse_colour(&bank.colour) else {
            tracing::warn!(bank = %bank.code, "bank colour is not #rrggbb; using the default");
            continue;
        };
        let _ = writeln!(
            out,
            ".{} {{ --bank-colour: #{r:02x}{g:02x}{b:02x}; --bank-on-colour: {}; }}",
            css_class(bank),
            on_colour(r, g, b),
        );
    }
    out
}

fn parse_colour(colour: &str) -> Option<(u8, u8, u8)> {
    let hex = colour.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some((channel(0)?, channel(2)?, channel(4)?))
}

/// White text on dark colours, near-black on light ones, by perceived brightness
/// (ITU-R BT.601 weights, in integers).
fn on_colour(r: u8, g: u8, b: u8) -> &'static str {
    let brightness = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000;
    if brightness > 160 {
        "#1a1a1a"
    } else {
        "#ffffff"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_shared::bank::directory;

    #[test]
    fn one_rule_per_bank() {
        let banks = directory();
        let css = banks_css(&banks);
        assert!(css.contains(".bank-icbc { --bank-colour: #c7000b; --bank-on-colour: #ffffff; }"));
        assert_eq!(css.matches("--bank-colour").count(), banks.len());
    }

    #[test]
    fn colours_parse_strictly() {
        assert_eq!(parse_colour("#0b4ea2"), Some((0x0b, 0x4e, 0xa2)));
        assert_eq!(parse_colour("0b4ea2"), None);
        assert_eq!(parse_colour("#0b4ea"), None);
        assert_eq!(parse_colour("#0b4eag"), None);
        assert_eq!(parse_colour("#0b4ea2;}"), None);
        assert_eq!(on_colour(0xff, 0xee, 0x00), "#1a1a1a");
        assert_eq!(on_colour(0xc7, 0x00, 0x0b), "#ffffff");
    }
}
