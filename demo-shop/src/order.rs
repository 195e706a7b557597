//! The shop's own record of an order, and what a Paydesk webhook does to it.
//!
//! The shop ships on exactly one signal: a verified `order.paid` webhook whose order
//! matches what the shop created. The shopper's return from the bank is shown to the
//! shopper, never trusted.

use paydesk_shared::api::{LineItem, OrderResponse, RefundResponse};
use paydesk_shared::webhook::EventType;
use paydesk_shared::{Currency, Money, OrderStatus, refund_reason};
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

/// Where the order stands for the shop: whether it may ship, and what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Payment {
    Awaiting,
    Paid {
        event_id: String,
        paid_at: OffsetDateTime,
        /// Refunds that went through, by refund id; the shop restocks what they cover.
        refunds: Vec<(String, Money)>,
    },
    /// Paydesk stopped taking payment before anyone paid.
    Expired,
    /// The order was cancelled before anyone paid.
    Cancelled,
}

impl Payment {
    /// The words the order page shows (and end-to-end tests look for).
    pub(crate) fn label(&self, total: Money) -> &'static str {
        match self {
            Payment::Awaiting => "awaiting payment",
            Payment::Paid { refunds, .. } if refunds.is_empty() => "paid",
            Payment::Paid { .. } if self.refunded(total) == Some(total) => "refunded",
            Payment::Paid { .. } => "partly refunded",
            Payment::Expired => "expired",
            Payment::Cancelled => "cancelled",
        }
    }

    /// How much of a paid order went back to the shopper; `None` unless paid.
    pub(crate) fn refunded(&self, total: Money) -> Option<Money> {
        let Payment::Paid { refunds, .. } = self else {
            return None;
        };
        let minor = refunds.iter().map(|(_, amount)| amount.minor()).sum();
        Money::from_minor(minor, total.currency()).ok()
    }
}

/// The webhook event types the shop acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    OrderPaid,
    OrderFailed,
    OrderExpired,
    OrderCancelled,
    RefundSucceeded,
    RefundFailed,
}

impl EventKind {
    const ALL: [(EventKind, EventType); 6] = [
        (EventKind::OrderPaid, EventType::OrderPaid),
        (EventKind::OrderFailed, EventType::OrderFailed),
        (EventKind::OrderExpired, EventType::OrderExpired),
        (EventKind::OrderCancelled, EventType::OrderCancelled),
        (EventKind::RefundSucceeded, EventType::RefundSucceeded),
        (EventKind::RefundFailed, EventType::RefundFailed),
    ];

    /// `None` for event types about no order (settlements, payouts); Paydesk may add
    /// more.
    pub(crate) fn parse(kind: &str) -> Option<Self> {
        let kind = EventType::parse(kind)?;
        Self::ALL
            .into_iter()
            .find(|(_, event)| *event == kind)
            .map(|(ours, _)| ours)
    }

    pub(crate) fn as_str(self) -> &'static str {
        Self::ALL
            .into_iter()
            .find(|(ours, _)| *ours == self)
            .map_or("", |(_, event)| event.as_str())
    }
}

/// A verified webhook event the shop handles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PaydeskEvent {
    pub(crate) id: String,
    pub(crate) kind: EventKind,
    /// The order as Paydesk saw it when the event happened.
    pub(crate) order: OrderResponse,
    /// For refund events: the refund.
    pub(crate) refund: Option<RefundResponse>,
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
    /// The event does not change an order in this state (a failure after the payment,
    /// an expiry of a paid order); the reason says which.
    Unchanged(&'static str),
    MarkedExpired,
    MarkedCancelled,
    /// Part of the payment went back; the rest stays paid.
    PartlyRefunded,
    /// Everything paid went back: nothing to ship.
    Refunded,
    /// The bank did not take the refund back; the shopper still has it to get.
    RefundFailed,
    /// The event's order is not the one the shop created under this reference.
    Mismatch(&'static str),
}

impl EventOutcome {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            EventOutcome::MarkedPaid => "marked the order paid",
            EventOutcome::AlreadyPaid => "already paid, nothing changed",
            EventOutcome::PaymentFailed => "payment failed; still awaiting payment",
            EventOutcome::Unchanged(reason) | EventOutcome::Mismatch(reason) => reason,
            EventOutcome::MarkedExpired => "expired unpaid; nothing to ship",
            EventOutcome::MarkedCancelled => "cancelled unpaid; nothing to ship",
            EventOutcome::PartlyRefunded => "part of the payment refunded",
            EventOutcome::Refunded => "refunded in full; do not ship",
            EventOutcome::RefundFailed => "refund failed; the shopper is still owed it",
        }
    }
}

