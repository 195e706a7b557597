//! Pages the shopper's browser visits on the gateway itself: the hosted checkout, the
//! bank's way back, and the receipt of a paid order.

mod bank_return;
mod checkout;
mod page;
mod receipt;
mod receipt_page;
mod receipt_text;
mod text;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/pay/return/{attempt_id}", get(bank_return::handler))
        .route("/pay/{client_token}", get(checkout::handler))
        // The stylesheet's name is no receipt token (those start `rcpt_`).
        .route("/receipts/receipt.css", get(receipt::stylesheet))
        .route("/receipts/{receipt_token}", get(receipt::handler))
}
