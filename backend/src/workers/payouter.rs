//! Sends payouts to the merchant's bank, retrying on the stored schedule until the
//! bank gives its final word (the bank executes a payout id once, so a resend after a
//! lost answer credits nothing twice), then reports it to the merchant.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use paydesk_shared::backoff::Backoff;

use super::{Step, Worker};
use crate::connectors::{TransferOrder, TransferResult};
use crate::domain::event::EventType;
use crate::domain::payout::{Payout, PayoutStatus};
use crate::domain::time::{Millis, millis};
use crate::state::AppState;
use crate::store::{PayoutDecision, StoreError};

const BATCH: u32 = 32;
const CONCURRENCY: usize = 4;

pub(super) struct Payouter(pub(super) Arc<AppState>);

#[async_trait]
impl Worker for Payouter {
    fn name(&self) -> &'static str {
        super::PAYOUTER
    }

    async fn step(&self) -> Result<Step, StoreError> {
        let due = self
            .0
            .store
            .due_payouts(self.0.clock.now_ms(), BATCH)
            .await?;
        let n = due.len();
        futures::stream::iter(due)
            .for_each_concurrent(CONCURRENCY, |p| async move {
                if let Err(e) = send(&self.0, p).await {
                    tracing::error!(error = %e, "payout result not stored");
                }
            })
            .await;
        Ok(if n == 0 { Step::Idle } else { Step::Worked })
    }

    async fn next_due(&self) -> Result<Option<Millis>, StoreError> {
        self.0.store.next_payout_due().await
    }

    fn max_idle(&self) -> Duration {
        Duration::from_secs(5)
    }
}

async fn send(state: &AppState, payout: Payout) -> Result<(), StoreError> {
    let Some(connector) = state.connectors.for_bank(&payout.destination.bank).cloned() else {
        return decide(state, payout, Err("no connector serves the bank".into())).await;
    };
    let account_name = state
        .merchants
        .by_id(&payout.merchant_id)
        .await?
        .map_or_else(|| payout.merchant_id.to_string(), |m| m.name.clone());
    let order = TransferOrder {
        payout_id: payout.id.to_string(),
        bank_code: payout.destination.bank.clone(),
        account_number: payout.destination.account_number.clone(),
        account_name,
        amount: payout.amount,
        reference: format!("Paydesk payout {}", payout.id),
    };
    match connector.transfer(&order, state.clock.now_secs()).await {
        Ok(TransferResult::Completed { bank_transfer_id }) => {
            decide(state, payout, Ok(bank_transfer_id)).await
        }
        Ok(TransferResult::Refused { reason }) => decide(state, payout, Err(reason)).await,
        Err(e) => {
            let config = &state.books.config;
            let backoff = Backoff::new(config.payout_retry_first, config.payout_retry_max);
            let next = state
                .clock
                .now_ms()
                .saturating_add(millis(backoff.delay(payout.tries)));
            tracing::warn!(payout = %payout.id, error = %e, "payout not answered; will retry");
            state
                .store
                .retry_payout(&payout.id, next, &e.to_string())
                .await
        }
    }
}

async fn decide(
    state: &AppState,
    mut payout: Payout,
    result: Result<String, String>,
) -> Result<(), StoreError> {
    let now = state.clock.now_ms();
    let (kind, posting) = match &result {
        Ok(_) => (EventType::PayoutPaid, payout.paid_posting(now)),
        Err(_) => (EventType::PayoutFailed, payout.failed_posting(now)),
    };
    payout.decided_at = Some(now);
    match result {
        Ok(id) => {
            payout.status = PayoutStatus::Paid;
            payout.bank_transfer_id = Some(id);
            payout.failure_reason = None;
        }
        Err(reason) => {
            payout.status = PayoutStatus::Failed;
            payout.failure_reason = Some(reason);
        }
    }
    let decision = PayoutDecision {
        payout_id: payout.id.clone(),
        status: payout.status,
        bank_transfer_id: payout.bank_transfer_id.clone(),
        failure_reason: payout.failure_reason.clone(),
        decided_at: now,
        posting,
        event: state.events.payout_event(&payout, kind, now),
    };
    if state.store.decide_payout(&decision).await? {
        if payout.status == PayoutStatus::Failed {
            tracing::error!(payout = %payout.id, reason = payout.failure_reason.as_deref().unwrap_or(""), "payout refused by the bank; money back to available");
        } else {
            tracing::info!(payout = %payout.id, "payout paid");
        }
        state.outbox.notify_one();
    }
    Ok(())
}
