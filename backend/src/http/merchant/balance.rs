//! A merchant's money: `GET /v1/balance` (available and pending per currency, derived
//! from the ledger's entries) and `GET /v1/balance_transactions` (newest first, cursor
//! pages, filters by `type`, `settlement` and `payout`; `?format=csv` or `Accept:
//! text/csv` for a CSV export of every matching line).

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paydesk_shared::Currency;
use paydesk_shared::balance_api::{
    BalanceAmount, BalanceResponse, BalanceTransactionList, BalanceTransactionResponse,
};

use crate::domain::balance::{BalanceFilter, BalanceKind, BalanceTransaction};
use crate::domain::ids::{BalanceTransactionId, PayoutId, SettlementId};
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::list_query::{ListQuery, invalid};
use crate::http::wire::{self, major};
use crate::state::AppState;

/// Lines per page of the CSV export, read until the list ends.
const EXPORT_PAGE: u32 = 1000;
const CSV_HEADER: &str =
    "id,type,amount,fee,net,currency,source,status,available_on,settlement,payout,created_at";

/// Your balance per currency: `available` can be paid out, `pending` settles later.
#[utoipa::path(get, path = "/v1/balance", tag = "Balance", operation_id = "get_balance",
    security(("merchant_key" = [])),
    responses((status = 200, description = "Your balance.", body = BalanceResponse)))]
pub(super) async fn balance(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
) -> Result<Json<BalanceResponse>, ApiError> {
    let balances = state.store.balances(&merchant.id).await?;
    let amount = |currency: Currency, minor: i64| BalanceAmount {
        currency,
        amount: major(minor, currency),
    };
    Ok(Json(BalanceResponse {
        object: "balance".into(),
        available: balances
            .iter()
            .map(|b| amount(b.currency, b.available))
            .collect(),
        pending: balances
            .iter()
            .map(|b| amount(b.currency, b.pending))
            .collect(),
    }))
}

/// Every movement of your balance, newest first: payments (less fees), refunds,
/// payouts and their reversals. As CSV (every line, for your books) with
/// `format=csv` or `Accept: text/csv`.
#[utoipa::path(get, path = "/v1/balance_transactions", tag = "Balance", operation_id = "list_balance_transactions",
    security(("merchant_key" = [])),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page, 20 if not given."),
        ("starting_after" = Option<String>, Query, description = "The last id of the previous page."),
        ("type" = Option<String>, Query, description = "Only this kind: `payment`, `refund`, `refund_failure`, `payout`, `payout_failure` or `adjustment`."),
        ("settlement" = Option<String>, Query, description = "Only the transactions of this settlement."),
        ("payout" = Option<String>, Query, description = "Only the transactions paid out in this payout."),
        ("format" = Option<String>, Query, description = "`json` (the default) or `csv`."),
    ),
    responses(
        (status = 200, description = "A page of transactions, or every one as CSV.", content(
            (BalanceTransactionList = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "`query_invalid`: an unknown or repeated parameter, or a value out of range."),
    ))]
pub(super) async fn transactions(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = ListQuery::parse(
        raw.as_deref(),
        &[
            "limit",
            "starting_after",
            "type",
            "settlement",
            "payout",
            "format",
        ],
    )?;
    let kind = match query.get("type") {
        None => None,
        Some(t) => Some(BalanceKind::parse(t).ok_or_else(|| {
            let known: Vec<&str> = BalanceKind::ALL.iter().map(|k| k.as_str()).collect();
            invalid(format!("type: one of {}", known.join(", ")))
        })?),
    };
    let csv = match query.get("format") {
        None => wants_csv(&headers),
        Some("csv") => true,
        Some("json") => false,
        Some(_) => return Err(invalid("format: csv or json".into())),
    };
    let mut filter = BalanceFilter {
        kind,
        settlement_id: query.get("settlement").map(SettlementId::from),
        payout_id: query.get("payout").map(PayoutId::from),
        starting_after: query.get("starting_after").map(BalanceTransactionId::from),
        limit: query.limit()?,
    };
    if csv {
        filter.limit = EXPORT_PAGE;
        let mut out = String::from(CSV_HEADER);
        out.push('\n');
        loop {
            let page = state
                .store
                .balance_transactions(&merchant.id, &filter)
                .await?;
            for line in &page {
                out.push_str(&csv_line(&response(line)));
                out.push('\n');
            }
            match page.last() {
                Some(last) if page.len() == EXPORT_PAGE as usize => {
                    filter.starting_after = Some(last.id.clone());
                }
                _ => break,
            }
        }
        return Ok((
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"balance_transactions.csv\"",
                ),
            ],
            out,
        )
            .into_response());
    }
    let limit = filter.limit as usize;
    filter.limit = filter.limit.saturating_add(1);
    let mut lines = state
        .store
        .balance_transactions(&merchant.id, &filter)
        .await?;
    let has_more = lines.len() > limit;
    lines.truncate(limit);
    Ok(Json(BalanceTransactionList {
        data: lines.iter().map(response).collect(),
        has_more,
    })
    .into_response())
}

fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().starts_with("text/csv")))
}

fn response(b: &BalanceTransaction) -> BalanceTransactionResponse {
    BalanceTransactionResponse {
        id: b.id.to_string(),
        object: "balance_transaction".into(),
        kind: b.kind.as_str().into(),
        amount: major(b.amount, b.currency),
        fee: major(b.fee, b.currency),
        net: major(b.net, b.currency),
        currency: b.currency,
        source: b.source.clone(),
        status: b.status.as_str().into(),
        available_on: b.available_on.map(wire::timestamp),
        settlement: b.settlement_id.as_ref().map(ToString::to_string),
        payout: b.payout_id.as_ref().map(ToString::to_string),
        created_at: wire::timestamp(b.created_at),
    }
}

fn csv_line(r: &BalanceTransactionResponse) -> String {
    [
        r.id.as_str(),
        &r.kind,
        &r.amount,
        &r.fee,
        &r.net,
        r.currency.code(),
        &r.source,
        &r.status,
        r.available_on.as_deref().unwrap_or(""),
        r.settlement.as_deref().unwrap_or(""),
        r.payout.as_deref().unwrap_or(""),
        &r.created_at,
    ]
    .map(csv_field)
    .join(",")
}

/// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}
