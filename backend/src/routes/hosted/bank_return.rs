//! `/pay/return/{attempt_id}`: where a bank sends the shopper back.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use paydesk_shared::api::WidgetMode;

use super::page;
use super::text::PageText;
use crate::state::AppState;
use crate::wire;

/// Only shows the way home: a browser arriving here proves nothing, so it never
/// changes the order. A shopper who paid from the hosted checkout goes back to it;
/// one who paid from the merchant's page goes to the order's return URL.
pub(super) async fn handler(
    State(state): State<AppState>,
    Path(attempt_id): Path<String>,
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
    Redirect::to(&target).into_response()
}
