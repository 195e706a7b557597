//! Test helpers for orders: `…/pay` plays the shopper at the sandbox bank, `…/expire`
//! runs the order's time out now.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use paydesk_shared::api::{
    OrderResponse, TestDecline, TestOutcome, TestPaymentRequest, WidgetMode,
};
use paydesk_shared::bank::CardKind;
use paydesk_shared::sandbox_cards::{
    CREDIT, EXPIRED_CREDIT, EXPIRED_DEBIT, POOR_CREDIT, POOR_DEBIT, RICH_DEBIT, TEST_CARDS,
    TestCard,
};
use paydesk_shared::{AttemptStatus, ErrorCode, OrderStatus};

use crate::connectors::{ConnectorError, ShopperAction};
use crate::domain::error::DomainError;
use crate::domain::ids::OrderId;
use crate::domain::order::Order;
use crate::http::auth::TestMerchant;
use crate::http::error::ApiError;
use crate::http::extract::PathParam;
use crate::http::merchant::get_order;
use crate::http::request::JsonBody;
use crate::payments::{self, PayClick};
use crate::state::AppState;
use crate::workers;

/// How long the answer waits for the bank's verdict to be applied. Past it the order is
/// answered as it stands, with `202`: the verdict is on its way.
const VERDICT_WAIT: Duration = Duration::from_secs(10);
/// How often the order is read again while waiting, besides every status change heard.
const RECHECK: Duration = Duration::from_millis(250);

/// Pays a test order as a shopper would, at the sandbox bank: the gateway starts the
/// attempt as the widget does and submits the bank's page with a test card. Answers
/// once the bank's verdict is applied. The body may be left out: a debit card at the
/// first bank that can take the order, paid.
#[utoipa::path(post, path = "/v1/test_helpers/orders/{id}/pay", tag = "Test helpers", operation_id = "test_pay_order",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The order's id.")),
    request_body(content = Option<TestPaymentRequest>, example = json!({"bank_code": "ICBC", "card_kind": "credit", "outcome": "declined", "decline_reason": "insufficient_funds"})),
    responses(
        (status = 200, description = "The order once the bank's verdict is applied (or, for `pending`, once the shopper is at the bank).", body = OrderResponse),
        (status = 202, description = "The verdict was not applied within 10 seconds: the order as it stands; the event follows.", body = OrderResponse),
        (status = 400, description = "`invalid_field`: fields that do not go together (`card_number` with `decline_reason`, say), or a card number that is not a sandbox test card."),
        (status = 403, description = "`test_mode_only`: a live key; test helpers take test keys only."),
        (status = 404, description = "`not_found`: you have no order with this id."),
        (status = 409, description = "`order_not_payable`: the order is paid, expired, cancelled, or already at a bank."),
        (status = 422, description = "`invalid_field`: the test card does not fit the order. `bank_unknown`: no bank with this code. `bank_unavailable`: no bank, or not this one, can take this order with this card kind."),
        (status = 502, description = "`bank_unavailable`: the sandbox bank did not take the payment."),
    ))]
pub(super) async fn pay(
    State(state): State<AppState>,
    TestMerchant(merchant): TestMerchant,
    PathParam(id): PathParam<OrderId>,
    body: Option<JsonBody>,
) -> Result<(StatusCode, Json<OrderResponse>), ApiError> {
    let request: TestPaymentRequest = match body {
        Some(body) => body.parse()?,
        None => ApiError::parse_json(b"{}")?,
    };
    let order = state
        .store
        .order(&merchant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    let (card_kind, action) = shopper_action(&request, &order)?;
    let bank_code = match request.bank_code {
        Some(code) => code,
        None => first_available_bank(&state, &order, card_kind)?,
    };
    // Listen before anything moves, so no change of this order is missed.
    let mut changes = state.status.subscribe();
    let click = PayClick {
        bank_code: &bank_code,
        card_kind,
        mode: WidgetMode::Embedded,
        idempotency_key: format!("test-helper-{}", uuid::Uuid::new_v4().simple()),
    };
    let started = payments::start_attempt(&state, &order, &merchant.name, click).await?;
    if let Some(action) = action {
        let connector = state
            .connectors
            .for_bank(&bank_code)
            .ok_or_else(|| DomainError::BankUnknown(bank_code.clone()))?;
        connector
            .act_as_shopper(&started.redirect_url, action)
            .await
            .map_err(bank_failed)?;
    }
    let deadline = tokio::time::Instant::now() + VERDICT_WAIT;
    loop {
        let order = get_order::read(&state, &merchant.id, &id).await?;
        let decided = order
            .attempts
            .iter()
            .any(|a| a.id == started.attempt_id && a.status != AttemptStatus::Pending);
        if action.is_none() || decided {
            return Ok((StatusCode::OK, Json(order)));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok((StatusCode::ACCEPTED, Json(order)));
        }
        // Any change heard (of any order: the status hub is shared) or a quiet
        // interval sends the loop round to read the order again.
        let _ = tokio::time::timeout_at(
            deadline.min(tokio::time::Instant::now() + RECHECK),
            changes.recv(),
        )
        .await;
    }
}

/// Expires a test order now: its expiry comes forward and the expirer's rule runs for
/// it at once (`expired`, with `order.expired`), unless a payment the bank sent in time
/// is still being applied; then it stays as it is.
#[utoipa::path(post, path = "/v1/test_helpers/orders/{id}/expire", tag = "Test helpers", operation_id = "test_expire_order",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The order's id.")),
    responses(
        (status = 200, description = "The order.", body = OrderResponse),
        (status = 403, description = "`test_mode_only`: a live key; test helpers take test keys only."),
        (status = 404, description = "`not_found`: you have no order with this id."),
        (status = 409, description = "`order_not_payable`: the order is paid or cancelled."),
    ))]
