//! `POST /v1/operator/settlement_runs` (optional `{"date": "YYYY-MM-DD"}`, default the
//! gateway's current day) runs reconciliation, settlement and the automatic payouts
//! now; `GET /v1/operator/reconciliation/{date}` reports that day's reconciliation;
//! `POST /v1/operator/alerts/{id}/resolve` closes an alert with a reason.

use axum::Json;
use axum::extract::State;
use paydesk_shared::ErrorCode;
use paydesk_shared::balance_api::{PayoutResponse, SettlementResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::books::{self, RunDate};
use crate::domain::ids::AlertId;
use crate::domain::reconciliation::{Counts, kind_str};
use crate::http::auth::Operator;
use crate::http::error::ApiError;
use crate::http::extract::{PathParam, RawBody};
use crate::http::request::JsonBody;
use crate::http::wire;
use crate::state::AppState;

const MAX_REASON_LEN: usize = 500;

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RunRequest {
    date: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct CountsBody {
    total: u64,
    matched: u64,
    /// Percent of lines matched, two decimals (`"100.00"` on a clean day).
    match_rate: String,
    /// Lines per class (`matched`, `missing_at_bank`, `amount_mismatch`, …).
    #[schema(value_type = Object)]
    by_class: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct RunResponse {
    date: String,
    reconciliation: CountsBody,
    alerts_raised: u32,
    /// Alerts raised for money a hand-off account still holds past its expected time.
    overdue_alerts: u32,
    /// Files that could not be read: the run reconciled without them.
    unavailable_files: Vec<String>,
    settlements: Vec<SettlementResponse>,
    payouts: Vec<PayoutResponse>,
}

fn counts_body(c: &Counts) -> CountsBody {
    CountsBody {
        total: c.total,
        matched: c.matched,
        match_rate: c.match_rate().to_string(),
        by_class: c
            .by_class
            .iter()
            .map(|(class, n)| (class.as_str().to_owned(), (*n).into()))
            .collect(),
    }
}

fn run_date(text: Option<&str>, now: i64) -> Result<RunDate, ApiError> {
    match text {
        None => Ok(RunDate::of(now)),
        Some(text) => RunDate::parse(text).ok_or_else(|| {
            ApiError::unprocessable(
                ErrorCode::InvalidField,
                "date: a calendar day written YYYY-MM-DD (UTC)",
            )
        }),
    }
}

/// Runs a day's settlement: reconciles the banks' settlement files, settles each
/// merchant's captured payments and starts automatic payouts. The body may be left
/// out (today, UTC).
#[utoipa::path(post, path = "/v1/operator/settlement_runs", tag = "Operator", operation_id = "run_settlement",
    security(("operator_key" = [])),
    request_body(content = Option<RunRequest>, example = json!({"date": "2026-12-06"})),
    responses(
        (status = 200, description = "What the run did.", body = RunResponse),
        (status = 422, description = "`invalid_field`: `date` is not a calendar day written YYYY-MM-DD."),
    ))]
pub(super) async fn run(
    _: Operator,
    State(state): State<AppState>,
    RawBody(body): RawBody,
) -> Result<Json<RunResponse>, ApiError> {
    // The body is optional: none runs the current day.
    let request: RunRequest = if body.is_empty() {
        RunRequest::default()
    } else {
        ApiError::parse_json(&body)?
    };
    let date = run_date(request.date.as_deref(), state.clock.now_ms())?;
    let summary = books::run(&state, &date).await?;
    Ok(Json(RunResponse {
        date: summary.run_date,
        reconciliation: counts_body(&summary.reconciliation.counts()),
        alerts_raised: summary.reconciliation.alerts,
        overdue_alerts: summary.overdue_alerts,
        unavailable_files: summary
            .reconciliation
            .unavailable
            .iter()
            .map(|(connector, merchant, error)| format!("{connector} / {merchant}: {error}"))
            .collect(),
        settlements: summary
            .settlements
            .iter()
            .map(wire::settlement_response)
            .collect(),
        payouts: summary.payouts.iter().map(wire::payout_response).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub(super) struct ReportResponse {
    date: String,
    counts: CountsBody,
    lines: Vec<ReportLineBody>,
}

#[derive(Serialize, ToSchema)]
struct ReportLineBody {
    connector: String,
    merchant: String,
    class: &'static str,
    kind: &'static str,
    /// The attempt's id for a payment, the refund's for a refund.
    key: String,
    order_id: Option<String>,
    bank_transaction_id: Option<String>,
    bank_amount: Option<String>,
    bank_currency: Option<String>,
    gateway_amount: Option<String>,
    gateway_currency: Option<String>,
    detail: String,
}

/// A day's reconciliation: every line of the banks' files against the gateway's books.
#[utoipa::path(get, path = "/v1/operator/reconciliation/{date}", tag = "Operator", operation_id = "get_reconciliation",
    security(("operator_key" = [])),
    params(("date" = String, Path, description = "The day, YYYY-MM-DD (UTC).", example = "2026-12-06")),
    responses(
        (status = 200, description = "The day's reconciliation.", body = ReportResponse),
        (status = 422, description = "`invalid_field`: not a calendar day written YYYY-MM-DD."),
    ))]
pub(super) async fn report(
    _: Operator,
    State(state): State<AppState>,
    PathParam(date): PathParam<String>,
) -> Result<Json<ReportResponse>, ApiError> {
    let date = run_date(Some(&date), 0)?;
    let lines = state.store.reconciliation_report(date.as_str()).await?;
    let counts = Counts::of(lines.iter().map(|l| &l.class));
    Ok(Json(ReportResponse {
        date: date.as_str().to_owned(),
        counts: counts_body(&counts),
        lines: lines
            .into_iter()
            .map(|l| ReportLineBody {
                connector: l.connector,
                merchant: l.merchant_id.to_string(),
                class: l.class.as_str(),
                kind: kind_str(l.kind),
                key: l.key,
                order_id: l.order_id.map(String::from),
                bank_transaction_id: l.bank_transaction_id,
                bank_amount: l.bank_amount,
                bank_currency: l.bank_currency,
                gateway_amount: l.gateway_amount.map(|m| m.to_string()),
                gateway_currency: l.gateway_amount.map(|m| m.currency().code().to_owned()),
                detail: l.detail,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ResolveRequest {
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct Resolved {
    id: String,
    resolved: bool,
    reason: String,
}

/// Closes an open alert with the reason it is closed.
#[utoipa::path(post, path = "/v1/operator/alerts/{id}/resolve", tag = "Operator", operation_id = "resolve_alert",
    security(("operator_key" = [])),
    params(("id" = String, Path, description = "The alert's id.")),
    request_body(content = ResolveRequest, example = json!({"reason": "refunded by hand"})),
    responses(
        (status = 200, description = "The alert is closed.", body = Resolved),
        (status = 404, description = "`not_found`: no open alert with this id."),
        (status = 422, description = "`invalid_field`: `reason` must be 1 to 500 characters."),
    ))]
pub(super) async fn resolve_alert(
    _: Operator,
    State(state): State<AppState>,
    PathParam(id): PathParam<AlertId>,
    body: JsonBody,
) -> Result<Json<Resolved>, ApiError> {
    let request: ResolveRequest = body.parse()?;
    let reason = request.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_LEN {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidField,
            format!("reason: 1 to {MAX_REASON_LEN} characters saying why the alert is closed"),
        ));
    }
    let now = state.clock.now_ms();
    if !state.store.resolve_alert(&id, reason, now).await? {
        return Err(ApiError::not_found("open alert"));
    }
    tracing::info!(alert = %id, reason, "alert resolved");
    Ok(Json(Resolved {
        id: id.to_string(),
        resolved: true,
        reason: reason.to_owned(),
    }))
}
