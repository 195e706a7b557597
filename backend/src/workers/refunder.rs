//! Sends refunds to the bank that took the payment, retrying on the stored schedule
//! until the bank gives its final word, then reports it to the merchant.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;

use super::{Step, Worker};
use crate::connectors::{ConnectorError, RefundOrder, RefundResult};
use crate::domain::postings;
use crate::domain::refund::{Refund, RefundDecision, RefundStatus};
use crate::domain::time::{Millis, millis};
use crate::state::AppState;
use crate::store::StoreError;

const BATCH: u32 = 32;
const CONCURRENCY: usize = 4;

pub(super) struct Refunder(pub(super) Arc<AppState>);

#[async_trait]
impl Worker for Refunder {
    fn name(&self) -> &'static str {
        super::REFUNDER
    }

    async fn step(&self) -> Result<Step, StoreError> {
        Ok(match refund_due(&self.0).await? {
            0 => Step::Idle,
            _ => Step::Worked,
        })
    }

    async fn next_due(&self) -> Result<Option<Millis>, StoreError> {
        self.0.store.next_refund_due().await
    }

    fn max_idle(&self) -> Duration {
        Duration::from_secs(5)
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

async fn refund_one(state: &AppState, refund: Refund) -> Result<(), StoreError> {
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
        refund_id: refund.id.to_string(),
        attempt_id: refund.attempt_id.to_string(),
        bank_code: refund.bank_code.clone(),
        bank_transaction_id: txn,
        amount: refund.amount,
        reason: refund.reason.clone(),
    };
    match connector.refund(&order, state.clock.now_secs()).await {
        Ok(RefundResult::Succeeded { bank_refund_id }) => {
            decide(state, refund, Ok(bank_refund_id)).await
        }
        Ok(RefundResult::Failed { reason }) => decide(state, refund, Err(reason)).await,
        Err(e) => {
            let delay = schedule.refund_backoff().delay(refund.tries);
            let next = state.clock.now_ms().saturating_add(millis(delay));
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
    refund: Refund,
    result: Result<String, String>,
) -> Result<(), StoreError> {
    let now = state.clock.now_ms();
    let Some(order) = state.store.order_by_id(&refund.order_id).await? else {
        return Err(StoreError::Corrupt(format!(
            "refund {} has no order",
            refund.id
        )));
    };
    let (refund, kind, alert) = refund.decided(result, now);
    let decision = RefundDecision {
        refund_id: refund.id.clone(),
        status: refund.status,
        bank_refund_id: refund.bank_refund_id.clone(),
        failure_reason: refund.failure_reason.clone(),
        decided_at: now,
        event: state.events.refund_event(&order, &refund, kind, now),
        alert,
        reversal: (refund.status == RefundStatus::Failed)
            .then(|| postings::refund_failure(&order, &refund, now)),
    };
    if state.store.decide_refund(&decision).await? {
        tracing::info!(refund = %refund.id, order = %refund.order_id, reason = %refund.reason, status = refund.status.as_str(), "refund decided");
        state.outbox.notify_one();
    }
    Ok(())
}
