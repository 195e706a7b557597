//! `GET /`: the sandbox's front page.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use paydesk_shared::Currency;

use super::books::card_balances;
use super::respond::page;
use crate::cards::TEST_CARDS;
use crate::html::{CardRow, index_page};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/", get(index))
}

async fn index(State(state): State<AppState>) -> Response {
    // The page still lists cards and banks when the books cannot be read.
    let balances = card_balances(&state.ledger).await.unwrap_or_else(|error| {
        tracing::error!(%error, "cannot read card balances");
        Vec::new()
    });
    let rows: Vec<CardRow> = TEST_CARDS
        .into_iter()
        .map(|card| CardRow {
            card,
            balance: balances
                .iter()
                .find(|b| b.is_card(card.number))
                .and_then(|b| b.balance(Currency::Cny))
                .map(|b| format!("CNY {b}")),
        })
        .collect();
    page(
        StatusCode::OK,
        index_page(state.directory.banks(), &rows, &state.public_url),
    )
}
