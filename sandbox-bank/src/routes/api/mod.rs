//! The bank's API for the gateway (`/api/v1/…`). Posted requests (status query,
//! refund, transfer) are verified with the gateway's keys and each signature nonce is accepted
//! once; every answer (those three, bank status, settlement file) is signed over its
//! body with the bank's key in the same header.

mod bank_status;
mod error;
mod query;
mod refund;
mod settlement;
mod signed;
mod transfer;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use paydesk_shared::bank_protocol::{
    BANK_STATUS_PATH, QUERY_PATH, REFUND_PATH, SETTLEMENT_PATH, TRANSFER_PATH,
};

use crate::payment_request::text_ok;
use crate::state::AppState;

pub(crate) use error::ApiError;

/// Far more than any protocol message needs.
const MAX_BODY_BYTES: usize = 16 * 1024;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(QUERY_PATH, post(query::query))
        .route(REFUND_PATH, post(refund::refund))
        .route(TRANSFER_PATH, post(transfer::transfer))
        .route(BANK_STATUS_PATH, get(bank_status::bank_status))
        .route(
            &format!("{SETTLEMENT_PATH}/{{merchant_id}}/{{date}}"),
            get(settlement::settlement),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Ids and codes: not blank, at most 200 bytes, no control characters.
fn require_text(field: &str, value: &str) -> Result<(), ApiError> {
    if text_ok(value) {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            field,
            "must be 1 to 200 characters without control characters",
        ))
    }
}
