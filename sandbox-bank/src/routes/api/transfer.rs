//! `POST /api/v1/transfers`: a signed TransferRequest in, a signed TransferAnswer out.
//! Executed at most once per payout id; the same request again answers the first
//! answer, another request under the same payout id is `409 payout_id_reused`.
//!
//! Blank, overlong or control-character ids, names, references and account numbers
//! are `400 invalid_field`, and a bad amount `400 amount_invalid`: the gateway
//! sent something no bank would take. A well-formed request to an unknown bank, an
//! account number that is not 6 to 19 digits or a closed account is answered with a
//! signed refusal (see `crate::merchant_accounts`), final like a completed transfer.
//!
//! Under the `lose_transfer_answers` fault (see `crate::faults`) the first asks for
//! a payout are executed like any other and then answered `503 unavailable`, as if
//! the answer had been lost in the network; a later ask gets the first answer.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paydesk_shared::Money;
use paydesk_shared::bank_protocol::{TransferOutcome, TransferRequest};

use super::error::ApiError;
use super::{require_text, signed};
use crate::clock::now_unix;
use crate::ledger::{TransferOrder, Transferred};
use crate::merchant_accounts::destination;
use crate::state::AppState;

pub(super) async fn transfer(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let state = &state;
    let request: TransferRequest = signed::read(state, &headers, body).await?;
    let order = order(state, request)?;
    let answer = match state.ledger.transfer(&order, now_unix()).await? {
        Transferred::Answer(answer) => answer,
        Transferred::Reused => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "payout_id_reused",
                "this payout id was used before for a different transfer",
            ));
        }
    };
    match &answer.outcome {
        TransferOutcome::Completed { bank_transfer_id } => tracing::info!(
            payout_id = %answer.payout_id,
            %bank_transfer_id,
            "transfer credited"
        ),
        TransferOutcome::Refused { reason } => tracing::info!(
            payout_id = %answer.payout_id,
            reason = reason.as_str(),
            "transfer refused"
        ),
    }
    if state.faults.lose_transfer_answer(&answer.payout_id) {
        tracing::info!(
            payout_id = %answer.payout_id,
            "transfer answer lost on purpose (lose_transfer_answers fault)"
        );
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the bank did not answer; try again",
        ));
    }
    Ok(signed::json(state, &answer))
}

fn order(state: &AppState, request: TransferRequest) -> Result<TransferOrder, ApiError> {
    require_text("payout_id", &request.payout_id)?;
    require_text("bank_code", &request.bank_code)?;
    require_text("account_number", &request.account_number)?;
    require_text("account_name", &request.account_name)?;
    require_text("reference", &request.reference)?;
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
    let account = destination(
        &state.directory,
        &request.bank_code,
        &request.account_number,
    );
    // Compared with any later request for this payout id: "10.0" and "10.00" are the
    // same transfer.
    let checked = TransferRequest {
        amount: amount.to_string(),
        ..request
    };
    let fingerprint = serde_json::to_string(&checked).map_err(|error| {
        tracing::error!(%error, "cannot encode a transfer request");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the bank could not process the request; try again",
        )
    })?;
    Ok(TransferOrder {
        payout_id: checked.payout_id,
        request: fingerprint,
        bank_code: checked.bank_code,
        account,
        account_name: checked.account_name,
        amount,
        reference: checked.reference,
    })
}
