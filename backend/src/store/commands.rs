//! Writes that a merchant's request makes, each with the answer its `Idempotency-Key`
//! replays: the store records the answer in the transaction of the change, iff the
//! change is made, so a crash leaves both or neither.

use paydesk_shared::Money;

use crate::domain::alert::NewAlert;
use crate::domain::event::NewEvent;
use crate::domain::idempotency::KeyAnswer;
use crate::domain::ids::{EndpointId, EventId, MerchantId, PayoutId};
use crate::domain::ledger::Posting;
use crate::domain::merchant::{Merchant, MerchantKey};
use crate::domain::order::NewOrder;
use crate::domain::payout::{Payout, PayoutStatus};
use crate::domain::reconciliation::ReconciledLine;
use crate::domain::refund::NewRefund;
use crate::domain::settlement::SettlementPlan;
use crate::domain::time::Millis;
use crate::domain::webhook::WebhookEndpoint;

/// Stores a new order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOrder {
    pub order: NewOrder,
    pub answer: Option<KeyAnswer>,
}

/// Cancels the event's order (`Cancel`, compare-and-set, not past its expiry) with
/// the event that reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelOrder {
    pub event: NewEvent,
    pub now: Millis,
    pub answer: Option<KeyAnswer>,
}

/// Stores a merchant's refund unless the attempt's refunds would exceed `paid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRefund {
    pub refund: NewRefund,
    pub paid: Money,
    /// Takes the refund from the merchant's balance; posted with it.
    pub posting: Posting,
    pub answer: Option<KeyAnswer>,
}

/// Registers an endpoint, or replaces an existing one's URL, event types, description
/// and status (never its secrets). One that is no longer enabled has its pending
/// deliveries cancelled in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveEndpoint {
    pub endpoint: WebhookEndpoint,
    pub answer: Option<KeyAnswer>,
}

/// Makes `secret` the endpoint's secret; the old one keeps signing until
/// `previous_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotateSecret {
    pub merchant_id: MerchantId,
    pub endpoint_id: EndpointId,
    pub secret: String,
    pub previous_until: Millis,
    pub now: Millis,
    pub answer: Option<KeyAnswer>,
}

/// Sends an event again to each endpoint, from `now`, with a fresh retry window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeliver {
    pub event_id: EventId,
    pub endpoint_ids: Vec<EndpointId>,
    pub now: Millis,
    pub answer: Option<KeyAnswer>,
}

/// Creates a merchant with its first secret key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateMerchant {
    pub merchant: Merchant,
    pub key: MerchantKey,
    pub answer: Option<KeyAnswer>,
}

/// Replaces a merchant's registered return URLs, if they still are `previous`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetReturnUrls {
    pub merchant_id: MerchantId,
    pub previous: Vec<String>,
    pub return_urls: Vec<String>,
    pub answer: Option<KeyAnswer>,
}

/// What reconciling one bank's file for one merchant and day found, stored in one
/// transaction: the report (replacing the day's previous one), a settlement posting
/// per matched line, its balance transaction marked reconciled, and an alert per
/// break not raised before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordReconciliation {
    pub run_date: String,
    pub connector: String,
    pub merchant_id: MerchantId,
    pub lines: Vec<ReconciledLine>,
    /// `lines[i]`'s posting (matched lines) and alert (breaks), by index.
    pub postings: Vec<(usize, Posting)>,
    pub alerts: Vec<(usize, NewAlert)>,
    pub at: Millis,
}

/// Stores a settlement: its lines must all still be pending and unsettled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settle {
    pub plan: SettlementPlan,
    pub event: NewEvent,
}

/// Creates a payout, its money moved to payouts in transit, if the merchant's
/// available balance covers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePayout {
    pub payout: Payout,
    pub posting: Posting,
    pub answer: Option<KeyAnswer>,
}

/// The bank's final word on a payout, with its posting and event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutDecision {
    pub payout_id: PayoutId,
    pub status: PayoutStatus,
    pub bank_transfer_id: Option<String>,
    pub failure_reason: Option<String>,
    pub decided_at: Millis,
    pub posting: Posting,
    pub event: NewEvent,
}
