//! `/v1/widget/status/stream`: the status pushed to the widget.

use std::time::Duration;

use paydesk_gateway::domain::event::{EventType, NewEvent};
use paydesk_gateway::store::CancelOrder;
use paydesk_shared::bank_protocol::PaymentOutcome;

use crate::helpers::*;

#[tokio::test]
async fn the_stream_says_expired_when_the_order_runs_out_of_time() {
    let app = spawn_app_with(|config| config.order_ttl = Duration::from_millis(1500)).await;
    let order = app.create_order().await;
    let mut events = StatusEvents::open(&app, &order.client_token).await;
    let first = events.next(Duration::from_secs(5)).await;
    assert_eq!(first["status"], "created");
    assert_eq!(first["order_id"], order.id.as_str());
    let expired = events.next(Duration::from_secs(20)).await;
    assert_eq!(expired["status"], "expired");
    assert_eq!(expired["order_id"], order.id.as_str());
}

#[tokio::test]
async fn a_pending_order_expires_on_the_stream_too() {
    let app = spawn_app_with(|config| config.order_ttl = Duration::from_millis(1500)).await;
    let (order, _attempt) = app.order_at_bank().await;
    let mut events = StatusEvents::open(&app, &order.client_token).await;
    assert_eq!(
        events.next(Duration::from_secs(5)).await["status"],
        "pending"
    );
    assert_eq!(
        events.next(Duration::from_secs(20)).await["status"],
        "expired"
    );
}

#[tokio::test]
async fn an_order_paid_in_time_never_shows_expired() {
    let app = spawn_app_with(|config| config.order_ttl = Duration::from_millis(1500)).await;
    let (order, attempt_id) = app.order_at_bank().await;
    let mut events = StatusEvents::open(&app, &order.client_token).await;
    assert_eq!(
        events.next(Duration::from_secs(5)).await["status"],
        "pending"
    );
    let body = app.notification(&order, &attempt_id, &order.total, PaymentOutcome::Succeeded);
    assert_eq!(app.notify(body, &app.bank).await.status(), 200);
    assert_eq!(events.next(Duration::from_secs(5)).await["status"], "paid");
    // Past the expiry the order is still paid, and the stream says nothing more.
    let more = events.next_within(Duration::from_secs(3)).await;
    assert_eq!(more, None);
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "paid");
}

#[tokio::test]
async fn an_order_that_has_already_expired_says_so_first() {
    let app = spawn_app_with(|config| config.order_ttl = Duration::ZERO).await;
    let order = app.create_order().await;
    let mut events = StatusEvents::open(&app, &order.client_token).await;
    assert_eq!(
        events.next(Duration::from_secs(5)).await["status"],
        "expired"
    );
}

/// The shopper left the first bank without an answer and paid at a second; the first
/// one's payment lands afterwards. The stream stays open while a bank may still decide
/// and tells the shopper that payment is refunded.
#[tokio::test]
async fn a_second_payment_after_paid_is_told_as_refunded() {
    let app = spawn_app().await;
    let (order, first) = app.order_at_bank().await;
    let again = app.start_attempt(&order, "ICBC", "click-2").await;
    assert_eq!(again.status(), 201);
    let second: paydesk_shared::api::CreateAttemptResponse = again.json().await.unwrap();
    let mut events = StatusEvents::open(&app, &order.client_token).await;
    let pending = events.next(Duration::from_secs(5)).await;
    assert_eq!(
        (
            &pending["status"],
            &pending["awaiting_bank"],
            &pending["extra_payment_refunded"]
        ),
        (&"pending".into(), &true.into(), &false.into()),
        "{pending}"
    );

    let paid = app.notification(
        &order,
        &second.attempt_id,
        &order.total,
        PaymentOutcome::Succeeded,
    );
    assert_eq!(app.notify(paid, &app.bank).await.status(), 200);
    let paid = events.next(Duration::from_secs(5)).await;
    assert_eq!(
        (
            &paid["status"],
            &paid["awaiting_bank"],
            &paid["extra_payment_refunded"]
        ),
        (&"paid".into(), &true.into(), &false.into()),
        "{paid}"
    );

    let late = app.notification(&order, &first, &order.total, PaymentOutcome::Succeeded);
    assert_eq!(app.notify(late, &app.bank).await.status(), 200);
    let told = events.next(Duration::from_secs(5)).await;
    assert_eq!(
        (
            &told["status"],
            &told["awaiting_bank"],
            &told["extra_payment_refunded"]
        ),
        (&"paid".into(), &false.into(), &true.into()),
        "{told}"
    );
    let session: serde_json::Value = app
        .widget_get("/v1/widget/session", &order.client_token)
        .await;
    assert_eq!(
        session["order"]["extra_payment_refunded"], true,
        "{session}"
    );
    assert_eq!(session["order"]["awaiting_bank"], false, "{session}");
    let kept = app.get_order(&order.id).await;
    assert_eq!(kept.status.as_str(), "paid");
    assert!(
        kept.attempts
            .iter()
            .all(|a| a.status.as_str() == "succeeded")
    );
}

/// A change is published to open streams after its commit. A process killed between
/// the two, or a replica's signal lost on the way, must not leave a stream waiting:
/// the stream reads its order again while it can change. Here the order is cancelled
/// in the store itself, which publishes nothing.
#[tokio::test]
async fn a_change_that_was_never_published_still_reaches_the_stream() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let mut events = StatusEvents::open(&app, &order.client_token).await;
    assert_eq!(
        events.next(Duration::from_secs(5)).await["status"],
        "created"
    );
    // Reading the same status again sends nothing.
    assert_eq!(events.next_within(Duration::from_secs(7)).await, None);

    let stored = app.store.order_by_id(&order.id.as_str().into()).await;
    let stored = stored.unwrap().expect("the order is stored");
    let now = now_secs() * 1000;
    let cancel = CancelOrder {
        event: NewEvent {
            id: "evt_unpublished".into(),
            merchant_id: stored.merchant_id.clone(),
            subject: order.id.clone(),
            kind: EventType::OrderCancelled,
            data: "{}".into(),
            created_at: now,
        },
        now,
        answer: None,
    };
    app.store.cancel_order(&cancel).await.expect("cancelled");

    let told = events.next(Duration::from_secs(15)).await;
    assert_eq!(told["status"], "cancelled", "{told}");
}
