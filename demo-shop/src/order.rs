//! The shop's own record of an order, and what a Paydesk webhook does to it.
//!
//! The shop ships on exactly one signal: a verified `order.paid` webhook whose order
//! matches what the shop created. The shopper's return from the bank is shown to the
//! shopper, never trusted.

use paydesk_shared::api::{LineItem, OrderResponse};
use paydesk_shared::webhook::EventType;
use paydesk_shared::{Currency, Money, OrderStatus};
use time::OffsetDateTime;

use crate::reference::ShopReference;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShopOrder {
    pub(crate) reference: ShopReference,
    pub(crate) gateway_order_id: String,
    /// Authorises the widget for this one order; safe to put in the page, not in logs.
    pub(crate) client_token: String,
    /// Paydesk's hosted checkout page for this order, for shoppers who prefer to pay
    /// there; `None` when the gateway did not offer one on the gateway's own origin.
    pub(crate) hosted_url: Option<String>,
    pub(crate) currency: Currency,
    /// The lines as Paydesk computed them from the shop's prices.
    pub(crate) items: Vec<LineItem>,
    /// The total as Paydesk computed it: the amount the shopper is asked to pay.
    pub(crate) total: Money,
    pub(crate) payment: Payment,
    /// Every distinct webhook event received for this order, oldest first.
    pub(crate) events: Vec<ReceivedEvent>,
    pub(crate) created_at: OffsetDateTime,
    /// When Paydesk stops taking payment for it; `None` if Paydesk's timestamp could
    /// not be read.
    pub(crate) expires_at: Option<OffsetDateTime>,
}

/// Whether the shop may ship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Payment {
    AwaitingPayment,
    Paid {
        event_id: String,
        paid_at: OffsetDateTime,
    },
}

impl Payment {
    /// The words the order page shows (and end-to-end tests look for).
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Payment::AwaitingPayment => "awaiting payment",
            Payment::Paid { .. } => "paid",
        }
    }
}

/// The webhook event types the shop acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    OrderPaid,
    OrderFailed,
}

impl EventKind {
    /// `None` for event types this shop does not handle (yet); Paydesk may add more.
    pub(crate) fn parse(kind: &str) -> Option<Self> {
        match EventType::parse(kind)? {
            EventType::OrderPaid => Some(EventKind::OrderPaid),
            EventType::OrderFailed => Some(EventKind::OrderFailed),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        let event = match self {
            EventKind::OrderPaid => EventType::OrderPaid,
            EventKind::OrderFailed => EventType::OrderFailed,
        };
        event.as_str()
    }
}

/// A verified webhook event the shop handles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PaydeskEvent {
    pub(crate) id: String,
    pub(crate) kind: EventKind,
    /// The order as Paydesk saw it when the event happened.
    pub(crate) order: OrderResponse,
}

/// A webhook event as the order page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReceivedEvent {
    pub(crate) id: String,
    pub(crate) kind: EventKind,
    pub(crate) received_at: OffsetDateTime,
    pub(crate) outcome: EventOutcome,
}

/// What an event did to the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventOutcome {
    MarkedPaid,
    /// A second `order.paid` for an order already paid: nothing to do.
    AlreadyPaid,
    /// The bank declined; the order waits for the shopper to try again.
    PaymentFailed,
    /// A failure reported after the payment was confirmed changes nothing.
    FailureAfterPayment,
    /// The event's order is not the one the shop created under this reference.
    Mismatch(&'static str),
}

impl EventOutcome {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            EventOutcome::MarkedPaid => "marked the order paid",
            EventOutcome::AlreadyPaid => "already paid, nothing changed",
            EventOutcome::PaymentFailed => "payment failed; still awaiting payment",
            EventOutcome::FailureAfterPayment => "order already paid, nothing changed",
            EventOutcome::Mismatch(reason) => reason,
        }
    }
}

impl ShopOrder {
    /// Applies one verified event, already known to be new, and records it.
    pub(crate) fn apply(&mut self, event: &PaydeskEvent, now: OffsetDateTime) -> EventOutcome {
        let outcome = match self.mismatch(&event.order) {
            Some(reason) => EventOutcome::Mismatch(reason),
            None => match (event.kind, &self.payment) {
                (EventKind::OrderPaid, Payment::Paid { .. }) => EventOutcome::AlreadyPaid,
                (EventKind::OrderPaid, Payment::AwaitingPayment) => {
                    if event.order.status == OrderStatus::Paid {
                        self.payment = Payment::Paid {
                            event_id: event.id.clone(),
                            paid_at: now,
                        };
                        EventOutcome::MarkedPaid
                    } else {
                        EventOutcome::Mismatch("ignored: the event's order is not paid")
                    }
                }
                (EventKind::OrderFailed, Payment::AwaitingPayment) => EventOutcome::PaymentFailed,
                (EventKind::OrderFailed, Payment::Paid { .. }) => EventOutcome::FailureAfterPayment,
            },
        };
        self.events.push(ReceivedEvent {
            id: event.id.clone(),
            kind: event.kind,
            received_at: now,
            outcome,
        });
        outcome
    }

