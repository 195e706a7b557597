//! A merchant's money as the merchant API shows it (Stripe's shapes): `GET
//! /v1/balance` and `GET /v1/balance_transactions`. Amounts are decimal strings in
//! major units of their currency (`"12.34"`), negative where money left the balance.

use serde::{Deserialize, Serialize};

use crate::Currency;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceAmount {
    pub currency: Currency,
    pub amount: String,
}

/// `GET /v1/balance`: per currency, what is settled and ready to pay out
/// (`available`) and what is not settled yet (`pending`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceResponse {
    pub object: String,
    pub available: Vec<BalanceAmount>,
    pub pending: Vec<BalanceAmount>,
}

/// One movement of the balance. `net` = `amount` − `fee`, always.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceTransactionResponse {
    pub id: String,
    pub object: String,
    /// `payment`, `refund`, `refund_failure`, `payout`, `payout_failure` or
    /// `adjustment`.
    #[serde(rename = "type")]
    pub kind: String,
    pub amount: String,
    pub fee: String,
    pub net: String,
    pub currency: Currency,
    /// The order, refund or payout it comes from.
    pub source: String,
    /// `pending` until a settlement makes it `available`.
    pub status: String,
    pub available_on: Option<String>,
    pub settlement: Option<String>,
    pub payout: Option<String>,
    pub created_at: String,
}

/// `GET /v1/balance_transactions`, newest first; `starting_after` the last `id` for
/// the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceTransactionList {
    pub data: Vec<BalanceTransactionResponse>,
    pub has_more: bool,
}
