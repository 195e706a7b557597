//! Sends refunds to the bank that took the payment, retrying on the stored schedule
//! until the bank gives its final word, then reports it to the merchant.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::watch;

use super::events::refund_event;
use super::schedule::backoff_ms;
use crate::background::{idle, until_due};
use crate::connectors::{ConnectorError, RefundOrder, RefundResult};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::{NewAlert, RefundDecision, RefundRecord, RefundStatus, StoreError};

const BATCH: u32 = 32;
const CONCURRENCY: usize = 4;
const MAX_IDLE: Duration = Duration::from_secs(5);

pub(super) async fn run(state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let full = match refund_due(&state).await {
            Ok(n) => n == BATCH as usize,
            Err(e) => {
                tracing::error!(error = %e, "could not read the refund schedule");
                false
            }
        };
        if full {
            continue;
        }
        let wait = until_due(&*state.clock, state.store.next_refund_due().await, MAX_IDLE);
        if !idle(
            &*state.clock,
            wait,
            Some(&state.bank.refunder),
            &mut shutdown,
        )
        .await
        {
            return;
        }
    }
}

async fn refund_due(state: &AppState) -> Result<usize, StoreError> {
    let due = state.store.due_refunds(state.clock.now_ms(), BATCH).await?;
    let n = due.len();
    futures::stream::iter(due)
        .for_each_concurrent(CONCURRENCY, |r| async move {
            if let Err(e) = refund_one(state, r).await {
                tracing::error!(error = %e, "refund result not stored");
            }
        })
        .await;
    Ok(n)
}

async fn refund_one(state: &AppState, mut refund: RefundRecord) -> Result<(), StoreError> {
    let schedule = &state.bank.schedule;
    let (Some(connector), Some(txn)) = (
        state.connectors.for_bank(&refund.bank_code).cloned(),
        refund.bank_transaction_id.clone(),
    ) else {
        return decide(
            state,
            refund,
            Err("no connector or bank transaction to refund".into()),
        )
        .await;
    };
    let order = RefundOrder {
        refund_id: refund.id.clone(),
        attempt_id: refund.attempt_id.clone(),
        bank_code: refund.bank_code.clone(),
        bank_transaction_id: txn,
        amount: refund.amount,
        reason: refund.reason.clone(),
    };
    match connector.refund(&order, state.clock.now_secs()).await {
        Ok(RefundResult::Succeeded { bank_refund_id }) => {
            refund.bank_refund_id = Some(bank_refund_id);
            decide(state, refund, Ok(())).await
        }
        Ok(RefundResult::Failed { reason }) => decide(state, refund, Err(reason)).await,
        Err(e) => {
            let next = state.clock.now_ms()
                + backoff_ms(schedule.refund_first, schedule.refund_max, refund.tries);
            let level_error =
                matches!(e, ConnectorError::Refused(_) | ConnectorError::Signature(_));
            if level_error {
                tracing::error!(refund = %refund.id, error = %e, "bank refused the refund request; will retry");
            } else {
                tracing::warn!(refund = %refund.id, error = %e, "refund not answered; will retry");
            }
            state
                .store
                .retry_refund(&refund.id, next, &e.to_string())
                .await
        }
    }
}

async fn decide(
    state: &AppState,
    mut refund: RefundRecord,
    result: Result<(), String>,
) -> Result<(), StoreError> {
    let now = state.clock.now_ms();
    let Some(order) = state.store.order_by_id(&refund.order_id).await? else {
        return Err(StoreError::Corrupt(format!(
            "refund {} has no order",
            refund.id
        )));
    };
    refund.decided_at = Some(now);
    let (kind, alert) = match &result {
        Ok(()) => {
            refund.status = RefundStatus::Succeeded;
            refund.failure_reason = None;
            ("refund.succeeded", None)
        }
        Err(reason) => {
            refund.status = RefundStatus::Failed;
            refund.failure_reason = Some(reason.clone());
            let alert = NewAlert {
                id: new_id("alr"),
                kind: "refund_failed".into(),
                message: format!(
                    "refund {} of {} {} for attempt {} failed at the bank: {reason}",
                    refund.id,
                    refund.amount,
                    refund.amount.currency(),
                    refund.attempt_id
                ),
                order_id: Some(refund.order_id.clone()),
                attempt_id: Some(refund.attempt_id.clone()),
                created_at: now,
            };
            ("refund.failed", Some(alert))
        }
    };
    let decision = RefundDecision {
        refund_id: refund.id.clone(),
        status: refund.status,
        bank_refund_id: refund.bank_refund_id.clone(),
        failure_reason: refund.failure_reason.clone(),
        decided_at: now,
        event: refund_event(&order, &refund, &state.public_url, kind, now),
        alert,
    };
    if state.store.decide_refund(&decision).await? {
        tracing::info!(refund = %refund.id, order = %refund.order_id, reason = %refund.reason, status = refund.status.as_str(), "refund decided");
        state.outbox.notify_one();
    }
    Ok(())
}
