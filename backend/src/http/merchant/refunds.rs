//! Refunds the merchant asks for: `POST /v1/orders/{id}/refunds` (all that is left, or
//! part), `GET /v1/orders/{id}/refunds`, `GET /v1/refunds/{id}`. The refunder then
//! executes each at the bank that took the payment and reports `refund.succeeded` or
//! `refund.failed`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use paydesk_shared::api::{CreateRefundRequest, RefundList, RefundResponse};
use paydesk_shared::{ErrorCode, Money, OrderStatus};

use crate::domain::ids::{OrderId, RefundId};
use crate::domain::order::Order;
use crate::domain::postings;
use crate::domain::refund::{NewRefund, RefundOutcome, RefundStatus};
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::extract::PathParam;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::request::JsonBody;
use crate::http::wire;
use crate::state::AppState;
use crate::store::{CreateRefund, StoreError};

/// Why a merchant gives money back; the first is the default.
const REASONS: [&str; 4] = ["requested_by_customer", "duplicate", "fraudulent", "other"];

/// Refunds all that is left of a paid order's payment, or part of it, through the
/// bank that took it. The refund starts `pending`; `refund.succeeded` or
/// `refund.failed` follows.
#[utoipa::path(post, path = "/v1/orders/{id}/refunds", tag = "Refunds", operation_id = "create_refund",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The order's id.")),
    request_body(content = CreateRefundRequest, example = json!({"amount": "10.00", "reason": "requested_by_customer"})),
    responses(
        (status = 201, description = "The refund, `pending`.", body = RefundResponse),
        (status = 404, description = "`not_found`: you have no order with this id."),
        (status = 409, description = "`order_not_refundable`: only a paid order can be refunded."),
        (status = 422, description = "`amount_invalid`: not a positive amount with at most the currency's minor units. `invalid_field`: an unknown `reason`. `refund_exceeds_payment`: the order's refunds would exceed what was paid; `message` says how much is left."),
    ))]
pub(super) async fn create(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(order_id): PathParam<OrderId>,
    idempotency: Idempotency,
    body: JsonBody,
) -> Result<Answer, ApiError> {
    let request: CreateRefundRequest = body.parse()?;
    let reason = parse_reason(request.reason.as_deref())?;
    let order = state
        .store
        .order(&merchant.id, &order_id)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    let (OrderStatus::Paid, Some(attempt_id)) = (order.status, order.paid_attempt_id.clone())
    else {
        return Err(ApiError::conflict(
            ErrorCode::OrderNotRefundable,
            format!(
                "the order is {}: only a paid order can be refunded",
                order.status.as_str()
            ),
        ));
    };
    let amount = match &request.amount {
        None => None,
        Some(text) => Some(parse_amount(text, order.currency)?),
    };
    let now = state.clock.now_ms();
    let mut refund = NewRefund {
        id: RefundId::generate(),
        order_id: order.id.clone(),
        attempt_id,
        amount: amount.unwrap_or(order.total),
        reason: reason.to_owned(),
        created_at: now,
    };
    let (mut answer, mut outcome) = try_create(&state, &order, &refund, &idempotency).await?;
    // Without an amount: everything not refunded yet.
    if let (None, RefundOutcome::Exceeds { refundable }) = (amount, &outcome)
        && refundable.minor() > 0
    {
        refund.amount = *refundable;
        (answer, outcome) = try_create(&state, &order, &refund, &idempotency).await?;
    }
    match outcome {
        RefundOutcome::Created => {
            tracing::info!(merchant = %merchant.id, order = %order.id, refund = %refund.id, amount = %refund.amount, "refund requested");
            state.bank.refunder.notify_one();
            Ok(answer)
        }
        RefundOutcome::Exceeds { refundable } => Err(ApiError::unprocessable(
            ErrorCode::RefundExceedsPayment,
            format!(
                "refunds of this order cannot exceed what was paid: {refundable} {} is left to refund",
                order.currency.code()
            ),
        )),
    }
}

