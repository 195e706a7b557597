//! A merchant's settlements and payouts: `GET /v1/settlements[/{id}]`, `GET
//! /v1/payouts[/{id}]`, and `POST /v1/payouts` to pay out (part of) the available
//! balance to the settlement account now.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use paydesk_shared::balance_api::{
    CreatePayoutRequest, PayoutList, PayoutResponse, SettlementList, SettlementResponse,
};
use paydesk_shared::{Currency, ErrorCode};

use crate::books::request_payout;
use crate::domain::idempotency::KeyAnswer;
use crate::domain::ids::{PayoutId, SettlementId};
use crate::domain::merchant::Merchant;
use crate::domain::payout::{Payout, PayoutOutcome};
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::extract::PathParam;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::list_query::ListQuery;
use crate::http::request::JsonBody;
use crate::http::wire::{self, major};
use crate::state::AppState;

/// Your settlements, newest first: each day's captured payments, less refunds and
/// fees, made available for payout.
#[utoipa::path(get, path = "/v1/settlements", tag = "Balance", operation_id = "list_settlements",
    security(("merchant_key" = [])),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page, 20 if not given."),
        ("starting_after" = Option<String>, Query, description = "The last id of the previous page."),
    ),
    responses(
        (status = 200, description = "A page of settlements.", body = SettlementList),
        (status = 400, description = "`query_invalid`: an unknown or repeated parameter, or a value out of range."),
    ))]
pub(super) async fn settlements(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    RawQuery(raw): RawQuery,
) -> Result<Json<SettlementList>, ApiError> {
    let query = ListQuery::parse(raw.as_deref(), &["limit", "starting_after"])?;
    let limit = query.limit()?;
    let after = query.get("starting_after").map(SettlementId::from);
    let mut list = state
        .store
        .settlements(&merchant.id, after.as_ref(), limit + 1)
        .await?;
    let has_more = list.len() > limit as usize;
    list.truncate(limit as usize);
    Ok(Json(SettlementList {
        data: list.iter().map(wire::settlement_response).collect(),
        has_more,
    }))
}

/// One settlement.
#[utoipa::path(get, path = "/v1/settlements/{id}", tag = "Balance", operation_id = "get_settlement",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The settlement's id.")),
    responses(
        (status = 200, description = "The settlement.", body = SettlementResponse),
        (status = 404, description = "`not_found`: you have no settlement with this id."),
    ))]
pub(super) async fn settlement(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<SettlementId>,
) -> Result<Json<SettlementResponse>, ApiError> {
    let s = state
        .store
        .settlement(&merchant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("settlement"))?;
    Ok(Json(wire::settlement_response(&s)))
}

/// Your payouts, newest first.
#[utoipa::path(get, path = "/v1/payouts", tag = "Balance", operation_id = "list_payouts",
    security(("merchant_key" = [])),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page, 20 if not given."),
        ("starting_after" = Option<String>, Query, description = "The last id of the previous page."),
    ),
    responses(
        (status = 200, description = "A page of payouts.", body = PayoutList),
        (status = 400, description = "`query_invalid`: an unknown or repeated parameter, or a value out of range."),
    ))]
pub(super) async fn payouts(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    RawQuery(raw): RawQuery,
) -> Result<Json<PayoutList>, ApiError> {
    let query = ListQuery::parse(raw.as_deref(), &["limit", "starting_after"])?;
    let limit = query.limit()?;
    let after = query.get("starting_after").map(PayoutId::from);
    let mut list = state
        .store
        .payouts(&merchant.id, after.as_ref(), limit + 1)
        .await?;
    let has_more = list.len() > limit as usize;
    list.truncate(limit as usize);
    Ok(Json(PayoutList {
        data: list.iter().map(wire::payout_response).collect(),
        has_more,
    }))
}

/// One payout.
#[utoipa::path(get, path = "/v1/payouts/{id}", tag = "Balance", operation_id = "get_payout",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The payout's id.")),
    responses(
        (status = 200, description = "The payout.", body = PayoutResponse),
        (status = 404, description = "`not_found`: you have no payout with this id."),
    ))]
pub(super) async fn payout(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<PayoutId>,
) -> Result<Json<PayoutResponse>, ApiError> {
    let p = state
        .store
        .payout(&merchant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("payout"))?;
    Ok(Json(wire::payout_response(&p)))
}

/// Pays out part of your available balance to your settlement account now. Sends
/// `payout.paid` or `payout.failed` when the bank has answered.
#[utoipa::path(post, path = "/v1/payouts", tag = "Balance", operation_id = "create_payout",
    security(("merchant_key" = [])),
    request_body(content = CreatePayoutRequest, example = json!({"amount": "100.00", "currency": "CNY"})),
    responses(
        (status = 201, description = "The payout, `pending`.", body = PayoutResponse),
        (status = 422, description = "`currency_unknown`: not a currency Paydesk takes. `amount_invalid`: not a positive amount with at most the currency's minor units. `payout_unavailable`: the account has no settlement account. `balance_insufficient`: the available balance is smaller."),
    ))]
pub(super) async fn create(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    idempotency: Idempotency,
    body: JsonBody,
) -> Result<Answer, ApiError> {
    let request: CreatePayoutRequest = body.parse()?;
    let payout = new_payout(&state, &merchant, &request.amount, &request.currency)?;
    let answer = Answer::json(StatusCode::CREATED, &wire::payout_response(&payout));
    place(&state, &payout, idempotency.record(&answer)).await?;
    Ok(answer)
}

/// A payout of `amount` in `currency` to the merchant's settlement account.
pub(crate) fn new_payout(
    state: &AppState,
    merchant: &Merchant,
    amount: &str,
    currency: &str,
) -> Result<Payout, ApiError> {
    let currency: Currency = currency.parse().map_err(|_| {
        ApiError::unprocessable(
            ErrorCode::CurrencyUnknown,
            format!("currency: {currency:?} is not a currency Paydesk takes"),
        )
    })?;
    let amount = super::refunds::parse_amount(amount, currency)?;
    let Some(destination) = merchant.settlement_account.clone() else {
        return Err(ApiError::unprocessable(
            ErrorCode::PayoutUnavailable,
            "the account has no settlement account to pay out to",
        ));
    };
    Ok(Payout::new(
        &merchant.id,
        amount,
        destination,
        false,
        state.clock.now_ms(),
    ))
}

/// Stores `payout` (with `answer` for its `Idempotency-Key`) if the available balance
/// covers it; the payout worker sends it.
pub(crate) async fn place(
    state: &AppState,
    payout: &Payout,
    answer: Option<KeyAnswer>,
) -> Result<(), ApiError> {
    match request_payout(state, payout, answer).await? {
        PayoutOutcome::Created => Ok(()),
        PayoutOutcome::Insufficient { available } => {
            let currency = payout.amount.currency();
            Err(ApiError::unprocessable(
                ErrorCode::BalanceInsufficient,
                format!(
                    "the available balance is {} {currency}: a payout can be at most that",
                    major(available, currency)
                ),
            ))
        }
    }
}
