//! Webhook endpoints and the outbox: one delivery per event and subscribed endpoint,
//! results recorded while pending, secrets rotated and events redelivered only for
//! endpoints that can take them.

use super::fixtures::*;
use crate::domain::event::{EventFilter, EventType};
use crate::domain::order::Order;
use crate::domain::webhook::{
    AttemptLog, DeliveryOutcome, DeliveryResult, DeliveryState, EndpointStatus,
};
use crate::store::{CancelOrder, Redeliver, RotateSecret, Store};

/// Cancels the order: its `order.cancelled` event goes to every subscribed endpoint.
async fn cancelled<S: Store>(store: &S, order: &Order, event_id: &str) {
    let cancel = CancelOrder {
        event: event(order, event_id, EventType::OrderCancelled, NOW),
        now: NOW,
        answer: None,
    };
    store.cancel_order(&cancel).await.expect("cancelled");
}

fn result(event_id: &str, endpoint_id: &str, outcome: DeliveryOutcome) -> DeliveryResult {
    DeliveryResult {
        event_id: event_id.into(),
        endpoint_id: endpoint_id.into(),
        attempt: AttemptLog {
            started_at: NOW + 10,
            duration_ms: 12,
            status_code: Some(500),
            error: Some("the endpoint answered 500".into()),
        },
        outcome,
    }
}

async fn state<S: Store>(store: &S, event_id: &str) -> Vec<(String, DeliveryState)> {
    store
        .event_deliveries(&event_id.into())
        .await
        .expect("read")
        .into_iter()
        .map(|d| (d.endpoint_id.to_string(), d.state))
        .collect()
}

pub(crate) async fn an_event_is_delivered_to_each_subscribed_endpoint<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    save_endpoint(store, endpoint("we_a", EndpointStatus::Enabled)).await;
    let mut only_paid = endpoint("we_b", EndpointStatus::Enabled);
    only_paid.event_types = vec!["order.paid".into()];
    save_endpoint(store, only_paid).await;
    save_endpoint(store, endpoint("we_c", EndpointStatus::Disabled)).await;
    cancelled(store, &order, "evt_1").await;
    assert_eq!(
        state(store, "evt_1").await,
        [("we_a".into(), DeliveryState::Pending)]
    );
    let due = store.due_deliveries(NOW, 10).await.expect("read");
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].endpoint.id.as_str(), due[0].kind),
        ("we_a", EventType::OrderCancelled)
    );
    assert_eq!(store.next_delivery_due().await.expect("read"), Some(NOW));
    let listed = store
        .events(&MERCHANT.into(), &EventFilter::default(), 10)
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].payload, due[0].payload);
}

pub(crate) async fn delivery_results_are_recorded_with_their_attempts<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    save_endpoint(store, endpoint("we_a", EndpointStatus::Enabled)).await;
    cancelled(store, &order, "evt_1").await;
    let retry = DeliveryOutcome::Retry {
        next_attempt_at: NOW + 5_000,
    };
    store
        .record_deliveries(&[result("evt_1", "we_a", retry)])
        .await
        .expect("recorded");
    assert!(
        store
            .due_deliveries(NOW + 4_999, 10)
            .await
            .expect("read")
            .is_empty()
    );
    store
        .record_deliveries(&[result("evt_1", "we_a", DeliveryOutcome::Delivered)])
        .await
        .expect("recorded");
    let deliveries = store.event_deliveries(&"evt_1".into()).await.expect("read");
    assert_eq!(deliveries[0].state, DeliveryState::Delivered);
    assert_eq!(deliveries[0].attempts.len(), 2);
    let counts = store.delivery_counts().await.expect("counts");
    assert_eq!((counts.pending, counts.delivered), (0, 1));
}

/// `DeliveryPending`: a delivery cancelled while its attempt ran stays cancelled.
pub(crate) async fn a_cancelled_delivery_stays_cancelled<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    save_endpoint(store, endpoint("we_a", EndpointStatus::Enabled)).await;
    cancelled(store, &order, "evt_1").await;
    save_endpoint(store, endpoint("we_a", EndpointStatus::Disabled)).await;
    assert_eq!(
        state(store, "evt_1").await,
        [("we_a".into(), DeliveryState::Cancelled)]
    );
    store
        .record_deliveries(&[result("evt_1", "we_a", DeliveryOutcome::Delivered)])
        .await
        .expect("recorded");
    assert_eq!(
        state(store, "evt_1").await,
        [("we_a".into(), DeliveryState::Cancelled)]
    );
}