/// The merchant's reason, one of [`REASONS`]; the first when none is given.
fn parse_reason(given: Option<&str>) -> Result<&'static str, ApiError> {
    let Some(given) = given else {
        return Ok(REASONS[0]);
    };
    REASONS
        .iter()
        .copied()
        .find(|known| *known == given)
        .ok_or_else(|| {
            ApiError::unprocessable(
                ErrorCode::InvalidField,
                format!("reason: one of {}", REASONS.join(", ")),
            )
        })
}

/// A positive amount in `currency`, with at most its minor units.
pub(super) fn parse_amount(
    text: &str,
    currency: paydesk_shared::Currency,
) -> Result<Money, ApiError> {
    Money::parse(text, currency)
        .ok()
        .filter(|m| m.minor() > 0)
        .ok_or_else(|| {
            ApiError::unprocessable(
                ErrorCode::AmountInvalid,
                format!(
                    "amount: a positive decimal in {} with at most its minor units, e.g. \"10.00\"",
                    currency.code()
                ),
            )
        })
}

/// Stores the refund with the answer that reports it, unless it exceeds the payment.
async fn try_create(
    state: &AppState,
    order: &Order,
    refund: &NewRefund,
    idempotency: &Idempotency,
) -> Result<(Answer, RefundOutcome), ApiError> {
    let paid = order
        .attempts
        .iter()
        .find(|a| a.id == refund.attempt_id)
        .ok_or_else(|| StoreError::Corrupt(format!("order {} lacks its paid attempt", order.id)))?;
    let answer = created_answer(refund, order.currency);
    let command = CreateRefund {
        refund: refund.clone(),
        paid: order.total,
        posting: postings::refund(order, &paid.bank_code, refund),
        answer: idempotency.record(&answer),
    };
    let outcome = state.store.create_refund(&command).await?;
    Ok((answer, outcome))
}

/// The refund as it stands once stored: pending at the bank.
fn created_answer(r: &NewRefund, currency: paydesk_shared::Currency) -> Answer {
    let response = RefundResponse {
        id: r.id.to_string(),
        order_id: r.order_id.to_string(),
        attempt_id: r.attempt_id.to_string(),
        amount: r.amount.to_string(),
        currency,
        reason: r.reason.clone(),
        status: RefundStatus::Pending.as_str().to_owned(),
        failure_reason: None,
        created_at: wire::timestamp(r.created_at),
        decided_at: None,
    };
    Answer::json(StatusCode::CREATED, &response)
}

/// An order's refunds, oldest first.
#[utoipa::path(get, path = "/v1/orders/{id}/refunds", tag = "Refunds", operation_id = "list_refunds",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The order's id.")),
    responses(
        (status = 200, description = "The order's refunds.", body = RefundList),
        (status = 404, description = "`not_found`: you have no order with this id."),
    ))]
pub(super) async fn list(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(order_id): PathParam<OrderId>,
) -> Result<Json<RefundList>, ApiError> {
    let order = state
        .store
        .order(&merchant.id, &order_id)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    let refunds = state.store.refunds_for_order(&order.id).await?;
    Ok(Json(RefundList {
        data: refunds.iter().map(wire::refund_response).collect(),
    }))
}

/// One refund.
#[utoipa::path(get, path = "/v1/refunds/{id}", tag = "Refunds", operation_id = "get_refund",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The refund's id.")),
    responses(
        (status = 200, description = "The refund.", body = RefundResponse),
        (status = 404, description = "`not_found`: you have no refund with this id."),
    ))]
pub(super) async fn get(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(refund_id): PathParam<RefundId>,
) -> Result<Json<RefundResponse>, ApiError> {
    let refund = state
        .store
        .refund(&merchant.id, &refund_id)
        .await?
        .ok_or_else(|| ApiError::not_found("refund"))?;
    Ok(Json(wire::refund_response(&refund)))
}
