//! The payment flow's rules between the HTTP handlers and the store: which bank can
//! take which order, starting an attempt, and applying a bank's verdict.

use axum::http::StatusCode;
use paydesk_shared::api::{
    CardAvailability, CreateAttemptResponse, Unavailable, WebhookData, WebhookEvent, WidgetMode,
};
use paydesk_shared::bank::{Bank, CardKind};
use paydesk_shared::payment::{AttemptStatus, OrderTransition};
use paydesk_shared::{ErrorCode, Money, OrderStatus};

use crate::connectors::{BankVerdict, PaymentOrder, VerdictOutcome};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::{
    AttemptDecision, DecisionOutcome, NewAttempt, NewEvent, OrderRecord, StartAttemptOutcome,
};
use crate::wire;

/// Whether `bank` can take a payment of `total` with a card of `kind`.
pub(crate) fn availability(bank: &Bank, kind: CardKind, total: Money) -> CardAvailability {
    let limit = bank.limit(kind, total.currency());
    let unavailable = match limit {
        None => Some(Unavailable::NotSupported),
        Some(limit) if total.amount() > limit.amount() => Some(Unavailable::OverLimit),
        Some(_) => None,
    };
    CardAvailability {
        limit: limit.map(|l| l.to_string()),
        unavailable,
    }
}

pub(crate) async fn start_attempt(
    state: &AppState,
    order: &OrderRecord,
    merchant_name: &str,
    bank_code: &str,
    card_kind: CardKind,
    mode: WidgetMode,
    idempotency_key: String,
) -> Result<CreateAttemptResponse, ApiError> {
    let now = state.clock.now_ms();
    let status = wire::effective_status(order, now);
    if status.is_final() {
        return Err(not_payable(status));
    }
    let bank = state
        .banks
        .iter()
        .find(|b| b.code == bank_code)
        .ok_or_else(|| {
            ApiError::unprocessable(
                ErrorCode::BankUnknown,
                format!("unknown bank `{bank_code}`"),
            )
        })?;
    if let Some(reason) = availability(bank, card_kind, order.total).unavailable {
        return Err(ApiError::unprocessable(
            ErrorCode::BankUnavailable,
            format!(
                "{} cannot take this payment by {card_kind} card: {}",
                bank.code,
                unavailable_text(reason)
            ),
        ));
    }
    let connector = state.connectors.for_bank(&bank.code).ok_or_else(|| {
        ApiError::unprocessable(
            ErrorCode::BankUnavailable,
            format!("{} is not connected", bank.code),
        )
    })?;
    let attempt = match state
        .store
        .start_attempt(NewAttempt {
            id: new_id("att"),
            order_id: order.id.clone(),
            bank_code: bank.code.clone(),
            card_kind,
            mode,
            amount: order.total,
            idempotency_key,
            created_at: now,
        })
        .await?
    {
        StartAttemptOutcome::Started(a) => {
            publish_status(state, &order.id).await;
            a
        }
        StartAttemptOutcome::Existing(a)
            if a.bank_code == bank.code && a.card_kind == card_kind && a.mode == mode =>
        {
            a
        }
        StartAttemptOutcome::Existing(_) => {
            return Err(ApiError::unprocessable(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was already used for another bank, card kind or mode",
            ));
        }
        StartAttemptOutcome::NotPayable(status) => return Err(not_payable(status)),
    };
    let redirect_url = connector.redirect_url(
        &PaymentOrder {
            attempt_id: attempt.id.clone(),
            order_id: order.id.clone(),
            merchant_id: order.merchant_id.clone(),
            merchant_name: merchant_name.to_owned(),
            bank_code: attempt.bank_code.clone(),
            card_kind: attempt.card_kind,
            amount: attempt.amount,
            return_url: format!("{}/pay/return/{}", state.public_url, attempt.id),
            expires_at_secs: order.expires_at.div_euclid(1000),
        },
        state.clock.now_secs(),
    );
    Ok(CreateAttemptResponse {
        attempt_id: attempt.id,
        redirect_url,
    })
}

fn not_payable(status: OrderStatus) -> ApiError {
    ApiError::conflict(
        ErrorCode::OrderNotPayable,
        format!("the order is {} and cannot be paid", status.as_str()),
    )
}

fn unavailable_text(reason: Unavailable) -> &'static str {
    match reason {
        Unavailable::NotSupported => "card kind or currency not supported",
        Unavailable::OverLimit => "amount above its single-payment limit",
        Unavailable::Maintenance => "in maintenance",
    }
}

