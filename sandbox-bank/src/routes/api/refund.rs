//! `POST /api/v1/refunds`: a signed RefundRequest in, a signed RefundAnswer out.
//! Executed at most once per refund id; asking again answers the first answer.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paydesk_shared::Money;
use paydesk_shared::bank_protocol::{RefundOutcome, RefundRequest};

use super::error::ApiError;
use super::{require_text, signed};
use crate::clock::now_unix;
use crate::ledger::RefundOrder;
use crate::state::AppState;

/// The refund's free-text reason is kept short and printable.
const MAX_REASON_LEN: usize = 200;

pub(super) async fn refund(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let state = &state;
    let request: RefundRequest = signed::read(state, &headers, body).await?;
    let order = order(request)?;
    let answer = state.ledger.refund(&order, now_unix()).await?;
    match &answer.outcome {
        RefundOutcome::Succeeded { bank_refund_id } => tracing::info!(
            refund_id = %answer.refund_id,
            %bank_refund_id,
            "refund executed"
        ),
        RefundOutcome::Failed { reason } => tracing::info!(
            refund_id = %answer.refund_id,
            reason = reason.as_str(),
            "refund refused"
        ),
    }
    Ok(signed::json(state, &answer))
}

fn order(request: RefundRequest) -> Result<RefundOrder, ApiError> {
    require_text("refund_id", &request.refund_id)?;
    require_text("attempt_id", &request.attempt_id)?;
    require_text("bank_code", &request.bank_code)?;
    require_text("bank_transaction_id", &request.bank_transaction_id)?;
    if request.reason.len() > MAX_REASON_LEN || request.reason.chars().any(char::is_control) {
        return Err(ApiError::invalid_field(
            "reason",
            "must be at most 200 characters without control characters",
        ));
    }
    let amount = Money::parse(&request.amount, request.currency).map_err(|error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "amount_invalid",
            format!("`amount` is not valid: {error}"),
        )
    })?;
    if amount.is_zero() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "amount_invalid",
            "`amount` must be greater than zero",
        ));
    }
    Ok(RefundOrder {
        refund_id: request.refund_id,
        attempt_id: request.attempt_id,
        bank_code: request.bank_code,
        payment_id: request.bank_transaction_id,
        amount,
    })
}
