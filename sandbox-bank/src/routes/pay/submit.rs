//! `POST /pay`: the shopper submits card number and payment password.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{bad_form, finish, not_finished, session_not_found};
use crate::clock::now_unix;
use crate::html::{PayPage, pay_page};
use crate::ledger::SessionId;
use crate::payment::{self, NotFinished};
use crate::routes::respond::page;
use crate::state::AppState;

/// Longest card number echoed back into the form after a mistake.
const MAX_ECHOED_CARD_LEN: usize = 32;

#[derive(Deserialize)]
pub(super) struct PayForm {
    session: String,
    #[serde(default)]
    card_number: String,
    #[serde(default)]
    password: String,
}

pub(super) async fn submit(
    State(state): State<AppState>,
    form: Result<Form<PayForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return bad_form();
    };
    let Some(id) = SessionId::parse(&form.session) else {
        return session_not_found();
    };
    match payment::submit(
        &state.ledger,
        &state.notifier,
        &state.faults,
        &id,
        &form.card_number,
        &form.password,
        now_unix(),
    )
    .await
    {
        Ok(finished) => finish(&state, finished),
        Err(NotFinished::Retry { session, problem }) => {
            let Some(bank) = state.directory.get(&session.request.bank_code) else {
                return session_not_found();
            };
            let card_number: String = form.card_number.chars().take(MAX_ECHOED_CARD_LEN).collect();
            page(
                StatusCode::OK,
                pay_page(&PayPage {
                    bank,
                    session: &session,
                    problem: Some(problem),
                    card_number: &card_number,
                }),
            )
        }
        Err(other) => not_finished(&state, &other),
    }
}
