//! A merchant's money as the merchant API shows it (Stripe's shapes): `GET
//! /v1/balance` and `GET /v1/balance_transactions`. Amounts are decimal strings in
//! major units of their currency (`"12.34"`), negative where money left the balance.

use serde::{Deserialize, Serialize};

use crate::Currency;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceAmount {
    pub currency: Currency,
    #[cfg_attr(feature = "openapi", schema(example = "25.00"))]
    pub amount: String,
}

/// `GET /v1/balance`: per currency, what is settled and ready to pay out
/// (`available`) and what is not settled yet (`pending`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceResponse {
    pub object: String,
    pub available: Vec<BalanceAmount>,
    pub pending: Vec<BalanceAmount>,
}

/// One movement of the balance. `net` = `amount` − `fee`, always.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceTransactionResponse {
    pub id: String,
    pub object: String,
    /// `payment`, `refund`, `refund_failure`, `payout`, `payout_failure` or
    /// `adjustment`.
    #[serde(rename = "type")]
    pub kind: String,
    #[cfg_attr(feature = "openapi", schema(example = "25.00"))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceTransactionList {
    pub data: Vec<BalanceTransactionResponse>,
    pub has_more: bool,
}

/// Reconciled balance transactions of one merchant and currency made available
/// together by a settlement run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettlementResponse {
    pub id: String,
    pub object: String,
    pub currency: Currency,
    /// Sum of the settled balance transactions' `net` (may be negative).
    pub net: String,
    /// How many balance transactions it settled (`GET
    /// /v1/balance_transactions?settlement=<id>` lists them).
    pub count: u32,
    /// The settlement run's day, `YYYY-MM-DD` (UTC).
    pub run_date: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettlementList {
    pub data: Vec<SettlementResponse>,
    pub has_more: bool,
}

/// Where a payout goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayoutDestination {
    pub bank: String,
    pub account_number: String,
}

/// Money sent from the available balance to the merchant's settlement account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayoutResponse {
    pub id: String,
    pub object: String,
    #[cfg_attr(feature = "openapi", schema(example = "25.00"))]
    pub amount: String,
    pub currency: Currency,
    /// `pending`, `in_transit`, `paid` or `failed`.
    pub status: String,
    /// Made by a settlement run (`true`) or asked for with `POST /v1/payouts`.
    pub automatic: bool,
    pub destination: PayoutDestination,
    /// The bank's id for the credit, once paid: the merchant's statement shows it.
    pub bank_transfer_id: Option<String>,
    pub failure_reason: Option<String>,
    pub created_at: String,
    pub decided_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayoutList {
    pub data: Vec<PayoutResponse>,
    pub has_more: bool,
}

/// `POST /v1/payouts`: pays out `amount` (at most the available balance) in
/// `currency` to the settlement account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreatePayoutRequest {
    #[cfg_attr(feature = "openapi", schema(example = "25.00"))]
    pub amount: String,
    pub currency: String,
}

/// `POST /v1/test_helpers/payouts` (test keys only): a payout as `POST /v1/payouts`
/// makes, whose bank answer is chosen by `outcome`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TestPayoutRequest {
    #[cfg_attr(feature = "openapi", schema(example = "25.00"))]
    pub amount: String,
    pub currency: String,
    #[serde(default)]
    pub outcome: TestPayoutOutcome,
}

/// What the sandbox bank does with a test payout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TestPayoutOutcome {
    /// Sent to your settlement account: `paid`, with `payout.paid`.
    #[default]
    Paid,
    /// Sent to a closed account at your settlement account's bank, which refuses it
    /// (`account_closed`): `failed`, with `payout.failed`; the money returns to your
    /// available balance.
    Failed,
}
