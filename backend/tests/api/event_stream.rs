//! `/v1/events/stream`: the merchant's events as Server-Sent Events, as they are
//! stored, each exactly as webhooks deliver it.

use std::time::Duration;

use serde_json::Value;

use crate::helpers::{SECRET_KEY, SseReader, assert_error};
use crate::webhook_support::manual_app;

#[tokio::test]
async fn the_stream_carries_each_new_event_as_delivered_and_nothing_older() {
    let (app, clock) = manual_app().await;
    let earlier = app.pay_order(&clock).await;
    app.order_reaches(&earlier.id, "paid").await;
    // Well past the stream's reach back for events stamped just before it opened.
    clock.advance(Duration::from_secs(10));
    let mut stream = SseReader::new(app.merchant_get("/v1/events/stream").await);

    let order = app.decline_then_pay(&clock).await;
    for expected in ["order.failed", "order.paid"] {
        let message = stream
            .next_within(Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("no {expected} on the stream"));
        assert_eq!(message.event, expected);
        let id = message.id.expect("every message names its event");
        let data: Value = serde_json::from_str(&message.data).unwrap();
        assert_eq!(data["id"], id.as_str());
        assert_eq!(data["type"], expected);
        assert_eq!(data["data"]["order"]["id"], order.id.as_str());
        let stored: Value = app
            .merchant_get(&format!("/v1/events/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(data, stored, "the stream sends the event as stored");
    }
    assert_eq!(
        stream.next_within(Duration::from_millis(1500)).await,
        None,
        "the order paid before the stream opened is not sent"
    );
}

#[tokio::test]
async fn a_stream_resumes_after_the_last_event_it_names() {
    let (app, clock) = manual_app().await;
    let mut first = SseReader::new(app.merchant_get("/v1/events/stream").await);
    let order = app.decline_then_pay(&clock).await;
    let failed = first.next_within(Duration::from_secs(10)).await.unwrap();
    assert_eq!(failed.event, "order.failed");
    drop(first);
    // Stored while nobody listened.
    let later = app.pay_order(&clock).await;
    app.order_reaches(&later.id, "paid").await;

    let resumed = app
        .client
        .get(app.url("/v1/events/stream"))
        .bearer_auth(SECRET_KEY)
        .header("last-event-id", failed.id.clone().unwrap())
        .send()
        .await
        .unwrap();
    let mut resumed = SseReader::new(resumed);
    for subject in [&order.id, &later.id] {
        let message = resumed.next_within(Duration::from_secs(10)).await.unwrap();
        assert_eq!(message.event, "order.paid");
        let data: Value = serde_json::from_str(&message.data).unwrap();
        assert_eq!(data["data"]["order"]["id"], subject.as_str());
    }
    assert_eq!(resumed.next_within(Duration::from_millis(1500)).await, None);
}

#[tokio::test]
async fn the_stream_needs_a_secret_key_and_a_known_last_event() {
    let (app, _clock) = manual_app().await;
    let anonymous = app.get("/v1/events/stream").await;
    assert_error(anonymous, 401, "unauthenticated").await;
    let unknown = app
        .client
        .get(app.url("/v1/events/stream"))
        .bearer_auth(SECRET_KEY)
        .header("last-event-id", "evt_unknown")
        .send()
        .await
        .unwrap();
    assert_error(unknown, 400, "invalid_field").await;
}
