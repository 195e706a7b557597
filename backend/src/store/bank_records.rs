//! Records of the bank side: the inbox of verified bank verdicts, what applying one
//! does, refunds and operator alerts.

use paydesk_shared::Money;
use paydesk_shared::payment::{AttemptStatus, OrderTransition};

use super::NewEvent;

/// Where a verdict came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerdictSource {
    /// The bank's signed asynchronous notification.
    Notification,
    /// The bank's signed answer to the gateway's status query, or the gateway's own
    /// conclusion from it (an attempt the bank never saw, past the order's expiry).
    Query,
}

impl VerdictSource {
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictSource::Notification => "notification",
            VerdictSource::Query => "query",
        }
    }
}

/// A verified verdict to store before the bank is told "received".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInboxEntry {
    pub connector: String,
    pub source: VerdictSource,
    /// The signature's key id, timestamp (unix seconds) and nonce, when signed.
    pub signature: Option<SignatureFacts>,
    pub verdict: StatedVerdict,
    pub body: String,
    pub received_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureFacts {
    pub key_id: String,
    pub signed_at: i64,
    pub nonce: String,
    /// Until when (ms) the nonce must be remembered to refuse a replay.
    pub remember_until: i64,
}

/// A verdict as the bank stated it; amount and currency unparsed so a mismatch is
/// detected rather than coerced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedVerdict {
    pub attempt_id: String,
    pub order_id: String,
    pub bank_code: String,
    pub bank_transaction_id: Option<String>,
    pub amount: String,
    pub currency: String,
    pub outcome: AttemptStatus,
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiveOutcome {
    Stored {
        inbox_id: i64,
    },
    /// A message with this nonce was seen before: nothing was stored.
    Replayed,
}

/// A stored verdict waiting to be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEntry {
    pub id: i64,
    pub connector: String,
    pub verdict: StatedVerdict,
    pub received_at: i64,
}

/// What applying one inbox entry does. Decided by the applier, executed by the store
/// in one transaction with the entry's new state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxPlan {
    /// Decide the pending attempt; move the order if `transition` is given and the
    /// order still allows it; enqueue `event` iff it moved. A success whose order did
    /// not move to paid gets `refund` instead: the money goes back.
    Decide {
        outcome: AttemptStatus,
        failure_reason: Option<String>,
        bank_transaction_id: Option<String>,
        transition: Option<OrderTransition>,
        /// Boxed: an event carries the whole order and would dwarf the other plans.
        event: Option<Box<NewEvent>>,
        refund: Option<NewRefund>,
        decided_at: i64,
    },
    /// Already applied the same way.
    Duplicate,
    /// Changes nothing and is logged (a failure after a success).
    Ignore { detail: String },
    /// Disagrees with the attempt: kept aside for an operator, the order untouched.
    Quarantine { alert: NewAlert },
}

/// A refund to send to the bank: asked for by the merchant, or started by the gateway
/// for a payment it could not keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    pub id: String,
    pub order_id: String,
    pub attempt_id: String,
    pub amount: Money,
    pub reason: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub id: String,
    pub kind: String,
    pub message: String,
    pub order_id: Option<String>,
    pub attempt_id: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: String,
    pub kind: String,
    pub message: String,
    pub order_id: Option<String>,
    pub attempt_id: Option<String>,
    pub inbox_id: Option<i64>,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    Pending,
    Succeeded,
    Failed,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Succeeded => "succeeded",
            RefundStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Succeeded, Self::Failed]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    pub id: String,
    pub order_id: String,
    pub attempt_id: String,
    pub bank_code: String,
    /// The payment being refunded.
    pub bank_transaction_id: Option<String>,
    pub amount: Money,
    pub reason: String,
    pub status: RefundStatus,
    pub bank_refund_id: Option<String>,
    pub failure_reason: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub tries: u32,
}

/// The bank's final word on a refund, with the event that reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundDecision {
    pub refund_id: String,
    pub status: RefundStatus,
    pub bank_refund_id: Option<String>,
    pub failure_reason: Option<String>,
    pub decided_at: i64,
    pub event: NewEvent,
    /// Raised when the bank refused to give money back.
    pub alert: Option<NewAlert>,
}

/// A pending attempt whose bank is due to be asked where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptToQuery {
    pub attempt_id: String,
    pub order_id: String,
    pub bank_code: String,
    pub amount: Money,
    pub order_expires_at: i64,
    pub queries: u32,
}

/// Stored bank verdicts by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct InboxCounts {
    pub received: i64,
    pub applied: i64,
    pub duplicate: i64,
    pub ignored: i64,
    pub quarantined: i64,
}

/// An inbox entry with what applying it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEntry {
    pub entry: InboxEntry,
    pub plan: InboxPlan,
}

/// What applying one entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    pub order_moved: bool,
    pub refund_created: bool,
    pub alert_raised: bool,
}