pub(super) async fn expire(
    State(state): State<AppState>,
    TestMerchant(merchant): TestMerchant,
    PathParam(id): PathParam<OrderId>,
) -> Result<Json<OrderResponse>, ApiError> {
    let mut order = state
        .store
        .order(&merchant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    if matches!(order.status, OrderStatus::Paid | OrderStatus::Cancelled) {
        return Err(ApiError::conflict(
            ErrorCode::OrderNotPayable,
            format!("the order is {} and cannot expire", order.status.as_str()),
        ));
    }
    let now = state.clock.now_ms();
    if state.store.expire_at(&order.id, now).await? {
        order.expires_at = now;
    }
    workers::expire(&state, &[order], now).await?;
    Ok(Json(get_order::read(&state, &merchant.id, &id).await?))
}

/// The card kind of the attempt, and what the shopper does at the bank's page for
/// `request` (`None` leaves it open).
fn shopper_action(
    request: &TestPaymentRequest,
    order: &Order,
) -> Result<(CardKind, Option<ShopperAction>), ApiError> {
    let invalid = |message: String| ApiError::bad_request(ErrorCode::InvalidField, message);
    if let Some(number) = &request.card_number {
        let card = TEST_CARDS
            .into_iter()
            .find(|card| card.number == number.replace(' ', ""))
            .ok_or_else(|| {
                invalid(format!(
                    "card_number: {number:?} is not a sandbox test card"
                ))
            })?;
        if request.card_kind.is_some_and(|kind| kind != card.kind) {
            return Err(invalid(format!(
                "card_kind: card {number} is a {} card",
                card.kind.as_str()
            )));
        }
        if request.decline_reason.is_some() || request.outcome == TestOutcome::Pending {
            return Err(invalid(
                "card_number: the card decides the outcome; leave out decline_reason and \
                 \"outcome\": \"pending\""
                    .into(),
            ));
        }
        return Ok((card.kind, Some(pay_with(card))));
    }
    let kind = request.card_kind.unwrap_or(CardKind::Debit);
    let decline = match (request.outcome, request.decline_reason) {
        (TestOutcome::Declined, reason) => reason.unwrap_or(TestDecline::InsufficientFunds),
        (_, Some(_)) => {
            return Err(invalid(
                "decline_reason: only with \"outcome\": \"declined\"".into(),
            ));
        }
        (TestOutcome::Pending, None) => return Ok((kind, None)),
        (TestOutcome::Paid, None) => {
            return Ok((kind, Some(pay_with(card(kind, RICH_DEBIT, CREDIT)))));
        }
    };
    let action = match decline {
        TestDecline::CancelledByShopper => ShopperAction::Cancel,
        TestDecline::CardExpired => pay_with(card(kind, EXPIRED_DEBIT, EXPIRED_CREDIT)),
        TestDecline::InsufficientFunds => {
            let poor = card(kind, POOR_DEBIT, POOR_CREDIT);
            // Payments only take from the card and refunds give back no more than
            // was taken, so its balance never exceeds the opening one.
            let balance = poor.opening_balance(order.total.currency());
            if order.total.amount() <= balance.amount() {
                return Err(ApiError::unprocessable(
                    ErrorCode::InvalidField,
                    format!(
                        "decline_reason: insufficient_funds needs an order above {balance} {}, \
                         the balance of the poor test card",
                        balance.currency().code()
                    ),
                ));
            }
            pay_with(poor)
        }
    };
    Ok((kind, Some(action)))
}

fn card(kind: CardKind, debit: TestCard, credit: TestCard) -> TestCard {
    match kind {
        CardKind::Debit => debit,
        CardKind::Credit => credit,
    }
}

fn pay_with(card: TestCard) -> ShopperAction {
    ShopperAction::Pay {
        card_number: card.number,
        password: card.password,
    }
}

/// The first bank of the directory that can take the order with a card of `kind`.
fn first_available_bank(
    state: &AppState,
    order: &Order,
    kind: CardKind,
) -> Result<String, ApiError> {
    state
        .banks
        .iter()
        .find(|bank| {
            state.connectors.for_bank(&bank.code).is_some()
                && payments::availability(state, bank, kind, order.total)
                    .unavailable
                    .is_none()
        })
        .map(|bank| bank.code.clone())
        .ok_or_else(|| {
            ApiError::unprocessable(
                ErrorCode::BankUnavailable,
                format!("no bank can take this order by {} card now", kind.as_str()),
            )
        })
}

/// The sandbox bank did not take the shopper's action: nothing was decided there.
fn bank_failed(error: ConnectorError) -> ApiError {
    tracing::warn!(%error, "test helper could not play the shopper at the bank");
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        ErrorCode::BankUnavailable,
        format!("the sandbox bank did not take the payment: {error}"),
    )
}
