//! Asks banks about attempts that got no verdict, on the schedule stored with each
//! attempt (so a restart neither forgets nor repeats it), until the attempt is final.
//! A decided answer goes through the inbox like a notification.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::watch;

use super::intake::{stated, store_verdict};
use super::schedule::backoff_ms;
use crate::background::{idle, until_due};
use crate::connectors::QueryResult;
use crate::state::AppState;
use crate::store::{AttemptToQuery, NewInboxEntry, StatedVerdict, StoreError, VerdictSource};
use paydesk_shared::AttemptStatus;

const BATCH: u32 = 64;
const CONCURRENCY: usize = 8;
const MAX_IDLE: Duration = Duration::from_secs(5);
/// The reason a bank gives for a payment past its deadline; the gateway uses it too for
/// an attempt the bank never saw by then.
const PAYMENT_EXPIRED: &str = "payment_expired";

pub(super) async fn run(state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let full = match query_due(&state).await {
            Ok(n) => n == BATCH as usize,
            Err(e) => {
                tracing::error!(error = %e, "could not read the status query schedule");
                false
            }
        };
        if full {
            continue;
        }
        let wait = until_due(&*state.clock, state.store.next_query_due().await, MAX_IDLE);
        if !idle(&*state.clock, wait, None, &mut shutdown).await {
            return;
        }
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
    let next = now
        + backoff_ms(
            schedule.query_first,
            schedule.query_max,
            a.queries.saturating_add(1),
        );
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
        Ok(QueryResult::Decided { verdict, raw }) => (stated(&verdict), raw),
        Ok(QueryResult::NotFound)
            if now >= a.order_expires_at + schedule.unseen_grace.as_millis() as i64 =>
        {
            // The bank refuses payments past the order's expiry and never saw this
            // attempt: it can no longer succeed.
            let verdict = StatedVerdict {
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
