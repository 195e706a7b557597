//! Asks banks about attempts that got no verdict, on the schedule stored with each
//! attempt (so a restart neither forgets nor repeats it), until the attempt is final.
//! A decided answer goes through the inbox like a notification.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use paydesk_shared::AttemptStatus;

use super::{Step, Worker};
use crate::banking::store_verdict;
use crate::connectors::QueryResult;
use crate::domain::order::AttemptToQuery;
use crate::domain::time::{Millis, millis};
use crate::domain::verdict::{NewInboxEntry, Verdict, VerdictSource};
use crate::state::AppState;
use crate::store::StoreError;

const BATCH: u32 = 64;
const CONCURRENCY: usize = 8;
/// The reason a bank gives for a payment past its deadline; the gateway uses it too for
/// an attempt the bank never saw by then.
const PAYMENT_EXPIRED: &str = "payment_expired";

pub(super) struct Querier(pub(super) Arc<AppState>);

#[async_trait]
impl Worker for Querier {
    fn name(&self) -> &'static str {
        "querier"
    }

    async fn step(&self) -> Result<Step, StoreError> {
        Ok(match query_due(&self.0).await? {
            0 => Step::Idle,
            _ => Step::Worked,
        })
    }

    async fn next_due(&self) -> Result<Option<Millis>, StoreError> {
        self.0.store.next_query_due().await
    }

    fn max_idle(&self) -> Duration {
        Duration::from_secs(5)
    }
}

async fn query_due(state: &AppState) -> Result<usize, StoreError> {
    let due = state.store.due_queries(state.clock.now_ms(), BATCH).await?;
    let n = due.len();
    futures::stream::iter(due)
        .for_each_concurrent(CONCURRENCY, |a| async move {
            if let Err(e) = query_one(state, &a).await {
                tracing::error!(attempt = %a.attempt_id, error = %e, "status query result not stored");
            }
        })
        .await;
    Ok(n)
}

async fn query_one(state: &AppState, a: &AttemptToQuery) -> Result<(), StoreError> {
    let schedule = &state.bank.schedule;
    let now = state.clock.now_ms();
    let next = now.saturating_add(millis(
        schedule.query_backoff().delay(a.queries.saturating_add(1)),
    ));
    // Counted first: whatever happens next, this query is not repeated at once.
    state.store.reschedule_query(&a.attempt_id, next).await?;
    let Some(connector) = state.connectors.for_bank(&a.bank_code).cloned() else {
        tracing::error!(attempt = %a.attempt_id, bank = %a.bank_code, "no connector for the attempt's bank");
        return Ok(());
    };
    let answer = connector
        .query(
            &a.attempt_id,
            &a.order_id,
            &a.bank_code,
            state.clock.now_secs(),
        )
        .await;
    let (verdict, body) = match answer {
        Ok(QueryResult::Decided { verdict, raw }) => (verdict, raw),
        Ok(QueryResult::NotFound)
            if now
                >= a.order_expires_at
                    .saturating_add(millis(schedule.unseen_grace)) =>
        {
            // The bank refuses payments past the order's expiry and never saw this
            // attempt: it can no longer succeed.
            let verdict = Verdict {
                attempt_id: a.attempt_id.clone(),
                order_id: a.order_id.clone(),
                bank_code: a.bank_code.clone(),
                bank_transaction_id: None,
                amount: a.amount.to_string(),
                currency: a.amount.currency().code().to_owned(),
                outcome: AttemptStatus::Failed,
                failure_reason: Some(PAYMENT_EXPIRED.to_owned()),
            };
            (
                verdict,
                "bank never saw the attempt; order expired".to_owned(),
            )
        }
        Ok(other) => {
            tracing::debug!(attempt = %a.attempt_id, queries = a.queries + 1, answer = ?other, "attempt still open at the bank");
            return Ok(());
        }
        Err(e) => {
            tracing::warn!(attempt = %a.attempt_id, queries = a.queries + 1, error = %e, "status query failed; will ask again");
            return Ok(());
        }
    };
    tracing::info!(attempt = %a.attempt_id, outcome = verdict.outcome.as_str(), "status query found a verdict");
    store_verdict(
        state,
        NewInboxEntry {
            connector: connector.name().to_owned(),
            source: VerdictSource::Query,
            signature: None,
            verdict,
            body,
            received_at: now,
        },
    )
    .await?;
    Ok(())
}