/// Applies a verified bank verdict. Succeeds (so the bank stops retrying) for a first
/// delivery and for duplicates; refuses what disagrees with the order.
pub(crate) async fn apply_verdict(
    state: &AppState,
    connector: &str,
    raw_body: String,
    verdict: BankVerdict,
) -> Result<(), ApiError> {
    let order = state
        .store
        .order_by_attempt(&verdict.attempt_id)
        .await?
        .ok_or_else(|| ApiError::not_found("payment attempt"))?;
    let attempt = order
        .attempts
        .iter()
        .find(|a| a.id == verdict.attempt_id)
        .ok_or_else(|| ApiError::not_found("payment attempt"))?;
    let amount = Money::parse(&verdict.amount, verdict.currency).ok();
    if verdict.order_id != order.id
        || verdict.bank_code != attempt.bank_code
        || amount != Some(attempt.amount)
    {
        tracing::warn!(
            attempt = %attempt.id,
            order = %order.id,
            stated_amount = %verdict.amount,
            stated_currency = %verdict.currency,
            "bank notification disagrees with the attempt; order left unchanged"
        );
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::NotificationMismatch,
            "the notification's order, bank, amount or currency does not match the payment attempt",
        ));
    }

    let now = state.clock.now_ms();
    let (outcome, failure_reason, transition, kind) = match &verdict.outcome {
        VerdictOutcome::Succeeded => (
            AttemptStatus::Succeeded,
            None,
            OrderTransition::ConfirmPayment,
            "order.paid",
        ),
        VerdictOutcome::Failed { reason } => (
            AttemptStatus::Failed,
            Some(reason.clone()),
            OrderTransition::DeclinePayment,
            "order.failed",
        ),
    };
    let after = order_after(
        &order,
        &verdict,
        transition,
        outcome,
        failure_reason.clone(),
        now,
    );
    let event = new_event(&after, &state.public_url, kind, now);
    let result = state
        .store
        .decide_attempt(AttemptDecision {
            connector: connector.to_owned(),
            raw_notification: raw_body,
            attempt_id: verdict.attempt_id.clone(),
            outcome,
            failure_reason,
            bank_transaction_id: verdict.bank_transaction_id.clone(),
            decided_at: now,
            order_transition: Some(transition),
            event: Some(event),
        })
        .await?;
    match result {
        DecisionOutcome::Applied { order_moved } => {
            tracing::info!(order = %order.id, attempt = %verdict.attempt_id, ?outcome, order_moved, "bank verdict applied");
            publish_status(state, &order.id).await;
            if order_moved {
                state.outbox.notify_one();
            }
            Ok(())
        }
        DecisionOutcome::Duplicate => Ok(()),
        DecisionOutcome::Conflicting { existing } => {
            tracing::warn!(attempt = %verdict.attempt_id, ?existing, ?outcome, "conflicting verdict for a decided attempt ignored");
            Ok(())
        }
        DecisionOutcome::UnknownAttempt => Err(ApiError::not_found("payment attempt")),
    }
}

/// The order as it will be once the verdict applies, for the event's snapshot.
fn order_after(
    order: &OrderRecord,
    verdict: &BankVerdict,
    transition: OrderTransition,
    outcome: AttemptStatus,
    failure_reason: Option<String>,
    now: i64,
) -> OrderRecord {
    let mut after = order.clone();
    after.status = transition.target();
    if after.status == OrderStatus::Paid {
        after.paid_at = Some(now);
    }
    if let Some(a) = after
        .attempts
        .iter_mut()
        .find(|a| a.id == verdict.attempt_id)
    {
        a.status = outcome;
        a.failure_reason = failure_reason;
        a.bank_transaction_id = Some(verdict.bank_transaction_id.clone());
        a.decided_at = Some(now);
    }
    after
}

fn new_event(order: &OrderRecord, public_url: &str, kind: &str, now: i64) -> NewEvent {
    let id = new_id("evt");
    let body = WebhookEvent {
        id: id.clone(),
        kind: kind.to_owned(),
        created_at: wire::timestamp(now),
        data: WebhookData {
            order: wire::order_response(order, public_url, now),
        },
    };
    NewEvent {
        id,
        merchant_id: order.merchant_id.clone(),
        order_id: order.id.clone(),
        kind: kind.to_owned(),
        // A struct of strings and enums always serialises.
        payload: serde_json::to_string(&body).unwrap_or_default(),
        created_at: now,
    }
}

/// Tells open widget streams where the order stands now.
pub(crate) async fn publish_status(state: &AppState, order_id: &str) {
    match state.store.order_by_id(order_id).await {
        Ok(Some(order)) => state
            .status
            .publish(wire::widget_status(&order, state.clock.now_ms())),
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, order = order_id, "could not read order to publish its status")
        }
    }
}
