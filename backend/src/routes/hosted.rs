//! Pages the shopper's browser visits on the gateway itself.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/pay/return/{attempt_id}", get(bank_return))
}

/// Where a bank sends the shopper back. Only shows the way home: a browser arriving
/// here proves nothing, so it never changes the order.
async fn bank_return(State(state): State<AppState>, Path(attempt_id): Path<String>) -> Response {
    match state.store.order_by_attempt(&attempt_id).await {
        Ok(Some(order)) => Redirect::to(&order.return_url).into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            Html("<!doctype html><title>Payment not found</title><h1>We could not find this payment.</h1><p>Please return to the shop and check your order there.</p>"),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not read attempt for bank return");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Html("<!doctype html><title>Please try again</title><h1>Please reload this page.</h1>"),
            )
                .into_response()
        }
    }
}
