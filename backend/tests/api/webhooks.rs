//! Webhooks as a merchant sees them: endpoints registered through the API, signed and
//! numbered events, retries for three days on a manual clock, 410 Gone, secret rotation,
//! the events list and redelivery.

use std::process::{Command, Stdio};
use std::time::Duration;

use paydesk_gateway::clock::Clock;
use paydesk_shared::webhook;
use paydesk_shared::webhook_api::{DeliveryList, EndpointList, EndpointResponse, EventList};
use serde_json::{Value, json};

use crate::helpers::{OTHER_SECRET_KEY, assert_error, spawn_app, spawn_app_with};
use crate::receiver::{Hit, Receiver};
use crate::webhook_support::{manual_app, subscribed};

/// Runs the standard-library-only Python verifier on a received webhook.
fn python_verifies(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/verify_webhook.py"
    );
    let mut child = Command::new("python3")
        .arg(script)
        .arg(secret)
        .arg(header)
        .arg(now.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs the independent verifier");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), body).unwrap();
    let output = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert_eq!(output.status.success(), said == "valid", "{said}");
    output.status.success()
}

#[tokio::test]
async fn an_independent_python_verifier_accepts_the_signature_and_nothing_else() {
    let (app, clock, receiver, endpoint) = subscribed(json!(["order.paid"])).await;
    let secret = endpoint.secret.unwrap();
    assert!(secret.starts_with("whsec_"));
    app.pay_order(&clock).await;
    let hit = receiver
        .wait_until("order.paid", |h| !h.is_empty())
        .await
        .remove(0);
    let now = clock.now_secs();

    assert!(python_verifies(&secret, &hit.signature, &hit.body, now));
    assert!(webhook::verify(&secret, &hit.signature, &hit.body, now, 300).is_ok());
    let mut tampered = hit.body.to_vec();
    tampered[10] ^= 1;
    assert!(!python_verifies(&secret, &hit.signature, &tampered, now));
    assert!(!python_verifies(
        "whsec_wrong",
        &hit.signature,
        &hit.body,
        now
    ));
    assert!(!python_verifies(
        &secret,
        &hit.signature,
        &hit.body,
        now + 301
    ));
    assert!(!python_verifies(&secret, "t=1", &hit.body, now));
}

/// The Python the webhook libraries are installed in (`cargo xtask setup` makes it).
fn webhook_python() -> String {
    std::env::var("PAYDESK_TOOLS_PYTHON").unwrap_or_else(|_| {
        let home = std::env::var("HOME").expect("HOME is set");
        format!("{home}/.cache/paydesk/tools/python/bin/python")
    })
}

/// Runs `standardwebhooks` and `stripe` on a received delivery; what each said.
fn libraries_verify(secret: &str, hit: &Hit) -> (bool, String) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/verify_with_libraries.py"
    );
    let headers: serde_json::Map<String, Value> = hit
        .headers
        .iter()
        .map(|(name, value)| (name.to_string(), json!(value.to_str().unwrap())))
        .collect();
    let python = webhook_python();
    let mut child = Command::new(&python)
        .arg(script)
        .arg(secret)
        .arg(Value::Object(headers).to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{python} runs (cargo xtask setup installs it): {e}"));
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &hit.body).unwrap();
    let output = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (output.status.success(), said)
}

