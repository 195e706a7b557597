//! Pages the shopper's browser visits on the gateway itself: the hosted checkout and
//! the bank's way back.

mod bank_return;
mod checkout;
mod page;
mod text;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/pay/return/{attempt_id}", get(bank_return::handler))
        .route("/pay/{client_token}", get(checkout::handler))
}
