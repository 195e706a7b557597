//! `POST /api/v1/payments/query`: a signed StatusQuery in, a signed QueryAnswer out.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use paydesk_shared::bank_protocol::StatusQuery;

use super::error::ApiError;
use super::{require_text, signed};
use crate::clock::now_unix;
use crate::state::AppState;
use crate::status_query;

pub(super) async fn query(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let state = &state;
    let query: StatusQuery = signed::read(state, &headers, body).await?;
    require_text("attempt_id", &query.attempt_id)?;
    require_text("order_id", &query.order_id)?;
    require_text("bank_code", &query.bank_code)?;
    let answered = status_query::answer(
        &state.ledger,
        &state.notifier,
        &state.faults,
        &query,
        now_unix(),
    )
    .await?;
    state.notifier.dispatch(answered.deliveries);
    Ok(signed::json(state, &answered.answer))
}
