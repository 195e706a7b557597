//! The card holder's site: `GET /account` asks for card number and payment password,
//! `POST /account` shows the card's balances and its payments, declines and refunds.
//!
//! Wrong passwords here are refused (401) but not counted towards the card's lock:
//! the lock is the payment page's, and this page must not become a way to lock a
//! card someone else is paying with.

use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use paydesk_shared::{Currency, Money};
use serde::Deserialize;

use super::respond::page;
use crate::cards::CardNumber;
use crate::clock::now_unix;
use crate::html::{Statement, account_login_page, statement_page};
use crate::ledger::{Ledger, LedgerError, Transaction};
use crate::state::AppState;

/// Longest card number echoed back into the form after a mistake.
const MAX_ECHOED_CARD_LEN: usize = 32;

const NOT_RECOGNISED: &str =
    "The card number or payment password is not right. Check both and try again.";

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/account", get(sign_in).post(show))
}

#[derive(Deserialize)]
struct SignIn {
    #[serde(default)]
    card_number: String,
    #[serde(default)]
    password: String,
}

async fn sign_in() -> Response {
    page(StatusCode::OK, account_login_page(None, ""))
}

async fn show(
    State(state): State<AppState>,
    form: Result<Form<SignIn>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return page(
            StatusCode::BAD_REQUEST,
            account_login_page(Some("The form arrived incomplete. Try again."), ""),
        );
    };
    let echoed: String = form.card_number.chars().take(MAX_ECHOED_CARD_LEN).collect();
    let card = CardNumber::parse(&form.card_number)
        .and_then(|card| card.test_card().map(|test_card| (card, test_card)));
    // Unknown card and wrong password read the same, so the page does not confirm
    // which card numbers exist.
    let Some((card, test_card)) = card.filter(|(_, test_card)| {
        crate::payment::constant_time_eq(form.password.as_bytes(), test_card.password.as_bytes())
    }) else {
        return page(
            StatusCode::UNAUTHORIZED,
            account_login_page(Some(NOT_RECOGNISED), &echoed),
        );
    };
    match CardBooks::read(&state.ledger, &card).await {
        Ok(books) => page(
            StatusCode::OK,
            statement_page(&Statement {
                card: &card,
                test_card,
                locked: books.locked,
                expired: crate::cards::is_expired(&test_card, now_unix()),
                balances: &books.balances,
                transactions: &books.transactions,
            }),
        ),
        Err(error) => {
            tracing::error!(%error, "cannot read a card's statement");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                account_login_page(
                    Some("The bank cannot show accounts right now. Try again in a minute."),
                    &echoed,
                ),
            )
        }
    }
}

/// What the books say about one card.
struct CardBooks {
    balances: Vec<Money>,
    locked: bool,
    transactions: Vec<Transaction>,
}

impl CardBooks {
    async fn read(ledger: &Ledger, card: &CardNumber) -> Result<Self, LedgerError> {
        let mut balances = Vec::with_capacity(Currency::ALL.len());
        for currency in Currency::ALL {
            balances.push(ledger.balance(card, currency).await?);
        }
        Ok(CardBooks {
            balances,
            locked: ledger.card_locked(card).await?,
            transactions: ledger.card_transactions(card).await?,
        })
    }
}