    /// Before shipping, check that the money Paydesk reports is the money this order
    /// asked for: same gateway order, same currency, same total.
    fn mismatch(&self, order: &OrderResponse) -> Option<&'static str> {
        if order.id != self.gateway_order_id {
            return Some("ignored: a different Paydesk order id");
        }
        if order.currency != self.currency {
            return Some("ignored: a different currency");
        }
        match Money::parse(&order.total, self.currency) {
            Ok(total) if total == self.total => None,
            Ok(_) | Err(_) => Some("ignored: a different total"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(total: &str) -> ShopOrder {
        ShopOrder {
            reference: ShopReference::generate(),
            gateway_order_id: "ord_1".into(),
            client_token: "ct_1".into(),
            hosted_url: None,
            currency: Currency::Cny,
            items: Vec::new(),
            total: Money::parse(total, Currency::Cny).unwrap(),
            payment: Payment::AwaitingPayment,
            events: Vec::new(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            expires_at: None,
        }
    }

    fn event(id: &str, kind: EventKind, status: OrderStatus, total: &str) -> PaydeskEvent {
        PaydeskEvent {
            id: id.into(),
            kind,
            order: OrderResponse {
                id: "ord_1".into(),
                status,
                currency: Currency::Cny,
                items: Vec::new(),
                total: total.into(),
                merchant_reference: "TH-0000000000".into(),
                return_url: "http://shop/checkout/complete".into(),
                client_token: "ct_1".into(),
                hosted_url: "http://gw/pay/ct_1".into(),
                receipt_url: None,
                created_at: String::new(),
                expires_at: String::new(),
                attempts: Vec::new(),
            },
        }
    }

    #[test]
    fn paid_event_marks_paid_once() {
        let mut o = order("25.00");
        let now = OffsetDateTime::UNIX_EPOCH;
        let paid = event("evt_1", EventKind::OrderPaid, OrderStatus::Paid, "25.00");
        assert_eq!(o.apply(&paid, now), EventOutcome::MarkedPaid);
        assert_eq!(o.payment.label(), "paid");
        let again = event("evt_2", EventKind::OrderPaid, OrderStatus::Paid, "25.00");
        assert_eq!(o.apply(&again, now), EventOutcome::AlreadyPaid);
        let failed = event("evt_3", EventKind::OrderFailed, OrderStatus::Paid, "25.00");
        assert_eq!(o.apply(&failed, now), EventOutcome::FailureAfterPayment);
        assert_eq!(
            o.payment,
            Payment::Paid {
                event_id: "evt_1".into(),
                paid_at: now
            }
        );
        assert_eq!(o.events.len(), 3);
    }

    #[test]
    fn failed_event_keeps_waiting() {
        let mut o = order("25.00");
        let failed = event(
            "evt_1",
            EventKind::OrderFailed,
            OrderStatus::Failed,
            "25.00",
        );
        assert_eq!(
            o.apply(&failed, OffsetDateTime::UNIX_EPOCH),
            EventOutcome::PaymentFailed
        );
        assert_eq!(o.payment.label(), "awaiting payment");
    }

    #[test]
    fn mismatched_events_never_mark_paid() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut o = order("25.00");
        let wrong_total = event("evt_1", EventKind::OrderPaid, OrderStatus::Paid, "2.50");
        assert!(matches!(
            o.apply(&wrong_total, now),
            EventOutcome::Mismatch(_)
        ));
        let mut wrong_id = event("evt_2", EventKind::OrderPaid, OrderStatus::Paid, "25.00");
        wrong_id.order.id = "ord_2".into();
        assert!(matches!(o.apply(&wrong_id, now), EventOutcome::Mismatch(_)));
        let not_paid = event("evt_3", EventKind::OrderPaid, OrderStatus::Pending, "25.00");
        assert!(matches!(o.apply(&not_paid, now), EventOutcome::Mismatch(_)));
        assert_eq!(o.payment, Payment::AwaitingPayment);
        assert_eq!(o.events.len(), 3);
    }
}