/// `410 Gone` disables the endpoint and cancels what else was pending for it.
pub(crate) async fn gone_disables_the_endpoint<S: Store>(store: &S) {
    let first = order(store, "ord_1").await;
    let second = order(store, "ord_2").await;
    save_endpoint(store, endpoint("we_a", EndpointStatus::Enabled)).await;
    cancelled(store, &first, "evt_1").await;
    cancelled(store, &second, "evt_2").await;
    store
        .record_deliveries(&[result("evt_1", "we_a", DeliveryOutcome::Gone)])
        .await
        .expect("recorded");
    let endpoint = store
        .webhook_endpoint(&MERCHANT.into(), &"we_a".into())
        .await
        .expect("read");
    assert_eq!(endpoint.map(|e| e.status), Some(EndpointStatus::Disabled));
    assert_eq!(
        state(store, "evt_2").await,
        [("we_a".into(), DeliveryState::Cancelled)]
    );
}

fn rotation(endpoint_id: &str) -> RotateSecret {
    RotateSecret {
        merchant_id: MERCHANT.into(),
        endpoint_id: endpoint_id.into(),
        secret: "whsec_two".into(),
        previous_until: NOW + 60_000,
        now: NOW,
        answer: None,
    }
}

/// `EndpointLive`: a deleted endpoint's secret is not rotated.
pub(crate) async fn only_a_live_endpoint_rotates_its_secret<S: Store>(store: &S) {
    order(store, "ord_1").await;
    save_endpoint(store, endpoint("we_a", EndpointStatus::Enabled)).await;
    let rotated = store
        .rotate_webhook_secret(&rotation("we_a"))
        .await
        .expect("rotate")
        .expect("a live endpoint");
    assert_eq!(rotated.signing_secrets(NOW), ["whsec_two", "whsec_one"]);
    assert_eq!(rotated.signing_secrets(NOW + 60_000), ["whsec_two"]);
    save_endpoint(store, endpoint("we_b", EndpointStatus::Deleted)).await;
    let deleted = store
        .rotate_webhook_secret(&rotation("we_b"))
        .await
        .expect("rotate");
    assert_eq!(deleted, None);
    let others = RotateSecret {
        merchant_id: "mer_other".into(),
        ..rotation("we_a")
    };
    assert_eq!(
        store.rotate_webhook_secret(&others).await.expect("rotate"),
        None
    );
}

/// `EndpointEnabled`: an event goes again only to endpoints that take events; one
/// that does not undoes the whole redelivery.
pub(crate) async fn redelivery_needs_enabled_endpoints<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    save_endpoint(store, endpoint("we_a", EndpointStatus::Enabled)).await;
    cancelled(store, &order, "evt_1").await;
    store
        .record_deliveries(&[result("evt_1", "we_a", DeliveryOutcome::GiveUp)])
        .await
        .expect("recorded");
    save_endpoint(store, endpoint("we_b", EndpointStatus::Disabled)).await;
    let both = Redeliver {
        event_id: "evt_1".into(),
        endpoint_ids: vec!["we_a".into(), "we_b".into()],
        now: NOW + 100,
        answer: None,
    };
    assert!(!store.redeliver(&both).await.expect("redeliver"));
    assert_eq!(
        state(store, "evt_1").await,
        [("we_a".into(), DeliveryState::Failed)]
    );
    let one = Redeliver {
        endpoint_ids: vec!["we_a".into()],
        ..both
    };
    assert!(store.redeliver(&one).await.expect("redeliver"));
    assert_eq!(
        state(store, "evt_1").await,
        [("we_a".into(), DeliveryState::Pending)]
    );
}

pub(crate) async fn endpoints_are_saved_and_listed_without_deleted_ones<S: Store>(store: &S) {
    order(store, "ord_1").await;
    save_endpoint(store, endpoint("we_a", EndpointStatus::Enabled)).await;
    save_endpoint(store, endpoint("we_b", EndpointStatus::Enabled)).await;
    let mut changed = endpoint("we_a", EndpointStatus::Enabled);
    changed.url = "https://shop.example/v2/webhooks".into();
    changed.secret = "whsec_ignored".into();
    save_endpoint(store, changed).await;
    save_endpoint(store, endpoint("we_b", EndpointStatus::Deleted)).await;
    let listed = store
        .webhook_endpoints(&MERCHANT.into())
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].url, "https://shop.example/v2/webhooks");
    assert_eq!(
        listed[0].secret, "whsec_one",
        "saving never changes the secret"
    );
    assert_eq!(
        store
            .webhook_endpoint(&MERCHANT.into(), &"we_b".into())
            .await
            .expect("read"),
        None
    );
}
