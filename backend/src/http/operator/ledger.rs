//! `GET /v1/operator/ledger/trial_balance`: every account's balance per currency and,
//! per currency, the sum of all accounts — zero when the books balance. Balances are
//! signed: what the gateway holds (bank clearing, bank cash) is positive, what it owes
//! (merchants' balances) and earns (fees) negative.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use paydesk_shared::Currency;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::auth::Operator;
use crate::http::error::ApiError;
use crate::http::wire::major;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub(super) struct TrialBalance {
    accounts: Vec<AccountLine>,
    totals: Vec<Total>,
    balanced: bool,
}

#[derive(Serialize, ToSchema)]
struct AccountLine {
    account: String,
    currency: Currency,
    balance: String,
}

#[derive(Serialize, ToSchema)]
struct Total {
    currency: Currency,
    sum: String,
}

/// Every ledger account's balance per currency, and whether each currency sums to zero.
#[utoipa::path(get, path = "/v1/operator/ledger/trial_balance", tag = "Operator", operation_id = "get_trial_balance",
    security(("operator_key" = [])),
    responses((status = 200, description = "The trial balance.", body = TrialBalance)))]
pub(super) async fn trial_balance(
    _: Operator,
    State(state): State<AppState>,
) -> Result<Json<TrialBalance>, ApiError> {
    let balances = state.store.trial_balance().await?;
    let mut sums: BTreeMap<Currency, i64> = BTreeMap::new();
    for b in &balances {
        *sums.entry(b.currency).or_default() += b.minor;
    }
    Ok(Json(TrialBalance {
        accounts: balances
            .iter()
            .map(|b| AccountLine {
                account: b.account.to_string(),
                currency: b.currency,
                balance: major(b.minor, b.currency),
            })
            .collect(),
        balanced: sums.values().all(|&s| s == 0),
        totals: sums
            .into_iter()
            .map(|(currency, sum)| Total {
                currency,
                sum: major(sum, currency),
            })
            .collect(),
    }))
}