impl ShopOrder {
    /// The words the order page shows for where the order stands.
    pub(crate) fn status(&self) -> &'static str {
        self.payment.label(self.total)
    }

    /// Applies one verified event, already known to be new, and records it.
    pub(crate) fn apply(&mut self, event: &PaydeskEvent, now: OffsetDateTime) -> EventOutcome {
        let outcome = match self.mismatch(&event.order) {
            Some(reason) => EventOutcome::Mismatch(reason),
            None => self.change(event, now),
        };
        self.events.push(ReceivedEvent {
            id: event.id.clone(),
            kind: event.kind,
            received_at: now,
            outcome,
        });
        outcome
    }

    /// What `event` does to the order as it stands.
    fn change(&mut self, event: &PaydeskEvent, now: OffsetDateTime) -> EventOutcome {
        let paid = matches!(self.payment, Payment::Paid { .. });
        match event.kind {
            EventKind::OrderPaid if paid => EventOutcome::AlreadyPaid,
            EventKind::OrderPaid if event.order.status != OrderStatus::Paid => {
                EventOutcome::Mismatch("ignored: the event's order is not paid")
            }
            // Money that arrived counts, even after the shop gave up on the order.
            EventKind::OrderPaid => {
                self.payment = Payment::Paid {
                    event_id: event.id.clone(),
                    paid_at: now,
                    refunds: Vec::new(),
                };
                EventOutcome::MarkedPaid
            }
            EventKind::OrderFailed if paid => {
                EventOutcome::Unchanged("order already paid, nothing changed")
            }
            EventKind::OrderFailed => EventOutcome::PaymentFailed,
            EventKind::OrderExpired | EventKind::OrderCancelled if paid => {
                EventOutcome::Unchanged("order already paid, nothing changed")
            }
            EventKind::OrderExpired => {
                self.payment = Payment::Expired;
                EventOutcome::MarkedExpired
            }
            EventKind::OrderCancelled => {
                self.payment = Payment::Cancelled;
                EventOutcome::MarkedCancelled
            }
            EventKind::RefundSucceeded => self.refunded(event),
            EventKind::RefundFailed => EventOutcome::RefundFailed,
        }
    }

    /// Records a refund that went through.
    fn refunded(&mut self, event: &PaydeskEvent) -> EventOutcome {
        let total = self.total;
        let Some(refund) = &event.refund else {
            return EventOutcome::Mismatch("ignored: a refund event without its refund");
        };
        if refund_reason::is_automatic(&refund.reason) {
            return EventOutcome::Unchanged(
                "a payment the order could not keep (a second or late one) went back to the shopper; the order's own payment stands",
            );
        }
        let Payment::Paid { refunds, .. } = &mut self.payment else {
            return EventOutcome::Unchanged("ignored: the shop never saw this order paid");
        };
        let Ok(amount) = Money::parse(&refund.amount, total.currency()) else {
            return EventOutcome::Mismatch("ignored: a refund in another currency");
        };
        if !refunds.iter().any(|(id, _)| *id == refund.id) {
            refunds.push((refund.id.clone(), amount));
        }
        if self.payment.refunded(total) == Some(total) {
            EventOutcome::Refunded
        } else {
            EventOutcome::PartlyRefunded
        }
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
            payment: Payment::Awaiting,
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
            refund: None,
        }
    }

    fn refund(id: &str, refund_id: &str, amount: &str) -> PaydeskEvent {
        let mut e = event(id, EventKind::RefundSucceeded, OrderStatus::Paid, "25.00");
        e.refund = Some(RefundResponse {
            id: refund_id.into(),
            order_id: "ord_1".into(),
            attempt_id: "att_1".into(),
            amount: amount.into(),
            currency: Currency::Cny,
            reason: "requested_by_customer".into(),
            status: "succeeded".into(),
            failure_reason: None,
            created_at: String::new(),
            decided_at: None,
        });
        e
    }

    #[test]
    fn paid_event_marks_paid_once() {
        let mut o = order("25.00");
        let now = OffsetDateTime::UNIX_EPOCH;
        let paid = event("evt_1", EventKind::OrderPaid, OrderStatus::Paid, "25.00");
        assert_eq!(o.apply(&paid, now), EventOutcome::MarkedPaid);
        assert_eq!(o.payment.label(o.total), "paid");
        let again = event("evt_2", EventKind::OrderPaid, OrderStatus::Paid, "25.00");
        assert_eq!(o.apply(&again, now), EventOutcome::AlreadyPaid);
        let failed = event("evt_3", EventKind::OrderFailed, OrderStatus::Paid, "25.00");
        assert!(matches!(o.apply(&failed, now), EventOutcome::Unchanged(_)));
        let expired = event("evt_4", EventKind::OrderExpired, OrderStatus::Paid, "25.00");
        assert!(matches!(o.apply(&expired, now), EventOutcome::Unchanged(_)));
        assert_eq!(
            o.payment,
            Payment::Paid {
                event_id: "evt_1".into(),
                paid_at: now,
                refunds: Vec::new(),
            }
        );
        assert_eq!(o.events.len(), 4);
    }

    #[test]
    fn a_second_payment_given_back_leaves_the_order_paid() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut o = order("25.00");
        let paid = event("evt_1", EventKind::OrderPaid, OrderStatus::Paid, "25.00");
        o.apply(&paid, now);
        let mut duplicate = refund("evt_2", "re_1", "25.00");
        if let Some(r) = duplicate.refund.as_mut() {
            r.reason = refund_reason::DUPLICATE_PAYMENT.into();
        }
        assert!(matches!(
            o.apply(&duplicate, now),
            EventOutcome::Unchanged(_)
        ));
        assert_eq!(o.status(), "paid");
        assert_eq!(o.payment.refunded(o.total).unwrap().to_string(), "0.00");
    }

    #[test]
    fn refunds_add_up_to_partly_then_fully_refunded() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut o = order("25.00");
        assert!(matches!(
            o.apply(&refund("evt_0", "re_0", "5.00"), now),
            EventOutcome::Unchanged(_)
        ));
        let paid = event("evt_1", EventKind::OrderPaid, OrderStatus::Paid, "25.00");
        o.apply(&paid, now);
        assert_eq!(
            o.apply(&refund("evt_2", "re_1", "10.00"), now),
            EventOutcome::PartlyRefunded
        );
        assert_eq!(o.payment.label(o.total), "partly refunded");
        // The same refund told twice counts once.
        o.apply(&refund("evt_3", "re_1", "10.00"), now);
        assert_eq!(o.payment.refunded(o.total).unwrap().to_string(), "10.00");
        let failed = event("evt_4", EventKind::RefundFailed, OrderStatus::Paid, "25.00");
        assert_eq!(o.apply(&failed, now), EventOutcome::RefundFailed);
        assert_eq!(
            o.apply(&refund("evt_5", "re_2", "15.00"), now),
            EventOutcome::Refunded
        );
        assert_eq!(o.payment.label(o.total), "refunded");
        assert_eq!(o.payment.refunded(o.total), Some(o.total));
    }

    #[test]
    fn an_unpaid_order_expires_or_is_cancelled_and_a_late_payment_still_counts() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut o = order("25.00");
        let expired = event(
            "evt_1",
            EventKind::OrderExpired,
            OrderStatus::Expired,
            "25.00",
        );
        assert_eq!(o.apply(&expired, now), EventOutcome::MarkedExpired);
        assert_eq!(o.payment.label(o.total), "expired");
        let paid = event("evt_2", EventKind::OrderPaid, OrderStatus::Paid, "25.00");
        assert_eq!(o.apply(&paid, now), EventOutcome::MarkedPaid);

        let mut o = order("25.00");
        let cancelled = event(
            "evt_3",
            EventKind::OrderCancelled,
            OrderStatus::Cancelled,
            "25.00",
        );
        assert_eq!(o.apply(&cancelled, now), EventOutcome::MarkedCancelled);
        assert_eq!(o.payment.label(o.total), "cancelled");
        for kind in [EventKind::OrderPaid, EventKind::OrderCancelled] {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventKind::parse("payout.paid"), None);
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
        assert_eq!(o.payment.label(o.total), "awaiting payment");
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
        assert_eq!(o.payment, Payment::Awaiting);
        assert_eq!(o.events.len(), 3);
    }
}
