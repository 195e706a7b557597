//! Merchant accounts, where payouts land (see `crate::merchant_accounts`):
//! `GET /merchant_accounts/{account_number}` answers the account as JSON;
//! `GET /merchant_account?account_number=…` shows it as a page, so a merchant can
//! check a payout against its own bank (without the number: the look-up form).
//!
//! An account number that is not 6 to 19 digits is `400`; one no transfer ever
//! reached is `404`. An account number may be held at several banks: the answer
//! covers every one, each balance and transfer naming its bank.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use paydesk_shared::Currency;
use serde::{Deserialize, Serialize};

use super::api::ApiError;
use super::respond::page;
use crate::html::{merchant_account_page, merchant_lookup_page};
use crate::ledger::{Credit, MerchantAccount};
use crate::merchant_accounts::AccountNumber;
use crate::state::AppState;

/// Longest account number echoed back into the form after a mistake.
const MAX_ECHOED_LEN: usize = 32;

const MALFORMED: &str = "An account number is 6 to 19 digits, without spaces.";
const UNKNOWN: &str = "No transfer has reached an account with this number.";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/merchant_accounts/{account_number}", get(json))
        .route("/merchant_account", get(html))
}

#[derive(Serialize)]
struct AccountInfo {
    account_number: String,
    /// The banks holding an account with this number.
    bank_codes: Vec<String>,
    /// Per bank and currency credited; decimal strings at the currency's scale.
    balances: Vec<BalanceInfo>,
    /// Newest first.
    transfers: Vec<TransferInfo>,
}

#[derive(Serialize)]
struct BalanceInfo {
    bank_code: String,
    currency: Currency,
    amount: String,
}

#[derive(Serialize)]
struct TransferInfo {
    bank_transfer_id: String,
    payout_id: String,
    bank_code: String,
    amount: String,
    currency: Currency,
    reference: String,
    at: i64,
}

async fn json(
    State(state): State<AppState>,
    number: Result<Path<String>, PathRejection>,
) -> Response {
    let Some(number) = number
        .ok()
        .and_then(|Path(number)| AccountNumber::parse(&number))
    else {
        return ApiError::invalid_field("account_number", "must be 6 to 19 digits").into_response();
    };
    match state.ledger.merchant_account(&number).await {
        Ok(Some(account)) => Json(info(&number, account)).into_response(),
        Ok(None) => ApiError::new(StatusCode::NOT_FOUND, "not_found", UNKNOWN).into_response(),
        Err(error) => ApiError::internal(&error).into_response(),
    }
}

fn info(number: &AccountNumber, account: MerchantAccount) -> AccountInfo {
    AccountInfo {
        account_number: number.as_str().to_owned(),
        bank_codes: account.banks.into_iter().map(|b| b.bank_code).collect(),
        balances: account
            .balances
            .iter()
            .map(|b| BalanceInfo {
                bank_code: b.bank_code.clone(),
                currency: b.currency,
                amount: b.amount(),
            })
            .collect(),
        transfers: account.credits.into_iter().map(transfer_info).collect(),
    }
}

fn transfer_info(credit: Credit) -> TransferInfo {
    TransferInfo {
        bank_transfer_id: credit.bank_transfer_id,
        payout_id: credit.payout_id,
        bank_code: credit.bank_code,
        amount: credit.amount.to_string(),
        currency: credit.amount.currency(),
        reference: credit.reference,
        at: credit.at,
    }
}

#[derive(Deserialize)]
struct Lookup {
    #[serde(default)]
    account_number: String,
}

async fn html(
    State(state): State<AppState>,
    lookup: Result<Query<Lookup>, QueryRejection>,
) -> Response {
    let Ok(Query(lookup)) = lookup else {
        return page(
            StatusCode::BAD_REQUEST,
            merchant_lookup_page(Some(MALFORMED), ""),
        );
    };
    let typed = lookup.account_number.trim();
    if typed.is_empty() {
        return page(StatusCode::OK, merchant_lookup_page(None, ""));
    }
    let echoed: String = typed.chars().take(MAX_ECHOED_LEN).collect();
    let Some(number) = AccountNumber::parse(typed) else {
        return page(
            StatusCode::BAD_REQUEST,
            merchant_lookup_page(Some(MALFORMED), &echoed),
        );
    };
    match state.ledger.merchant_account(&number).await {
        Ok(Some(account)) => page(
            StatusCode::OK,
            merchant_account_page(&state.directory, &number, &account),
        ),
        Ok(None) => page(
            StatusCode::NOT_FOUND,
            merchant_lookup_page(Some(UNKNOWN), &echoed),
        ),
        Err(error) => {
            tracing::error!(%error, "cannot read a merchant account");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                merchant_lookup_page(
                    Some("The bank cannot show accounts right now. Try again in a minute."),
                    &echoed,
                ),
            )
        }
    }
}
