//! A bank notification's way in: verified, checked against a known attempt, stored raw
//! (refusing a replayed nonce), and only then acknowledged. Applying it comes after,
//! in the applier, so the bank's answer waits for one durable write and nothing else.

use axum::http::{HeaderMap, StatusCode};
use paydesk_shared::ErrorCode;
use paydesk_shared::signing::DEFAULT_TOLERANCE_SECS;

use crate::connectors::{BankVerdict, ConnectorError, VerdictOutcome};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::store::{
    NewInboxEntry, ReceiveOutcome, SignatureFacts, StatedVerdict, StoreError, VerdictSource,
};
use paydesk_shared::AttemptStatus;

pub(crate) async fn receive_notification(
    state: &AppState,
    connector_name: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    let connector = state
        .connectors
        .by_name(connector_name)
        .ok_or_else(|| ApiError::not_found("bank connector"))?
        .clone();
    let verified = connector
        .verify_notification(headers, body, state.clock.now_secs())
        .map_err(|e| rejected(connector_name, e))?;
    let verdict = verified.verdict;
    // Only the connector serving the attempt's bank may speak for it: one bank's key
    // must not settle payments made at another.
    let bank = state.store.attempt_bank(&verdict.attempt_id).await?;
    let served_here = bank
        .as_deref()
        .and_then(|code| state.connectors.for_bank(code))
        .is_some_and(|c| c.name() == connector.name());
    if !served_here {
        tracing::warn!(connector = connector_name, attempt = %verdict.attempt_id, bank = ?bank, "notification for an attempt this connector does not serve");
        return Err(ApiError::not_found("payment attempt"));
    }
    let signature = verified.signature;
    let entry = NewInboxEntry {
        connector: connector.name().to_owned(),
        source: VerdictSource::Notification,
        signature: Some(SignatureFacts {
            remember_until: (signature.timestamp + 2 * DEFAULT_TOLERANCE_SECS) * 1000,
            key_id: signature.kid,
            signed_at: signature.timestamp,
            nonce: signature.nonce,
        }),
        verdict: stated(&verdict),
        // Verified bytes that parsed as JSON are UTF-8.
        body: String::from_utf8_lossy(body).into_owned(),
        received_at: state.clock.now_ms(),
    };
    match store_verdict(state, entry).await? {
        ReceiveOutcome::Stored { .. } => Ok(()),
        ReceiveOutcome::Replayed => {
            tracing::warn!(connector = connector_name, attempt = %verdict.attempt_id, "replayed bank notification refused");
            Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::NotificationReplayed,
                "this signed notification was received before; sign every delivery afresh",
            ))
        }
    }
}

fn rejected(connector: &str, e: ConnectorError) -> ApiError {
    match e {
        ConnectorError::Signature(reason) => {
            tracing::warn!(
                connector,
                reason = reason.code(),
                "bank notification signature rejected"
            );
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::SignatureInvalid,
                format!(
                    "the notification signature is not valid ({})",
                    reason.code()
                ),
            )
        }
        other => ApiError::bad_request(ErrorCode::InvalidJson, other.to_string()),
    }
}

/// Stores a verdict durably and wakes the applier.
pub(super) async fn store_verdict(
    state: &AppState,
    entry: NewInboxEntry,
) -> Result<ReceiveOutcome, StoreError> {
    let outcome = state.store.receive_verdict(entry).await?;
    if matches!(outcome, ReceiveOutcome::Stored { .. }) {
        state.bank.applier.notify_one();
    }
    Ok(outcome)
}

pub(super) fn stated(v: &BankVerdict) -> StatedVerdict {
    let (outcome, failure_reason) = match &v.outcome {
        VerdictOutcome::Succeeded => (AttemptStatus::Succeeded, None),
        VerdictOutcome::Failed { reason } => (AttemptStatus::Failed, Some(reason.clone())),
    };
    StatedVerdict {
        attempt_id: v.attempt_id.clone(),
        order_id: v.order_id.clone(),
        bank_code: v.bank_code.clone(),
        bank_transaction_id: Some(v.bank_transaction_id.clone()),
        amount: v.amount.clone(),
        currency: v.currency.code().to_owned(),
        outcome,
        failure_reason,
    }
}
