//! Creating a payout, automatic or asked for: stored with its posting, then the payout
//! worker is woken to send it.

use crate::domain::idempotency::KeyAnswer;
use crate::domain::payout::{Payout, PayoutOutcome};
use crate::state::AppState;
use crate::store::{CreatePayout, StoreError};

/// Stores `payout` if the available balance covers it, with `answer` for its
/// `Idempotency-Key`; the payout worker sends it.
pub(crate) async fn request_payout(
    state: &AppState,
    payout: &Payout,
    answer: Option<KeyAnswer>,
) -> Result<PayoutOutcome, StoreError> {
    let command = CreatePayout {
        posting: payout.sent_posting(),
        payout: payout.clone(),
        answer,
    };
    let outcome = state.store.create_payout(&command).await?;
    if outcome == PayoutOutcome::Created {
        tracing::info!(merchant = %payout.merchant_id, payout = %payout.id, amount = %payout.amount, automatic = payout.automatic, "payout created");
        state.books.payouts.notify_one();
    }
    Ok(outcome)
}