/// A merchant verifies deliveries with the library they already have: the Standard
/// Webhooks reference library on the `webhook-*` headers, Stripe's on
/// `Paydesk-Signature`. Both refuse a changed body, another secret and another id.
#[tokio::test]
async fn deliveries_verify_with_the_standard_webhooks_and_stripe_libraries() {
    let (app, clock, receiver, endpoint) = subscribed(json!(["order.paid"])).await;
    let secret = endpoint.secret.unwrap();
    app.pay_order(&clock).await;
    let hit = receiver
        .wait_until("order.paid", |h| !h.is_empty())
        .await
        .remove(0);
    let event_id = hit.event().id;
    assert_eq!(hit.headers["webhook-id"], event_id.as_str());
    assert_eq!(
        hit.headers["webhook-timestamp"],
        clock.now_secs().to_string().as_str()
    );

    let (valid, said) = libraries_verify(&secret, &hit);
    assert!(valid, "{said}");
    assert_eq!(said, "standardwebhooks: valid\nstripe: valid");

    let mut tampered = hit.clone();
    let mut body = hit.body.to_vec();
    body[10] ^= 1;
    tampered.body = body.into();
    let (valid, said) = libraries_verify(&secret, &tampered);
    assert!(!valid);
    assert!(
        said.contains("standardwebhooks: invalid") && said.contains("stripe: invalid"),
        "{said}"
    );

    let other = "whsec_b3RoZXJzZWNyZXRvdGhlcnNlY3JldDEy";
    let (valid, said) = libraries_verify(other, &hit);
    assert!(!valid, "{said}");
    assert!(
        said.contains("standardwebhooks: invalid") && said.contains("stripe: invalid"),
        "{said}"
    );

    let mut replayed = hit.clone();
    replayed
        .headers
        .insert("webhook-id", "evt_another".parse().unwrap());
    let (valid, said) = libraries_verify(&secret, &replayed);
    assert!(!valid);
    assert!(said.starts_with("standardwebhooks: invalid"), "{said}");
}

#[tokio::test]
async fn events_are_numbered_per_order_filtered_by_type_and_listed() {
    let (app, clock, receiver, endpoint) = subscribed(json!(["order.paid"])).await;
    let order = app.decline_then_pay(&clock).await;
    let hits = receiver.wait_until("order.paid", |h| !h.is_empty()).await;
    app.dispatcher_caught_up().await;

    // Only the subscribed type reached the endpoint; its number says one came before.
    assert_eq!(receiver.hits().len(), 1);
    let paid = hits[0].event();
    assert_eq!((paid.kind.as_str(), paid.sequence), ("order.paid", 2));
    assert_eq!(paid.data.order.as_ref().unwrap().id, order.id);

    let list: EventList = app
        .merchant_get(&format!("/v1/events?order_id={}", order.id))
        .await
        .json()
        .await
        .unwrap();
    let listed: Vec<_> = list
        .data
        .iter()
        .map(|e| (e.kind.as_str(), e.sequence))
        .collect();
    assert_eq!(listed, [("order.paid", 2), ("order.failed", 1)]);
    assert!(!list.has_more);
    // The event as listed is the event as delivered.
    assert_eq!(
        serde_json::to_vec(&list.data[0]).unwrap(),
        hits[0].body.to_vec()
    );

    let deliveries: DeliveryList = app
        .merchant_get(&format!("/v1/events/{}/deliveries", paid.id))
        .await
        .json()
        .await
        .unwrap();
    let ours = deliveries
        .data
        .iter()
        .find(|d| d.endpoint_id == endpoint.id)
        .unwrap();
    assert_eq!(ours.status, "delivered");
    assert_eq!(ours.attempts.len(), 1);
    assert_eq!(ours.attempts[0].status_code, Some(200));
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_with_growing_gaps_for_three_days_then_redelivered() {
    let (app, clock, receiver, endpoint) = subscribed(json!(["*"])).await;
    receiver.answer_with(503);
    app.pay_order(&clock).await;
    app.dispatcher_caught_up().await;
    let backlog = app.operator_get("/v1/operator/webhooks").await;
    assert_eq!(backlog["pending"], 1);
    assert!(backlog["oldest_pending_since"].is_string());

    // Three days and an hour in ten-minute steps: every due retry is tried on the way.
    for _ in 0..(73 * 6) {
        clock.advance(Duration::from_secs(600));
        app.dispatcher_caught_up().await;
    }
    let hits = receiver.hits();
    let event_id = hits[0].event().id;
    let backlog = app.operator_get("/v1/operator/webhooks").await;
    assert_eq!(
        (backlog["pending"].as_i64(), backlog["failed"].as_i64()),
        (Some(0), Some(1))
    );
    assert!(
        hits.iter().all(|h| h.event().id == event_id),
        "one event id across retries"
    );
    assert_eq!(app.delivery_state(&event_id, &endpoint.id).await, "failed");
    // 5 s doubling to an hour (plus up to a fifth), for 72 hours: about 80 attempts.
    assert!((60..=90).contains(&hits.len()), "{} attempts", hits.len());
    let attempts: DeliveryList = app
        .merchant_get(&format!("/v1/events/{event_id}/deliveries"))
        .await
        .json()
        .await
        .unwrap();
    let attempts = &attempts.data[0].attempts;
    assert_eq!(attempts.len(), hits.len());
    assert!(attempts.iter().all(|a| a.status_code == Some(503)));
    let times: Vec<i64> = attempts
        .iter()
        .map(|a| parse_time(&a.at).unix_timestamp())
        .collect();
    let gaps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.iter().all(|g| *g >= 5), "{gaps:?}");
    assert!(gaps[gaps.len() - 1] >= 3600 && gaps[2] < 3600, "{gaps:?}");
    assert!(times[times.len() - 1] - times[0] <= 72 * 3600);

    // Fixed, the merchant asks again: delivered, same id.
    receiver.answer_with(200);
    let response = app
        .merchant_post(&format!("/v1/events/{event_id}/redeliver"), &json!({}))
        .await;
    assert_eq!(response.status(), 202);
    let hits = receiver
        .wait_until("the redelivery", |h| h.iter().any(|h| h.answered == 200))
        .await;
    assert_eq!(hits.last().unwrap().event().id, event_id);
    app.dispatcher_caught_up().await;
    assert_eq!(
        app.delivery_state(&event_id, &endpoint.id).await,
        "delivered"
    );
}

