//! `POST /pay/cancel`: the shopper gives up; the gateway hears `cancelled_by_shopper`.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::response::Response;
use serde::Deserialize;

use super::{bad_form, finish, not_finished, session_not_found};
use crate::clock::now_unix;
use crate::ledger::SessionId;
use crate::payment;
use crate::state::AppState;

#[derive(Deserialize)]
pub(super) struct CancelForm {
    session: String,
}

pub(super) async fn cancel(
    State(state): State<AppState>,
    form: Result<Form<CancelForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return bad_form();
    };
    let Some(id) = SessionId::parse(&form.session) else {
        return session_not_found();
    };
    match payment::cancel(&state.ledger, &state.notifier, &id, now_unix()).await {
        Ok(finished) => finish(&state, finished),
        Err(problem) => not_finished(&state, &problem),
    }
}
