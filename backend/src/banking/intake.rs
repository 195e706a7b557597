//! A bank notification's way in, once its connector verified it: checked against a
//! known attempt, stored raw (refusing a replayed nonce), and only then acknowledged.
//! Applying it comes after, in the applier, so the bank's answer waits for one durable
//! write and nothing else.

use paydesk_shared::signing::DEFAULT_TOLERANCE_SECS;

use crate::connectors::{BankConnector, VerifiedNotification};
use crate::domain::error::DomainError;
use crate::domain::verdict::{NewInboxEntry, ReceiveOutcome, SignatureFacts, VerdictSource};
use crate::state::AppState;
use crate::store::StoreError;

/// Stores a notification `connector` verified, if that connector serves the attempt's
/// bank: one bank's key must not settle payments made at another.
pub(crate) async fn receive_notification(
    state: &AppState,
    connector: &dyn BankConnector,
    verified: VerifiedNotification,
    body: &[u8],
) -> Result<(), DomainError> {
    let verdict = verified.verdict;
    let card_last4 = verified.card_last4;
    let bank = state.store.attempt_bank(&verdict.attempt_id).await?;
    let served_here = bank
        .as_deref()
        .and_then(|code| state.connectors.for_bank(code))
        .is_some_and(|c| c.name() == connector.name());
    if !served_here {
        tracing::warn!(connector = connector.name(), attempt = %verdict.attempt_id, bank = ?bank, "notification for an attempt this connector does not serve");
        return Err(DomainError::NotFound("payment attempt"));
    }
    let signature = verified.signature;
    let attempt_id = verdict.attempt_id.clone();
    let entry = NewInboxEntry {
        connector: connector.name().to_owned(),
        source: VerdictSource::Notification,
        signature: Some(SignatureFacts {
            remember_until: (signature.timestamp + 2 * DEFAULT_TOLERANCE_SECS) * 1000,
            key_id: signature.kid,
            signed_at: signature.timestamp,
            nonce: signature.nonce,
        }),
        verdict,
        // Verified bytes that parsed as JSON are UTF-8.
        body: String::from_utf8_lossy(body).into_owned(),
        received_at: state.clock.now_ms(),
    };
    match store(state, entry, card_last4).await? {
        ReceiveOutcome::Stored { .. } => Ok(()),
        ReceiveOutcome::Replayed => {
            tracing::warn!(connector = connector.name(), attempt = %attempt_id, "replayed bank notification refused");
            Err(DomainError::NotificationReplayed)
        }
    }
}

/// Stores a verdict durably and wakes the applier. The status querier's way in: a
/// status answer names no card yet.
pub(crate) async fn store_verdict(
    state: &AppState,
    entry: NewInboxEntry,
) -> Result<ReceiveOutcome, StoreError> {
    store(state, entry, None).await
}

/// [`store_verdict`] with the card the bank's message named.
async fn store(
    state: &AppState,
    entry: NewInboxEntry,
    card_last4: Option<String>,
) -> Result<ReceiveOutcome, StoreError> {
    let outcome = state.store.receive_verdict(entry, card_last4).await?;
    if matches!(outcome, ReceiveOutcome::Stored { .. }) {
        state.bank.applier.notify_one();
    }
    Ok(outcome)
}
