//! The bank inbox: verified verdicts stored before they are acknowledged (by a
//! [`GroupCommit`], like order creation: one flush for everything that arrived
//! together), and applied afterwards in batches, each batch one transaction.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, SqlitePool, Transaction};

use super::batch_connection::BatchConnection;
use super::group_commit::GroupCommit;
use super::wal_flush::WalFlusher;

use super::order_moves::{self, OrderMove};
use super::outbox::insert_event;
use super::refunds;
use super::{guards, ledger};
use crate::domain::alert::NewAlert;
use crate::domain::change;
use crate::domain::time::Millis;
use crate::domain::verdict::{
    Applied, InboxCounts, InboxEntry, InboxPlan, InboxState, NewInboxEntry, PlannedEntry,
    ReceiveOutcome, StoredVerdict, Verdict, VerdictSource,
};
use crate::store::StoreError;
use paydesk_shared::payment::{AttemptStatus, OrderTransition};

/// A verdict to store, with the card its message named.
struct Receipt {
    entry: NewInboxEntry,
    card_last4: Option<String>,
}

pub(super) struct InboxWriter(GroupCommit<Receipt, ReceiveOutcome>);

impl InboxWriter {
    pub(super) fn spawn(conn: BatchConnection, flusher: WalFlusher) -> Self {
        InboxWriter(GroupCommit::spawn("bank inbox", conn, flusher, write))
    }

    pub(super) async fn receive(
        &self,
        entry: NewInboxEntry,
        card_last4: Option<String>,
    ) -> Result<ReceiveOutcome, StoreError> {
        self.0.submit(Receipt { entry, card_last4 }).await
    }
}

/// Stores each verdict of a batch, or finds its signature's nonce already used.
fn write(
    tx: &rusqlite::Transaction<'_>,
    receipts: &[Receipt],
) -> rusqlite::Result<Vec<ReceiveOutcome>> {
    let mut nonce = tx.prepare_cached(&format!(
        "INSERT INTO bank_nonces (connector, nonce, expires_at) VALUES (?, ?, ?) {}",
        guards::all(change::RECEIVE_VERDICT)
    ))?;
    let mut store = tx.prepare_cached(
        "INSERT INTO bank_inbox (connector, source, key_id, signed_at, attempt_id, order_id,
             bank_code, bank_transaction_id, amount, currency, outcome, failure_reason, body,
             received_at, card_last4)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?;
    let mut outcomes = Vec::with_capacity(receipts.len());
    for Receipt { entry, card_last4 } in receipts {
        if let Some(sig) = &entry.signature {
            let fresh = nonce.execute(rusqlite::params![
                entry.connector,
                sig.nonce,
                sig.remember_until
            ])? == 1;
            if !fresh {
                outcomes.push(ReceiveOutcome::Replayed);
                continue;
            }
        }
        let v = &entry.verdict;
        store.execute(rusqlite::params![
            entry.connector,
            entry.source.as_str(),
            entry.signature.as_ref().map(|s| &s.key_id),
            entry.signature.as_ref().map(|s| s.signed_at),
            v.attempt_id.as_str(),
            v.order_id.as_str(),
            v.bank_code,
            v.bank_transaction_id,
            v.amount,
            v.currency,
            v.outcome.as_str(),
            v.failure_reason,
            entry.body,
            entry.received_at,
            card_last4,
        ])?;
        outcomes.push(ReceiveOutcome::Stored {
            inbox_id: tx.last_insert_rowid(),
        });
    }
    Ok(outcomes)
}

const VERDICT_COLUMNS: &str = "id, connector, source, key_id, attempt_id, order_id, bank_code,
    bank_transaction_id, amount, currency, outcome, failure_reason, state, detail, received_at,
    card_last4";

