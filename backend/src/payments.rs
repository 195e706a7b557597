//! The payment flow's rules between the HTTP handlers and the store: which bank can
//! take which order and starting an attempt. Verdicts are applied in `banking`.

use paydesk_shared::api::{CardAvailability, CreateAttemptResponse, Unavailable, WidgetMode};
use paydesk_shared::bank::{Bank, CardKind};
use paydesk_shared::{ErrorCode, Money, OrderStatus};

use crate::connectors::PaymentOrder;
use crate::http::error::ApiError;
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::{NewAttempt, OrderRecord, StartAttemptOutcome};
use crate::http::wire;

/// Whether `bank` can take a payment of `total` with a card of `kind` now.
pub(crate) fn availability(
    state: &AppState,
    bank: &Bank,
    kind: CardKind,
    total: Money,
) -> CardAvailability {
    let limit = bank.limit(kind, total.currency());
    let unavailable = match limit {
        None => Some(Unavailable::NotSupported),
        Some(limit) if total.amount() > limit.amount() => Some(Unavailable::OverLimit),
        Some(_) if state.bank.maintenance.contains(&bank.code) => Some(Unavailable::Maintenance),
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
    if let Some(reason) = availability(state, bank, card_kind, order.total).unavailable {
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
            first_query_at: now
                + i64::try_from(state.bank.schedule.query_first.as_millis()).unwrap_or(i64::MAX),
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

/// Tells open widget streams where the order stands now.
pub(crate) async fn publish_status(state: &AppState, order_id: &str) {
    if !state.status.has_listeners() {
        return;
    }
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
