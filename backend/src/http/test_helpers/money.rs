//! Test helpers for the money after the payment: `…/orders/{id}/settle` settles an
//! order's money now instead of at the next settlement run, and `…/payouts` makes a
//! payout whose bank answer is chosen.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use paydesk_shared::balance_api::{
    PayoutResponse, SettlementResponse, TestPayoutOutcome, TestPayoutRequest,
};
use paydesk_shared::sandbox_accounts;
use paydesk_shared::{ErrorCode, OrderStatus};

use crate::books;
use crate::domain::ids::OrderId;
use crate::http::auth::TestMerchant;
use crate::http::error::ApiError;
use crate::http::extract::PathParam;
use crate::http::merchant::payouts::{new_payout, place};
use crate::http::request::JsonBody;
use crate::http::wire;
use crate::state::AppState;

/// Settles a test order's money now, as the next settlement run would: the sandbox
/// bank's settlement files of today and yesterday are reconciled for your account, and
/// the order's payment and refunds that they show become available together as one
/// settlement, with `settlement.created`. Only the timing is a test's: fees, refunds
/// and what the bank's file does not show are treated as in the daily run.
#[utoipa::path(post, path = "/v1/test_helpers/orders/{id}/settle", tag = "Test helpers", operation_id = "test_settle_order",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The order's id.")),
    responses(
        (status = 201, description = "The settlement.", body = SettlementResponse),
        (status = 403, description = "`test_mode_only`: a live key; test helpers take test keys only."),
        (status = 404, description = "`not_found`: you have no order with this id."),
        (status = 409, description = "`order_not_settleable`: nothing of the order waits to be settled: it is not paid, or it is settled already."),
        (status = 502, description = "`bank_unavailable`: a bank's settlement file could not be read; nothing was settled."),
    ))]
pub(super) async fn settle(
    State(state): State<AppState>,
    TestMerchant(merchant): TestMerchant,
    PathParam(id): PathParam<OrderId>,
) -> Result<(StatusCode, Json<SettlementResponse>), ApiError> {
    let order = state
        .store
        .order(&merchant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    let settled = books::settle_order(&state, &order).await?;
    if let Some(settlement) = settled.settlements.first() {
        return Ok((
            StatusCode::CREATED,
            Json(wire::settlement_response(settlement)),
        ));
    }
    if let Some((connector, _, error)) = settled.unavailable.first() {
        return Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            ErrorCode::BankUnavailable,
            format!("the settlement file of {connector} could not be read: {error}"),
        ));
    }
    let why = match order.status {
        OrderStatus::Paid => "its money is settled already".to_owned(),
        status => format!("it is {}; pay it first", status.as_str()),
    };
    Err(ApiError::conflict(
        ErrorCode::OrderNotSettleable,
        format!("order {id} has nothing waiting to be settled: {why}"),
    ))
}

/// Pays out part of your available balance as `POST /v1/payouts` does, with the bank's
/// answer chosen: `paid` sends it to your settlement account; `failed` to a closed
/// account at the same sandbox bank, which refuses it, and the money returns to your
/// available balance. `payout.paid` or `payout.failed` follows once the bank answered.
#[utoipa::path(post, path = "/v1/test_helpers/payouts", tag = "Test helpers", operation_id = "test_create_payout",
    security(("merchant_key" = [])),
    request_body(content = TestPayoutRequest, example = json!({"amount": "25.00", "currency": "CNY", "outcome": "failed"})),
    responses(
        (status = 201, description = "The payout, `pending`.", body = PayoutResponse),
        (status = 403, description = "`test_mode_only`: a live key; test helpers take test keys only."),
        (status = 422, description = "`currency_unknown`: not a currency Paydesk takes. `amount_invalid`: not a positive amount with at most the currency's minor units. `payout_unavailable`: the account has no settlement account. `balance_insufficient`: the available balance is smaller."),
    ))]
pub(super) async fn payout(
    State(state): State<AppState>,
    TestMerchant(merchant): TestMerchant,
    body: JsonBody,
) -> Result<(StatusCode, Json<PayoutResponse>), ApiError> {
    let request: TestPayoutRequest = body.parse()?;
    let mut payout = new_payout(&state, &merchant, &request.amount, &request.currency)?;
    if request.outcome == TestPayoutOutcome::Failed {
        let account = &mut payout.destination.account_number;
        *account = sandbox_accounts::closed_twin(account);
    }
    place(&state, &payout, None).await?;
    Ok((StatusCode::CREATED, Json(wire::payout_response(&payout))))
}
