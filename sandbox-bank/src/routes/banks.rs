//! `GET /banks`: the directory as JSON, with card kinds and single-payment limits.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use paydesk_shared::Currency;
use paydesk_shared::bank::{Bank, CardKind};
use serde::Serialize;

use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/banks", get(list))
}

#[derive(Serialize)]
struct BankInfo {
    code: String,
    name_zh: String,
    name_en: String,
    pinyin: String,
    colour: String,
    popular: bool,
    /// Only the card kinds the bank takes in at least one currency.
    card_kinds: Vec<CardKindInfo>,
}

#[derive(Serialize)]
struct CardKindInfo {
    kind: CardKind,
    /// Single-payment limit per accepted currency, as decimal strings at the
    /// currency's scale.
    limits: BTreeMap<Currency, String>,
}

async fn list(State(state): State<AppState>) -> Json<Vec<BankInfo>> {
    Json(state.directory.banks().iter().map(bank_info).collect())
}

fn bank_info(bank: &Bank) -> BankInfo {
    let card_kinds = CardKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let limits: BTreeMap<Currency, String> = Currency::ALL
                .into_iter()
                .filter_map(|c| bank.limit(kind, c).map(|limit| (c, limit.to_string())))
                .collect();
            (!limits.is_empty()).then_some(CardKindInfo { kind, limits })
        })
        .collect();
    BankInfo {
        code: bank.code.clone(),
        name_zh: bank.name_zh.clone(),
        name_en: bank.name_en.clone(),
        pinyin: bank.pinyin.clone(),
        colour: bank.colour.clone(),
        popular: bank.popular,
        card_kinds,
    }
}
