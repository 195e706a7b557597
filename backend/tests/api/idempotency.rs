//! `Idempotency-Key` on every merchant POST: the first answer replayed byte for byte,
//! a different request refused, a running one answered 409, keys kept 24 hours.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt;
use paydesk_gateway::domain::event::EventType;
use serde_json::{Value, json};

use crate::helpers::{SECRET_KEY, TestApp, assert_error, order_body, spawn_app};
use crate::webhook_support::manual_app;

const KEYS: usize = 200;
const PER_KEY: usize = 50;
/// Keys whose requests are in flight at once.
const WAVE: usize = 8;

/// A merchant POST's answer: status, body and whether it says it is a replay.
type Answered = (u16, Vec<u8>, bool);

/// A merchant POST with a key.
async fn post(app: &TestApp, path: &str, key: &str, body: &Value) -> Answered {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(SECRET_KEY)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let replayed = response.headers().get("idempotent-replayed").is_some();
    (status, response.bytes().await.unwrap().to_vec(), replayed)
}

fn code(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap();
    v["error"]["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_keys_fifty_times_each_at_once_create_two_hundred_orders() {
    let app = spawn_app().await;
    // Each key's fifty requests go out together; keys in waves, so the sockets of one
    // process (client and gateway both live here) stay within its open-file limit.
    let answers: Vec<(usize, Answered)> = futures::stream::iter(0..KEYS)
        .map(|k| {
            let app = &app;
            async move {
                let mut body = order_body();
                body["merchant_reference"] = json!(format!("IDEM-{k}"));
                let key = format!("key-{k}");
                let posts = (0..PER_KEY).map(|_| post(app, "/v1/orders", &key, &body));
                futures::future::join_all(posts)
                    .await
                    .into_iter()
                    .map(|answer| (k, answer))
                    .collect::<Vec<_>>()
            }
        })
        .buffer_unordered(WAVE)
        .flat_map(futures::stream::iter)
        .collect()
        .await;

    let mut first: HashMap<usize, Vec<u8>> = HashMap::new();
    let (mut created, mut in_use) = (0, 0);
    for (k, (status, body, _)) in answers {
        match status {
            201 => {
                created += 1;
                let seen = first.entry(k).or_insert_with(|| body.clone());
                assert_eq!(
                    *seen, body,
                    "key {k}: a replay differs from the first answer"
                );
            }
            409 => {
                assert_eq!(code(&body), "idempotency_key_in_use");
                in_use += 1;
            }
            other => panic!("key {k}: {other} {}", String::from_utf8_lossy(&body)),
        }
    }
    assert_eq!(app.snapshot().await.orders, KEYS as i64);
    assert_eq!(first.len(), KEYS, "every key got its order");
    assert_eq!(created + in_use, KEYS * PER_KEY);
    eprintln!(
        "{created} answers 201 (first or replayed), {in_use} answers 409 while the first ran"
    );

    // Once all have answered, every key replays its first answer, marked as a replay.
    for (k, body) in &first {
        let mut again = order_body();
        again["merchant_reference"] = json!(format!("IDEM-{k}"));
        let (status, replay, replayed) =
            post(&app, "/v1/orders", &format!("key-{k}"), &again).await;
        assert_eq!((status, replayed), (201, true));
        assert_eq!(&replay, body);
    }

    // The same key with another body: refused, nothing created.
    let before = app.snapshot().await;
    let mut other = order_body();
    other["merchant_reference"] = json!("SOMETHING-ELSE");
    let (status, body, _) = post(&app, "/v1/orders", "key-0", &other).await;
    assert_eq!(
        (status, code(&body).as_str()),
        (422, "idempotency_key_reused")
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_key_is_one_request_and_an_error_is_not_remembered() {
    let app = spawn_app().await;
    let (status, _, _) = post(&app, "/v1/orders", "k-1", &order_body()).await;
    assert_eq!(status, 201);
    // The same key for another endpoint is another request.
    let endpoint = json!({"url": "https://shop.example/hooks"});
    let (status, body, _) = post(&app, "/v1/webhook_endpoints", "k-1", &endpoint).await;
    assert_eq!(
        (status, code(&body).as_str()),
        (422, "idempotency_key_reused")
    );

    // A refused request records nothing: fixed, the same key goes through.
    let mut bad = order_body();
    bad["currency"] = json!("XXX");
    let (status, _, _) = post(&app, "/v1/orders", "k-2", &bad).await;
    assert_eq!(status, 422);
    let (status, _, replayed) = post(&app, "/v1/orders", "k-2", &order_body()).await;
    assert_eq!((status, replayed), (201, false));

    for bad_key in ["", &"k".repeat(256), "caf\u{e9}"] {
        let response = app
            .client
            .post(app.url("/v1/orders"))
            .bearer_auth(SECRET_KEY)
            .header("idempotency-key", bad_key)
            .json(&order_body())
            .send()
            .await
            .unwrap();
        assert_error(response, 400, "idempotency_key_invalid").await;
    }
    assert_eq!(app.snapshot().await.orders, 2);
}

#[tokio::test]
async fn keys_are_kept_twenty_four_hours() {
    let (app, clock) = manual_app().await;
    let (_, first, _) = post(&app, "/v1/orders", "daily", &order_body()).await;
    clock.advance(Duration::from_secs(23 * 3600));
    let (_, replay, replayed) = post(&app, "/v1/orders", "daily", &order_body()).await;
    assert!(replayed);
    assert_eq!(replay, first);

    clock.advance(Duration::from_secs(3600 + 1));
    let (status, fresh, replayed) = post(&app, "/v1/orders", "daily", &order_body()).await;
    assert_eq!((status, replayed), (201, false));
    assert_ne!(fresh, first);
    assert_eq!(app.snapshot().await.orders, 2);
    // The janitor forgets keys past their day.
    // The key's new answer replaced its expired one.
    assert_eq!(app.snapshot().await.idempotency_answers, 1);
    clock.advance(Duration::from_secs(25 * 3600));
    app.settled().await;
    assert_eq!(
        app.snapshot().await.idempotency_answers,
        0,
        "old keys not pruned"
    );
}

#[tokio::test]
async fn every_merchant_post_replays_its_first_answer_and_acts_once() {
    let (app, clock) = manual_app().await;
    let paid = app.pay_order(&clock).await;
    app.order_reaches(&paid.id, "paid").await;
    let waiting = app.create_order().await;
    let event = app.events_of_order(&paid.id).await[0].id.clone();

    let twice = |path: String, key: &'static str, body: Value| {
        let app = &app;
        async move {
            let (status, first, _) = post(app, &path, key, &body).await;
            assert!(
                (200..300).contains(&status),
                "{path}: {status} {}",
                String::from_utf8_lossy(&first)
            );
            let (again, replay, replayed) = post(app, &path, key, &body).await;
            assert_eq!((again, replayed), (status, true), "{path}");
            assert_eq!(replay, first, "{path}");
            serde_json::from_slice::<Value>(&first).unwrap()
        }
    };
    twice(
        format!("/v1/orders/{}/refunds", paid.id),
        "refund",
        json!({"amount": "1.00"}),
    )
    .await;
    assert_eq!(app.snapshot().await.refunds, 1);
    twice(
        format!("/v1/orders/{}/cancel", waiting.id),
        "cancel",
        json!({}),
    )
    .await;
    let cancelled = app.events_of_type(EventType::OrderCancelled).await;
    assert_eq!(cancelled.len(), 1);
    let endpoints = app.snapshot().await.webhook_endpoints;
    let created = twice(
        "/v1/webhook_endpoints".into(),
        "endpoint",
        json!({"url": "https://shop.example/hooks"}),
    )
    .await;
    assert_eq!(app.snapshot().await.webhook_endpoints, endpoints + 1);
    let id = created["id"].as_str().unwrap().to_owned();
    twice(
        format!("/v1/webhook_endpoints/{id}"),
        "update",
        json!({"description": "ops"}),
    )
    .await;
    let rotated = twice(
        format!("/v1/webhook_endpoints/{id}/rotate_secret"),
        "rotate",
        json!({}),
    )
    .await;
    let stored = app
        .store
        .webhook_endpoint(&"mer_alpha".into(), &id.as_str().into())
        .await
        .unwrap();
    assert_eq!(
        rotated["secret"],
        stored.unwrap().secret.as_str(),
        "rotated once"
    );
    let again = twice(
        format!("/v1/events/{event}/redeliver"),
        "redeliver",
        json!({}),
    )
    .await;
    assert_eq!(again["event_id"], event.as_str());
}
