//! `GET /cards` and `GET /transactions`: the sandbox's books as JSON, so tests and
//! developers can see what a payment did.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use paydesk_shared::Currency;
use paydesk_shared::bank::CardKind;
use paydesk_shared::bank_protocol::PaymentOutcome;
use serde::Serialize;

use crate::cards::{CardNumber, TEST_CARDS};
use crate::ledger::Ledger;
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
    /// Available balance (debit) or remaining credit line (credit) per currency.
    balances: BTreeMap<Currency, String>,
}

#[derive(Serialize)]
struct TransactionInfo {
    id: String,
    attempt_id: String,
    order_id: String,
    bank_code: String,
    merchant_name: String,
    /// Masked: statements never show a whole card number.
    #[serde(skip_serializing_if = "Option::is_none")]
    card: Option<String>,
    amount: String,
    currency: Currency,
    outcome: PaymentOutcome,
    decided_at: i64,
}

async fn cards(State(state): State<AppState>) -> Json<Vec<CardInfo>> {
    Json(card_balances(&state.ledger).await)
}

/// Every test card with its current balance in every currency.
pub(super) async fn card_balances(ledger: &Ledger) -> Vec<CardInfo> {
    let mut out = Vec::with_capacity(TEST_CARDS.len());
    for card in TEST_CARDS {
        let Some(number) = CardNumber::parse(card.number) else {
            continue;
        };
        let mut balances = BTreeMap::new();
        for currency in Currency::ALL {
            if let Ok(balance) = ledger.balance(&number, currency).await {
                balances.insert(currency, balance.to_string());
            }
        }
        out.push(CardInfo {
            number: card.number.to_owned(),
            kind: card.kind,
            balances,
        });
    }
    out
}

impl CardInfo {
    pub(super) fn is_card(&self, number: &str) -> bool {
        self.number == number
    }

    pub(super) fn balance(&self, currency: Currency) -> Option<&str> {
        self.balances.get(&currency).map(String::as_str)
    }
}

async fn transactions(State(state): State<AppState>) -> Json<Vec<TransactionInfo>> {
    let list = state
        .ledger
        .transactions()
        .await
        .into_iter()
        .map(|t| TransactionInfo {
            id: t.id,
            attempt_id: t.attempt_id,
            order_id: t.order_id,
            bank_code: t.bank_code,
            merchant_name: t.merchant_name,
            card: t.card.as_ref().map(CardNumber::masked),
            amount: t.amount.to_string(),
            currency: t.amount.currency(),
            outcome: t.outcome,
            decided_at: t.decided_at,
        })
        .collect();
    Json(list)
}
