//! The payment flow's rules between the HTTP handlers and the store: which bank can
//! take which order and starting an attempt. Verdicts are applied in `banking`.

use paydesk_shared::Money;
use paydesk_shared::api::{CardAvailability, CreateAttemptResponse, Unavailable, WidgetMode};
use paydesk_shared::bank::{Bank, CardKind};

use crate::connectors::{BankConnector, PaymentOrder};
use crate::domain::error::DomainError;
use crate::domain::ids::{AttemptId, OrderId};
use crate::domain::order::{Attempt, NewAttempt, Order, StartAttemptOutcome};
use crate::domain::time::{millis, secs};
use crate::http::wire;
use crate::state::AppState;
use crate::store::Signal;

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

/// The shopper's Pay click.
pub(crate) struct PayClick<'a> {
    pub(crate) bank_code: &'a str,
    pub(crate) card_kind: CardKind,
    pub(crate) mode: WidgetMode,
    /// Identifies the click: the same click twice makes one attempt.
    pub(crate) idempotency_key: String,
}

pub(crate) async fn start_attempt(
    state: &AppState,
    order: &Order,
    merchant_name: &str,
    click: PayClick<'_>,
) -> Result<CreateAttemptResponse, DomainError> {
    let now = state.clock.now_ms();
    let status = order.status_at(now);
    if status.is_final() {
        return Err(DomainError::OrderNotPayable(status));
    }
    let bank = state
        .banks
        .iter()
        .find(|b| b.code == click.bank_code)
        .ok_or_else(|| DomainError::BankUnknown(click.bank_code.to_owned()))?;
    let unavailable = |reason| DomainError::BankUnavailable {
        bank: bank.code.clone(),
        card_kind: click.card_kind,
        reason,
    };
    if let Some(reason) = availability(state, bank, click.card_kind, order.total).unavailable {
        return Err(unavailable(unavailable_text(reason)));
    }
    let connector = state
        .connectors
        .for_bank(&bank.code)
        .ok_or_else(|| unavailable("not connected"))?;
    let new = NewAttempt {
        id: AttemptId::generate(),
        order_id: order.id.clone(),
        bank_code: bank.code.clone(),
        card_kind: click.card_kind,
        mode: click.mode,
        amount: order.total,
        idempotency_key: click.idempotency_key,
        created_at: now,
        first_query_at: now.saturating_add(millis(state.bank.schedule.query_first)),
    };
    let attempt = match state.store.start_attempt(new).await? {
        StartAttemptOutcome::Started(a) => {
            publish_status(state, &order.id).await;
            a
        }
        StartAttemptOutcome::Existing(a)
            if a.bank_code == bank.code
                && a.card_kind == click.card_kind
                && a.mode == click.mode =>
        {
            a
        }
        StartAttemptOutcome::Existing(_) => return Err(DomainError::AttemptKeyReused),
        StartAttemptOutcome::NotPayable(status) => {
            return Err(DomainError::OrderNotPayable(status));
        }
    };
    let redirect_url = bank_redirect(state, order, merchant_name, &attempt, &**connector);
    Ok(CreateAttemptResponse {
        attempt_id: attempt.id.to_string(),
        redirect_url,
    })
}

/// The signed URL of the bank's payment page for `attempt`.
fn bank_redirect(
    state: &AppState,
    order: &Order,
    merchant_name: &str,
    attempt: &Attempt,
    connector: &dyn BankConnector,
) -> String {
    connector.redirect_url(
        &PaymentOrder {
            attempt_id: attempt.id.to_string(),
            order_id: order.id.to_string(),
            merchant_id: order.merchant_id.to_string(),
            merchant_name: merchant_name.to_owned(),
            bank_code: attempt.bank_code.clone(),
            card_kind: attempt.card_kind,
            amount: attempt.amount,
            return_url: format!("{}/pay/return/{}", state.public_url, attempt.id),
            expires_at_secs: secs(order.expires_at),
        },
        state.clock.now_secs(),
    )
}

fn unavailable_text(reason: Unavailable) -> &'static str {
    match reason {
        Unavailable::NotSupported => "card kind or currency not supported",
        Unavailable::OverLimit => "amount above its single-payment limit",
        Unavailable::Maintenance => "in maintenance",
    }
}

/// Tells open widget streams where the order stands now, on every replica.
pub(crate) async fn publish_status(state: &AppState, order_id: &OrderId) {
    state.store.announce(Signal::OrderChanged(order_id.clone()));
    show_status(state, order_id).await;
}

/// Tells this replica's open widget streams where the order stands now.
pub(crate) async fn show_status(state: &AppState, order_id: &OrderId) {
    if !state.status.has_listeners() {
        return;
    }
    match state.store.order_by_id(order_id).await {
        Ok(Some(order)) => state.status.publish(wire::widget_status(
            &order,
            &state.public_url,
            state.clock.now_ms(),
        )),
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, order = %order_id, "could not read order to publish its status")
        }
    }
}