fn verdict_from_row(row: &SqliteRow) -> Result<Verdict, StoreError> {
    let outcome: String = row.try_get("outcome")?;
    Ok(Verdict {
        attempt_id: row.try_get("attempt_id")?,
        order_id: row.try_get("order_id")?,
        bank_code: row.try_get("bank_code")?,
        bank_transaction_id: row.try_get("bank_transaction_id")?,
        amount: row.try_get("amount")?,
        currency: row.try_get("currency")?,
        outcome: AttemptStatus::parse(&outcome)
            .ok_or_else(|| StoreError::Corrupt("bank_inbox.outcome".into()))?,
        failure_reason: row.try_get("failure_reason")?,
    })
}

/// Entries not applied yet, in the order they arrived.
pub(super) async fn unapplied(
    pool: &SqlitePool,
    limit: u32,
) -> Result<Vec<InboxEntry>, StoreError> {
    sqlx::query(&format!(
        "SELECT {VERDICT_COLUMNS} FROM bank_inbox WHERE state = 'received' ORDER BY id LIMIT ?"
    ))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        Ok(InboxEntry {
            id: row.try_get("id")?,
            connector: row.try_get("connector")?,
            received_at: row.try_get("received_at")?,
            verdict: verdict_from_row(row)?,
            card_last4: row.try_get("card_last4")?,
        })
    })
    .collect()
}

/// Every verdict stored for the order's attempts, in the order they arrived.
pub(super) async fn of_order(
    pool: &SqlitePool,
    order_id: &str,
) -> Result<Vec<StoredVerdict>, StoreError> {
    sqlx::query(&format!(
        "SELECT {VERDICT_COLUMNS} FROM bank_inbox WHERE order_id = ? ORDER BY id"
    ))
    .bind(order_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        let source: String = row.try_get("source")?;
        let state: String = row.try_get("state")?;
        Ok(StoredVerdict {
            id: row.try_get("id")?,
            connector: row.try_get("connector")?,
            source: VerdictSource::parse(&source)
                .ok_or_else(|| StoreError::Corrupt(format!("bank_inbox.source {source}")))?,
            key_id: row.try_get("key_id")?,
            verdict: verdict_from_row(row)?,
            state: InboxState::parse(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("bank_inbox.state {state}")))?,
            detail: row.try_get("detail")?,
            received_at: row.try_get("received_at")?,
        })
    })
    .collect()
}

/// Applies every planned entry in one transaction. If an attempt the plan expected
/// pending was decided meanwhile, nothing is applied and `StoreError::Conflict` asks
/// the caller to plan again.
pub(super) async fn apply(
    pool: &SqlitePool,
    planned: &[PlannedEntry],
    now: Millis,
) -> Result<Vec<Applied>, StoreError> {
    let mut tx = pool.begin().await?;
    let mut results = Vec::with_capacity(planned.len());
    for p in planned {
        results.push(apply_one(&mut tx, p, now).await?);
    }
    tx.commit().await?;
    Ok(results)
}

async fn apply_one(
    tx: &mut Transaction<'_, Sqlite>,
    p: &PlannedEntry,
    now: Millis,
) -> Result<Applied, StoreError> {
    let entry = &p.entry;
    let (state, detail, applied) = match &p.plan {
        InboxPlan::Duplicate => (InboxState::Duplicate, None, Applied::default()),
        InboxPlan::Ignore { detail } => (
            InboxState::Ignored,
            Some(detail.clone()),
            Applied::default(),
        ),
        InboxPlan::Quarantine { alert } => {
            insert_alert(tx, alert, Some(entry.id)).await?;
            let applied = Applied {
                alert_raised: true,
                ..Applied::default()
            };
            (
                InboxState::Quarantined,
                Some(alert.message.clone()),
                applied,
            )
        }
        InboxPlan::Decide { .. } => decide(tx, entry, &p.plan).await?,
    };
    sqlx::query("UPDATE bank_inbox SET state = ?, detail = ?, applied_at = ? WHERE id = ?")
        .bind(state.as_str())
        .bind(detail)
        .bind(now)
        .bind(entry.id)
        .execute(&mut **tx)
        .await?;
    Ok(applied)
}

