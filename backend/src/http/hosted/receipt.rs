//! `GET /receipts/{receipt_token}`: the shopper's receipt for a paid order, a page to
//! keep or print. The token is the whole credential (see `domain::ids`): anyone with
//! the link sees the receipt, so it shows only what a paper receipt would, and an
//! unknown, malformed or wrong token, or an order not paid, all get the same 404 page.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paydesk_shared::OrderStatus;

use super::receipt_page::{self, Receipt};
use super::receipt_text::ReceiptText;
use crate::domain::ids;
use crate::domain::order::Order;
use crate::domain::refund::Refund;
use crate::http::extract::PathParam;
use crate::state::AppState;
use crate::store::StoreError;

/// The receipt's stylesheet, compiled in: the page needs nothing from the widget build.
const STYLESHEET: &str = include_str!("receipt.css");

/// The shopper's receipt of a paid order (an order's `receipt_url`), with its refunds.
#[utoipa::path(get, path = "/receipts/{receipt_token}", tag = "Hosted pages", operation_id = "hosted_receipt",
    params(
        ("receipt_token" = String, Path, description = "The receipt's token (`rcpt_…`)."),
        ("lang" = Option<String>, Query, description = "`en`, `zh-CN` or `zh-TW`; the browser's `Accept-Language` if not given."),
    ),
    responses(
        (status = 200, description = "The receipt.", content_type = "text/html"),
        (status = 404, description = "No such receipt: a page saying so.", content_type = "text/html"),
        (status = 503, description = "The gateway cannot read the receipt now: a page saying so.", content_type = "text/html"),
    ))]
pub(super) async fn handler(
    State(state): State<AppState>,
    PathParam(token): PathParam<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let text = language(query.as_deref(), &headers);
    match find(&state, &token).await {
        Ok(Some(found)) => {
            let attempt = found
                .order
                .paid_attempt_id
                .as_ref()
                .and_then(|id| found.order.attempt(id));
            let Some(attempt) = attempt else {
                // A paid order always names its attempt; one that does not has no
                // receipt to show.
                return not_found(text);
            };
            receipt_page::receipt(&Receipt {
                merchant: &found.merchant,
                order: &found.order,
                attempt,
                bank: state.banks.iter().find(|b| b.code == attempt.bank_code),
                card_last4: found.card_last4.as_deref(),
                refunds: &found.refunds,
                returned: &found.returned,
                text,
            })
        }
        Ok(None) => not_found(text),
        Err(e) => {
            tracing::error!(error = %e, "could not read order for a receipt");
            receipt_page::message(StatusCode::SERVICE_UNAVAILABLE, text, text.try_again)
        }
    }
}

/// `GET /receipts/receipt.css`. Briefly cached: its URL does not change with its bytes.
/// The receipt page's stylesheet.
#[utoipa::path(get, path = "/receipts/receipt.css", tag = "Hosted pages", operation_id = "hosted_receipt_stylesheet",
    responses((status = 200, description = "The stylesheet.", content_type = "text/css")))]
pub(super) async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        STYLESHEET,
    )
        .into_response()
}

fn not_found(text: &ReceiptText) -> Response {
    receipt_page::message(StatusCode::NOT_FOUND, text, text.not_found)
}

/// `?lang=` if the pages speak it, else the browser's `Accept-Language`, else English.
/// A `lang` the pages do not speak is ignored rather than refused: the page works
/// without it.
fn language(query: Option<&str>, headers: &HeaderMap) -> &'static ReceiptText {
    let asked = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| ReceiptText::for_tag(&v))
    });
    asked.unwrap_or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(ReceiptText::english(), ReceiptText::for_accept_language)
    })
}

/// What a receipt is made of, read for one token.
struct Found {
    order: Order,
    merchant: String,
    card_last4: Option<String>,
    /// The paid attempt's refunds, oldest first.
    refunds: Vec<Refund>,
    /// Refunds of the order's other payments (second payments given back).
    returned: Vec<Refund>,
}

/// The paid order the token belongs to, or `None` for a token that is malformed,
/// unknown or wrong, or an order not paid.
async fn find(state: &AppState, token: &str) -> Result<Option<Found>, StoreError> {
    let Some(order_id) = ids::order_of_receipt_token(token) else {
        return Ok(None);
    };
    let Some(order) = state.store.order_by_id(&order_id).await? else {
        return Ok(None);
    };
    let expected = ids::receipt_token(&order.id, &order.client_token);
    if !ids::tokens_match(&expected, token) || order.status != OrderStatus::Paid {
        return Ok(None);
    }
    let Some(paid_attempt) = order.paid_attempt_id.clone() else {
        return Ok(None);
    };
    let Some(merchant) = state.store.merchant(&order.merchant_id).await? else {
        return Ok(None);
    };
    let card_last4 = state.store.attempt_card_last4(&paid_attempt).await?;
    // Refunds of another attempt (a second payment given back) are not this
    // payment's: the receipt lists them apart.
    let (refunds, returned) = state
        .store
        .refunds_for_order(&order.id)
        .await?
        .into_iter()
        .partition(|r| r.attempt_id == paid_attempt);
    Ok(Some(Found {
        order,
        merchant: merchant.name,
        card_last4,
        refunds,
        returned,
    }))
}