#[tokio::test]
async fn gone_disables_the_endpoint_until_the_merchant_enables_it_again() {
    let (app, clock, receiver, endpoint) = subscribed(json!(["*"])).await;
    receiver.answer_with(410);
    app.pay_order(&clock).await;
    receiver.wait_until("a 410", |h| h.len() == 1).await;
    app.dispatcher_caught_up().await;
    // The configured endpoint was disabled before the order: only ours counts.
    let backlog = app.operator_get("/v1/operator/webhooks").await;
    assert_eq!(backlog["failed"], 1);
    assert_eq!(backlog["pending"], 0);

    let disabled: EndpointResponse = app
        .merchant_get(&format!("/v1/webhook_endpoints/{}", endpoint.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(disabled.status, "disabled");
    assert!(disabled.disabled_reason.unwrap().contains("410"));

    // Nothing more goes there, however long we wait.
    app.pay_order(&clock).await;
    clock.advance(Duration::from_secs(3600));
    app.dispatcher_caught_up().await;
    assert_eq!(receiver.hits().len(), 1);

    receiver.answer_with(200);
    let enabled = app
        .merchant_post(
            &format!("/v1/webhook_endpoints/{}", endpoint.id),
            &json!({"status": "enabled"}),
        )
        .await;
    assert_eq!(enabled.status(), 200);
    let order = app.pay_order(&clock).await;
    let hits = receiver
        .wait_until("the next event", |h| h.len() == 2)
        .await;
    assert_eq!(hits[1].event().data.order.unwrap().id, order.id);
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one_for_the_overlap_only() {
    let (app, clock, receiver, endpoint) = subscribed(json!(["order.paid"])).await;
    let old = endpoint.secret.unwrap();
    let rotated: EndpointResponse = app
        .merchant_post(
            &format!("/v1/webhook_endpoints/{}/rotate_secret", endpoint.id),
            &json!({"overlap_secs": 3600}),
        )
        .await
        .json()
        .await
        .unwrap();
    let new = rotated.secret.unwrap();
    assert_ne!(new, old);
    assert!(rotated.previous_secret_expires_at.is_some());

    app.pay_order(&clock).await;
    let hit = receiver
        .wait_until("a webhook", |h| h.len() == 1)
        .await
        .remove(0);
    let now = clock.now_secs();
    assert_eq!(hit.signature.matches("v1=").count(), 2);
    assert!(python_verifies(&old, &hit.signature, &hit.body, now));
    assert!(python_verifies(&new, &hit.signature, &hit.body, now));

    clock.advance(Duration::from_secs(3601));
    app.pay_order(&clock).await;
    let hit = receiver
        .wait_until("a webhook", |h| h.len() == 2)
        .await
        .remove(1);
    let now = clock.now_secs();
    assert_eq!(hit.signature.matches("v1=").count(), 1);
    assert!(python_verifies(&new, &hit.signature, &hit.body, now));
    assert!(!python_verifies(&old, &hit.signature, &hit.body, now));
}

#[tokio::test]
async fn endpoints_are_registered_listed_changed_and_deleted() {
    let app = spawn_app().await;
    let receiver = Receiver::spawn().await;
    let created = app
        .register_endpoint(&receiver.url, json!(["order.paid", "refund.succeeded"]))
        .await;
    assert_eq!(created.status, "enabled");

    let list: EndpointList = app
        .merchant_get("/v1/webhook_endpoints")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<_> = list.data.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["we_mer_alpha", created.id.as_str()]);
    assert!(
        list.data.iter().all(|e| e.secret.is_none()),
        "secrets are shown once"
    );

    let changed: EndpointResponse = app
        .merchant_post(
            &format!("/v1/webhook_endpoints/{}", created.id),
            &json!({"event_types": ["order.expired"], "description": "ops"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed.event_types, ["order.expired"]);
    assert_eq!(changed.url, created.url);

    // Another merchant sees none of it.
    let theirs = app
        .client
        .get(app.url(&format!("/v1/webhook_endpoints/{}", created.id)))
        .bearer_auth(OTHER_SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_error(theirs, 404, "not_found").await;

    let deleted: Value = app
        .client
        .delete(app.url(&format!("/v1/webhook_endpoints/{}", created.id)))
        .bearer_auth(crate::helpers::SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(deleted, json!({"id": created.id, "deleted": true}));
    let gone = app
        .merchant_get(&format!("/v1/webhook_endpoints/{}", created.id))
        .await;
    assert_error(gone, 404, "not_found").await;
}

fn parse_time(rfc3339: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).unwrap()
}

async fn endpoint_count(app: &crate::helpers::TestApp) -> i64 {
    app.snapshot().await.webhook_endpoints
}

#[tokio::test]
async fn bad_endpoint_requests_are_refused_and_change_nothing() {
    let app = spawn_app_with(|c| c.webhook_allow_private_urls = false).await;
    let before = endpoint_count(&app).await;
    let cases = [
        (json!({"url": "not a url"}), 422, "url_invalid"),
        (json!({"url": "ftp://shop.example/x"}), 422, "url_invalid"),
        (
            json!({"url": "https://u:p@shop.example/x"}),
            422,
            "url_invalid",
        ),
        (
            json!({"url": "http://127.0.0.1:8082/hooks"}),
            422,
            "webhook_url_not_allowed",
        ),
        (
            json!({"url": "http://169.254.169.254/"}),
            422,
            "webhook_url_not_allowed",
        ),
        (
            json!({"url": "http://localhost/hooks"}),
            422,
            "webhook_url_not_allowed",
        ),
        (
            json!({"url": "https://shop.example/h", "event_types": []}),
            422,
            "event_type_unknown",
        ),
        (
            json!({"url": "https://shop.example/h", "event_types": ["order.shipped"]}),
            422,
            "event_type_unknown",
        ),
        (
            json!({"url": "https://shop.example/h", "event_types": ["*", "order.paid"]}),
            422,
            "event_type_unknown",
        ),
        (
            json!({"url": "https://shop.example/h", "description": "x".repeat(256)}),
            422,
            "field_too_long",
        ),
        (
            json!({"url": "https://shop.example/h", "colour": "red"}),
            400,
            "invalid_json",
        ),
        (json!({"event_types": ["*"]}), 400, "invalid_json"),
    ];
    for (body, status, code) in cases {
        let response = app.merchant_post("/v1/webhook_endpoints", &body).await;
        assert_error(response, status, code).await;
    }
    let unauthenticated = app
        .client
        .post(app.url("/v1/webhook_endpoints"))
        .json(&json!({"url": "https://shop.example/h"}))
        .send()
        .await
        .unwrap();
    assert_error(unauthenticated, 401, "unauthenticated").await;

    let path = "/v1/webhook_endpoints/we_mer_alpha";
    for (body, status, code) in [
        (json!({"status": "paused"}), 422, "invalid_field"),
        (
            json!({"url": "http://10.0.0.8/"}),
            422,
            "webhook_url_not_allowed",
        ),
        (json!({"event_types": ["nope"]}), 422, "event_type_unknown"),
    ] {
        assert_error(app.merchant_post(path, &body).await, status, code).await;
    }
    let rotate = format!("{path}/rotate_secret");
    for overlap in [-1, 604_801] {
        let response = app
            .merchant_post(&rotate, &json!({"overlap_secs": overlap}))
            .await;
        assert_error(response, 422, "invalid_field").await;
    }
    let missing = app
        .merchant_post("/v1/webhook_endpoints/we_missing/rotate_secret", &json!({}))
        .await;
    assert_error(missing, 404, "not_found").await;

    assert_eq!(endpoint_count(&app).await, before);
    let unchanged: EndpointResponse = app.merchant_get(path).await.json().await.unwrap();
    assert_eq!(unchanged.status, "enabled");
    assert_eq!(unchanged.event_types, ["*"]);

    // At most sixteen endpoints per merchant.
    for i in 1..16 {
        let url = format!("https://shop{i}.example/hooks");
        app.register_endpoint(&url, json!(["*"])).await;
    }
    let seventeenth = app
        .merchant_post(
            "/v1/webhook_endpoints",
            &json!({"url": "https://x.example/h"}),
        )
        .await;
    assert_error(seventeenth, 422, "endpoint_limit_reached").await;
}

#[tokio::test]
async fn events_page_by_cursor_and_bad_list_queries_are_refused() {
    let (app, clock) = manual_app().await;
    app.disable_configured_endpoint().await;
    for _ in 0..25 {
        app.pay_order(&clock).await;
        clock.advance(Duration::from_millis(5));
    }
    app.settled().await;
    let mut seen = Vec::new();
    let mut path = "/v1/events?type=order.paid&limit=10".to_owned();
    loop {
        let page: EventList = app.merchant_get(&path).await.json().await.unwrap();
        seen.extend(
            page.data
                .iter()
                .map(|e| (parse_time(&e.created_at), e.id.clone())),
        );
        if !page.has_more {
            break;
        }
        let last = &page.data.last().unwrap().id;
        path = format!("/v1/events?type=order.paid&limit=10&starting_after={last}");
    }
    assert_eq!(seen.len(), 25);
    let mut newest_first = seen.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, newest_first);
    newest_first.dedup();
    assert_eq!(newest_first.len(), 25);

    for query in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "type=order.shipped",
        "starting_after=evt_unknown",
        "colour=red",
        "limit=5&limit=6",
    ] {
        let response = app.merchant_get(&format!("/v1/events?{query}")).await;
        assert_error(response, 400, "query_invalid").await;
    }
    let missing = app.merchant_get("/v1/events/evt_missing").await;
    assert_error(missing, 404, "not_found").await;
    let theirs = app
        .client
        .get(app.url(&format!("/v1/events/{}", seen[0].1)))
        .bearer_auth(OTHER_SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_error(theirs, 404, "not_found").await;

    // Redelivery needs an enabled endpoint that takes the event.
    let event = &seen[0].1;
    let none = app
        .merchant_post(&format!("/v1/events/{event}/redeliver"), &json!({}))
        .await;
    assert_error(none, 409, "endpoint_disabled").await;
    let unknown = app
        .merchant_post(
            &format!("/v1/events/{event}/redeliver"),
            &json!({"endpoint_id": "we_missing"}),
        )
        .await;
    assert_error(unknown, 404, "not_found").await;
    let missing = app
        .merchant_post("/v1/events/evt_missing/redeliver", &json!({}))
        .await;
    assert_error(missing, 404, "not_found").await;
}
