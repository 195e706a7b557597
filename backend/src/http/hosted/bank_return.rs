//! `/pay/return/{attempt_id}`: where a bank sends the shopper back.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paydesk_shared::api::WidgetMode;

use super::page;
use super::text::PageText;
use crate::domain::ids::AttemptId;
use crate::http::extract::PathParam;
use crate::http::wire;
use crate::state::AppState;

/// Only shows the way home: a browser arriving here proves nothing, so it never
/// changes the order. A shopper who paid from the hosted checkout goes back to it;
/// one who paid from the merchant's page goes to the order's return URL.
/// Where the bank sends the shopper back after a hosted checkout: on to the order's
/// hosted page, which shows the outcome.
#[utoipa::path(get, path = "/pay/return/{attempt_id}", tag = "Hosted pages", operation_id = "hosted_bank_return",
    params(("attempt_id" = String, Path, description = "The payment attempt the shopper comes back from.")),
    responses(
        (status = 303, description = "On to the order's hosted checkout page.", headers(("Location" = String))),
        (status = 404, description = "No such attempt: a page saying so.", content_type = "text/html"),
        (status = 503, description = "The gateway cannot read the order now: a page saying so.", content_type = "text/html"),
    ))]
pub(super) async fn handler(
    State(state): State<AppState>,
    PathParam(attempt_id): PathParam<AttemptId>,
) -> Response {
    let order = match state.store.order_by_attempt(&attempt_id).await {
        Ok(Some(order)) => order,
        Ok(None) => {
            return page::message(
                StatusCode::NOT_FOUND,
                &state.widget,
                PageText::english().payment_not_found,
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "could not read attempt for bank return");
            return page::message(
                StatusCode::SERVICE_UNAVAILABLE,
                &state.widget,
                PageText::english().try_again,
            );
        }
    };
    let mode = order
        .attempts
        .iter()
        .find(|a| a.id == attempt_id)
        .map_or(WidgetMode::Embedded, |a| a.mode);
    let target = match mode {
        WidgetMode::Hosted => wire::hosted_url(&state.public_url, &order.client_token),
        WidgetMode::Embedded => order.return_url,
    };
    // Return URLs hold no control characters (checked when the order was created);
    // one that is no header value anyway gets a page instead of a broken redirect.
    match HeaderValue::try_from(target) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => page::message(
            StatusCode::NOT_FOUND,
            &state.widget,
            PageText::english().payment_not_found,
        ),
    }
}
