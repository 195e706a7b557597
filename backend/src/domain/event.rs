//! Events the gateway reports to merchants. Each is stored in the transaction of the
//! change it reports and numbered within its order by the store; its body is composed
//! once and every delivery sends the same bytes.

pub use paydesk_shared::webhook::EventType;

use super::ids::{EventId, MerchantId, OrderId};
use super::order::Order;
use super::payout::Payout;
use super::refund::Refund;
use super::settlement::Settlement;
use super::time::{Millis, rfc3339};

/// An event to store with the change it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub id: EventId,
    pub merchant_id: MerchantId,
    /// What the event is about: an order's id, or a settlement's or payout's. Events
    /// are numbered, and delivered in order, per subject.
    pub subject: String,
    pub kind: EventType,
    /// The event's `data` object as JSON, rendered when the change was planned: the
    /// order (and refund) as they stand once the change is made.
    pub data: String,
    pub created_at: Millis,
}

impl NewEvent {
    /// The body every delivery of this event sends, byte for byte, once the store has
    /// numbered the event within its order.
    pub fn body(&self, sequence: i64) -> String {
        let (head, tail) = self.body_around_sequence();
        format!("{head}{sequence}{tail}")
    }

    /// The body before and after its sequence number, for a store that numbers the
    /// event in the statement that stores it.
    pub fn body_around_sequence(&self) -> (String, String) {
        let head = format!(
            r#"{{"id":{},"type":{},"sequence":"#,
            json_string(&self.id),
            json_string(self.kind.as_str()),
        );
        let tail = format!(
            r#","created_at":{},"data":{}}}"#,
            json_string(&rfc3339(self.created_at)),
            self.data
        );
        (head, tail)
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// Renders the data of the events a change reports. The rules decide which event a
/// change reports; how an order looks to a merchant is the API's business, so the
/// gateway's edge implements this.
pub trait Compose: Send + Sync {
    fn order_event(&self, order: &Order, kind: EventType, now: Millis) -> NewEvent;

    fn refund_event(
        &self,
        order: &Order,
        refund: &Refund,
        kind: EventType,
        now: Millis,
    ) -> NewEvent;

    /// `settlement.created`.
    fn settlement_event(&self, settlement: &Settlement, now: Millis) -> NewEvent;

    /// `payout.paid` or `payout.failed`, with the payout as the bank left it.
    fn payout_event(&self, payout: &Payout, kind: EventType, now: Millis) -> NewEvent;
}

/// A stored event as the merchant's API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: EventId,
    /// An order's id, or a settlement's or payout's (see [`NewEvent::subject`]).
    pub subject: String,
    pub kind: EventType,
    pub sequence: i64,
    /// The exact body every delivery sends.
    pub payload: String,
    pub created_at: Millis,
}

/// Which events `GET /v1/events` lists, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub kind: Option<EventType>,
    pub order_id: Option<OrderId>,
    /// Only events older than this one.
    pub starting_after: Option<EventId>,
}