/// Decides the entry's attempt (only if still pending), moves its order if the plan's
/// transition still may, and stores the event or the refund the plan carries.
async fn decide(
    tx: &mut Transaction<'_, Sqlite>,
    entry: &InboxEntry,
    plan: &InboxPlan,
) -> Result<(InboxState, Option<String>, Applied), StoreError> {
    let InboxPlan::Decide {
        outcome,
        failure_reason,
        bank_transaction_id,
        card_last4,
        transition,
        event,
        payment,
        refund,
        decided_at,
    } = plan
    else {
        return Err(StoreError::Corrupt(
            "a decision without a Decide plan".into(),
        ));
    };
    let decided = sqlx::query(&format!(
        "UPDATE payment_attempts SET status = ?, failure_reason = ?, bank_transaction_id = ?,
             card_last4 = ?, decided_at = ?, next_query_at = NULL
         WHERE id = ? AND {}",
        guards::all(change::DECIDE_ATTEMPT)
    ))
    .bind(outcome.as_str())
    .bind(failure_reason)
    .bind(bank_transaction_id)
    .bind(card_last4)
    .bind(decided_at)
    .bind(&entry.verdict.attempt_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if decided == 0 {
        return Err(StoreError::Conflict);
    }
    let order_moved = match transition {
        Some(t) => move_order(tx, *t, entry, *decided_at).await?,
        None => false,
    };
    if let (true, Some(e)) = (order_moved, event) {
        insert_event(tx, e).await?;
    }
    if let (true, Some(p)) = (order_moved, payment) {
        ledger::post(tx, p).await?;
    }
    let mut refund_created = false;
    if let (AttemptStatus::Succeeded, false, Some(held)) = (outcome, order_moved, refund) {
        refunds::insert(tx, &held.refund).await?;
        for p in &held.postings {
            ledger::post(tx, p).await?;
        }
        refund_created = true;
    }
    let detail = match (order_moved, refund_created) {
        (true, _) => format!("attempt {}; order moved", outcome.as_str()),
        (false, true) => format!(
            "attempt {}; order not payable, refund {} started",
            outcome.as_str(),
            refund.as_ref().map_or("", |r| r.refund.reason.as_str())
        ),
        (false, false) => format!("attempt {}; order unchanged", outcome.as_str()),
    };
    let applied = Applied {
        order_moved,
        refund_created,
        alert_raised: false,
    };
    Ok((InboxState::Applied, Some(detail), applied))
}

/// Moves the order by `transition` if its preconditions still hold.
async fn move_order(
    tx: &mut Transaction<'_, Sqlite>,
    transition: OrderTransition,
    entry: &InboxEntry,
    decided_at: Millis,
) -> Result<bool, StoreError> {
    let m = OrderMove {
        transition,
        order_id: &entry.verdict.order_id,
        at: decided_at,
        attempt_id: Some(&entry.verdict.attempt_id),
        verdict_received_at: Some(entry.received_at),
    };
    order_moves::apply(tx, &m).await
}

pub(super) async fn insert_alert(
    tx: &mut Transaction<'_, Sqlite>,
    a: &NewAlert,
    inbox_id: Option<i64>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO alerts (id, kind, message, order_id, attempt_id, inbox_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&a.id)
    .bind(&a.kind)
    .bind(&a.message)
    .bind(&a.order_id)
    .bind(&a.attempt_id)
    .bind(inbox_id)
    .bind(a.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Forgets nonces no fresh message can carry any more.
pub(super) async fn prune_nonces(pool: &SqlitePool, now: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM bank_nonces WHERE expires_at < ?")
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected())
}

pub(super) async fn counts(pool: &SqlitePool) -> Result<InboxCounts, StoreError> {
    let mut counts = InboxCounts::default();
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM bank_inbox GROUP BY state")
            .fetch_all(pool)
            .await?;
    for (state, n) in rows {
        let parsed = InboxState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("bank_inbox.state {state}")))?;
        let slot = match parsed {
            InboxState::Received => &mut counts.received,
            InboxState::Applied => &mut counts.applied,
            InboxState::Duplicate => &mut counts.duplicate,
            InboxState::Ignored => &mut counts.ignored,
            InboxState::Quarantined => &mut counts.quarantined,
        };
        *slot = n;
    }
    Ok(counts)
}
