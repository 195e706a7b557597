//! `GET /cards` and `GET /transactions`: the sandbox's books as JSON, so tests and
//! developers can see what a payment did.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use paydesk_shared::Currency;
use paydesk_shared::bank::CardKind;
use paydesk_shared::bank_protocol::{DeclineReason, PaymentOutcome};
use serde::Serialize;

use crate::cards::{CardNumber, TEST_CARDS};
use crate::ledger::{Ledger, LedgerError, Transaction, TransactionKind};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/cards", get(cards))
        .route("/transactions", get(transactions))
}

#[derive(Serialize)]
pub(super) struct CardInfo {
    number: String,
    kind: CardKind,
    /// Three wrong payment passwords in a row locked it.
    locked: bool,
    /// Available balance (debit) or remaining credit line (credit) per currency.
    balances: BTreeMap<Currency, String>,
}

#[derive(Serialize)]
struct TransactionInfo {
    id: String,
    kind: &'static str,
    attempt_id: String,
    merchant_id: String,
    order_id: String,
    bank_code: String,
    merchant_name: String,
    /// Masked: statements never show a whole card number.
    #[serde(skip_serializing_if = "Option::is_none")]
    card: Option<String>,
    amount: String,
    currency: Currency,
    /// Payments and declines: what the gateway was told.
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<PaymentOutcome>,
    /// Refunds: the gateway's refund id.
    #[serde(skip_serializing_if = "Option::is_none")]
    refund_id: Option<String>,
    at: i64,
}

async fn cards(State(state): State<AppState>) -> Response {
    match card_balances(&state.ledger).await {
        Ok(cards) => Json(cards).into_response(),
        Err(error) => books_unavailable(&error),
    }
}

/// Every test card with its current balance in every currency.
pub(super) async fn card_balances(ledger: &Ledger) -> Result<Vec<CardInfo>, LedgerError> {
    let mut out = Vec::with_capacity(TEST_CARDS.len());
    for card in TEST_CARDS {
        let Some(number) = CardNumber::parse(card.number) else {
            continue;
        };
        let mut balances = BTreeMap::new();
        for currency in Currency::ALL {
            balances.insert(
                currency,
                ledger.balance(&number, currency).await?.to_string(),
            );
        }
        out.push(CardInfo {
            number: card.number.to_owned(),
            kind: card.kind,
            locked: ledger.card_locked(&number).await?,
            balances,
        });
    }
    Ok(out)
}

impl CardInfo {
    pub(super) fn is_card(&self, number: &str) -> bool {
        self.number == number
    }

    pub(super) fn balance(&self, currency: Currency) -> Option<&str> {
        self.balances.get(&currency).map(String::as_str)
    }
}

async fn transactions(State(state): State<AppState>) -> Response {
    match state.ledger.transactions().await {
        Ok(list) => Json(list.into_iter().map(info).collect::<Vec<_>>()).into_response(),
        Err(error) => books_unavailable(&error),
    }
}

fn info(t: Transaction) -> TransactionInfo {
    let (kind, outcome, refund_id) = match t.kind {
        TransactionKind::Payment => ("payment", Some(PaymentOutcome::Succeeded), None),
        TransactionKind::Decline(reason) => ("decline", Some(failed(reason)), None),
        TransactionKind::Refund { refund_id } => ("refund", None, Some(refund_id)),
    };
    TransactionInfo {
        id: t.id,
        kind,
        attempt_id: t.attempt_id,
        merchant_id: t.merchant_id,
        order_id: t.order_id,
        bank_code: t.bank_code,
        merchant_name: t.merchant_name,
        card: t.card.as_ref().map(CardNumber::masked),
        amount: t.amount.to_string(),
        currency: t.amount.currency(),
        outcome,
        refund_id,
        at: t.at,
    }
}

fn failed(reason: DeclineReason) -> PaymentOutcome {
    PaymentOutcome::Failed { reason }
}

fn books_unavailable(error: &LedgerError) -> Response {
    tracing::error!(%error, "cannot read the books");
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}
