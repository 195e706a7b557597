//! `GET /pay/{client_token}`: the hosted checkout, for merchants who send the shopper
//! to the gateway instead of embedding the widget. The token in the path is the same
//! credential the widget API takes, checked the same way.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use paydesk_shared::OrderStatus;

use super::page::{self, Checkout};
use super::text::{PageText, is_language_tag};
use crate::domain::ids;
use crate::domain::order::Order;
use crate::http::extract::PathParam;
use crate::state::AppState;

/// The hosted checkout page for one order (an order's `hosted_url`), for merchants who
/// redirect the shopper instead of embedding the widget.
#[utoipa::path(get, path = "/pay/{client_token}", tag = "Hosted pages", operation_id = "hosted_checkout",
    params(
        ("client_token" = String, Path, description = "The order's client token."),
        ("locale" = Option<String>, Query, description = "`en`, `zh-CN` or `zh-TW`; the browser's `Accept-Language` if not given."),
    ),
    responses(
        (status = 200, description = "The checkout page.", content_type = "text/html"),
        (status = 404, description = "No such order: a page saying so.", content_type = "text/html"),
        (status = 503, description = "The gateway cannot read the order now: a page saying so.", content_type = "text/html"),
    ))]
pub(super) async fn handler(
    State(state): State<AppState>,
    PathParam(client_token): PathParam<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    // Anything but a language tag is ignored rather than refused: the page works
    // without it.
    let locale = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "locale")
            .map(|(_, v)| v.into_owned())
            .filter(|l| is_language_tag(l))
    });
    let text = match &locale {
        Some(tag) => PageText::for_locale(Some(tag)),
        None => headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(PageText::english(), PageText::for_accept_language),
    };
    let (order, merchant) = match find(&state, &client_token).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return page::message_in(
                StatusCode::NOT_FOUND,
                &state.widget,
                text,
                text.checkout_not_found,
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "could not read order for the hosted checkout");
            return page::message_in(
                StatusCode::SERVICE_UNAVAILABLE,
                &state.widget,
                text,
                text.try_again,
            );
        }
    };
    // Paid, failed, expired or cancelled orders still get the page: the widget shows
    // where the order stands.
    let paid = order.status_at(state.clock.now_ms()) == OrderStatus::Paid;
    page::checkout(
        &state.widget,
        &Checkout {
            merchant: &merchant,
            return_url: &order.return_url,
            client_token: &order.client_token,
            locale: locale.as_deref(),
            paid,
            image_urls: order
                .items
                .iter()
                .filter_map(|i| i.image_url.as_deref())
                .collect(),
            text,
        },
    )
}

/// The order the token authorises and its merchant's name, or `None` for a token that
/// is malformed, unknown or wrong.
async fn find(
    state: &AppState,
    token: &str,
) -> Result<Option<(Order, String)>, crate::store::StoreError> {
    let Some(order_id) = ids::order_of_client_token(token) else {
        return Ok(None);
    };
    let Some(order) = state.store.order_by_id(&order_id).await? else {
        return Ok(None);
    };
    if !ids::tokens_match(&order.client_token, token) {
        return Ok(None);
    }
    let Some(merchant) = state.store.merchant(&order.merchant_id).await? else {
        return Ok(None);
    };
    Ok(Some((order, merchant.name)))
}
