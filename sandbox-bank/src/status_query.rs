//! The bank's answer to the gateway's "where is this attempt?".

use paydesk_shared::bank_protocol::{DeclineReason, QueryAnswer, StatusQuery};

use crate::clock::now_ms;
use crate::faults::FaultState;
use crate::ledger::{Decided, Ledger, LedgerError, PendingDelivery, Verdict};
use crate::notifier::Notifier;

/// The answer, and the notification to send when answering decided the attempt.
#[derive(Debug)]
pub(crate) struct Answered {
    pub(crate) answer: QueryAnswer,
    pub(crate) deliveries: Vec<PendingDelivery>,
}

impl From<QueryAnswer> for Answered {
    fn from(answer: QueryAnswer) -> Self {
        Answered {
            answer,
            deliveries: Vec::new(),
        }
    }
}

/// `not_found` if the bank never verified a request for this attempt (for this order
/// at this bank); `decided` with the notification's content once decided;
/// `processing` while the shopper may still pay. Once the request has expired with
/// no decision the bank decides `payment_expired` here, for good. The
/// `processing_queries` fault answers `processing` first, whatever the bank knows.
pub(crate) async fn answer(
    ledger: &Ledger,
    notifier: &Notifier,
    faults: &FaultState,
    query: &StatusQuery,
    now: i64,
) -> Result<Answered, LedgerError> {
    if faults.answer_processing(&query.attempt_id) {
        return Ok(QueryAnswer::Processing.into());
    }
    let Some(request) = ledger.attempt(&query.attempt_id).await? else {
        return Ok(QueryAnswer::NotFound.into());
    };
    if request.order_id != query.order_id || request.bank_code != query.bank_code {
        return Ok(QueryAnswer::NotFound.into());
    }
    if let Some(notification) = ledger.decision(&query.attempt_id).await? {
        return Ok(QueryAnswer::Decided { notification }.into());
    }
    if now < request.expires_at {
        return Ok(QueryAnswer::Processing.into());
    }
    let verdict = Verdict::Decline {
        card: None,
        reason: DeclineReason::PaymentExpired,
    };
    let plan = notifier.plan(&query.attempt_id, now_ms());
    Ok(
        match ledger.decide(&query.attempt_id, verdict, now, plan).await? {
            Decided::New {
                notification,
                deliveries,
            } => {
                tracing::info!(attempt_id = %query.attempt_id, "expired unpaid; decided on a status query");
                Answered {
                    answer: QueryAnswer::Decided { notification },
                    deliveries,
                }
            }
            // A form post decided it in between: that decision stands.
            Decided::Already(notification) => QueryAnswer::Decided { notification }.into(),
        },
    )
}
