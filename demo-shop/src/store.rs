//! The shop's order store. In memory here; a real shop keeps this in its database,
//! and each method below is one transaction there (the event-id set is a table with
//! a unique key on the event id).

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use time::OffsetDateTime;

use crate::order::{EventOutcome, PaydeskEvent, ShopOrder};
use crate::reference::ShopReference;

/// What happened to a delivered webhook event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    Applied(EventOutcome),
    /// Paydesk retries until it sees a 2xx, so the same event can arrive again.
    Duplicate,
    UnknownOrder,
}

#[derive(Debug, Default)]
pub(crate) struct OrderStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    orders: HashMap<ShopReference, ShopOrder>,
    seen_events: HashSet<String>,
}

impl OrderStore {
    pub(crate) fn insert(&self, order: ShopOrder) {
        self.lock().orders.insert(order.reference.clone(), order);
    }

    pub(crate) fn get(&self, reference: &ShopReference) -> Option<ShopOrder> {
        self.lock().orders.get(reference).cloned()
    }

    /// Applies `event` to the order under `reference` unless the event id was seen
    /// before. The check and the change happen under one lock, so two deliveries of
    /// the same event racing each other still apply it once.
    pub(crate) fn deliver(
        &self,
        reference: &ShopReference,
        event: &PaydeskEvent,
        now: OffsetDateTime,
    ) -> Delivery {
        let mut inner = self.lock();
        if inner.seen_events.contains(&event.id) {
            return Delivery::Duplicate;
        }
        let Some(order) = inner.orders.get_mut(reference) else {
            return Delivery::UnknownOrder;
        };
        let outcome = order.apply(event, now);
        inner.seen_events.insert(event.id.clone());
        Delivery::Applied(outcome)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update above is a single insert or a completed `apply`, so the data is
        // consistent even if a holder panicked; keep serving rather than fail forever.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use paydesk_shared::api::OrderResponse;
    use paydesk_shared::{Currency, Money, OrderStatus};

    use super::*;
    use crate::order::{EventKind, Payment};

    fn stored_order(store: &OrderStore) -> ShopReference {
        let reference = ShopReference::generate();
        store.insert(ShopOrder {
            reference: reference.clone(),
            gateway_order_id: "ord_1".into(),
            client_token: "ct_1".into(),
            hosted_url: None,
            currency: Currency::Cny,
            items: Vec::new(),
            total: Money::parse("25.00", Currency::Cny).unwrap(),
            payment: Payment::Awaiting,
            events: Vec::new(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            expires_at: None,
        });
        reference
    }

    fn paid_event(reference: &ShopReference) -> PaydeskEvent {
        PaydeskEvent {
            id: "evt_1".into(),
            kind: EventKind::OrderPaid,
            order: OrderResponse {
                id: "ord_1".into(),
                status: OrderStatus::Paid,
                currency: Currency::Cny,
                items: Vec::new(),
                total: "25.00".into(),
                merchant_reference: reference.to_string(),
                return_url: String::new(),
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

    #[test]
    fn applies_each_event_once() {
        let store = OrderStore::default();
        let reference = stored_order(&store);
        let event = paid_event(&reference);
        let now = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(
            store.deliver(&reference, &event, now),
            Delivery::Applied(EventOutcome::MarkedPaid)
        );
        assert_eq!(store.deliver(&reference, &event, now), Delivery::Duplicate);
        let order = store.get(&reference).unwrap();
        assert_eq!(order.payment.label(order.total), "paid");
        assert_eq!(order.events.len(), 1);
    }

    #[test]
    fn unknown_orders_are_reported_not_remembered() {
        let store = OrderStore::default();
        let elsewhere = ShopReference::generate();
        let event = paid_event(&elsewhere);
        let now = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(
            store.deliver(&elsewhere, &event, now),
            Delivery::UnknownOrder
        );
        assert_eq!(
            store.deliver(&elsewhere, &event, now),
            Delivery::UnknownOrder
        );
    }
}
