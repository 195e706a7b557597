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
use crate::domain::ids::{PayoutId, SettlementId};
use crate::domain::payout::{Payout, PayoutOutcome};
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::extract::PathParam;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::list_query::ListQuery;
use crate::http::request::JsonBody;
use crate::http::wire::{self, major};
use crate::state::AppState;

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

pub(super) async fn create(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    idempotency: Idempotency,
    body: JsonBody,
) -> Result<Answer, ApiError> {
    let request: CreatePayoutRequest = body.parse()?;
    let currency: Currency = request.currency.parse().map_err(|_| {
        ApiError::unprocessable(
            ErrorCode::CurrencyUnknown,
            format!(
                "currency: {:?} is not a currency Paydesk takes",
                request.currency
            ),
        )
    })?;
    let amount = super::refunds::parse_amount(&request.amount, currency)?;
    let Some(destination) = merchant.settlement_account.clone() else {
        return Err(ApiError::unprocessable(
            ErrorCode::PayoutUnavailable,
            "the account has no settlement account to pay out to",
        ));
    };
    let payout = Payout::new(
        &merchant.id,
        amount,
        destination,
        false,
        state.clock.now_ms(),
    );
    let answer = Answer::json(StatusCode::CREATED, &wire::payout_response(&payout));
    match request_payout(&state, &payout, idempotency.record(&answer)).await? {
        PayoutOutcome::Created => Ok(answer),
        PayoutOutcome::Insufficient { available } => Err(ApiError::unprocessable(
            ErrorCode::BalanceInsufficient,
            format!(
                "the available balance is {} {currency}: a payout can be at most that",
                major(available, currency)
            ),
        )),
    }
}
