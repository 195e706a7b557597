//! The order lifecycle a merchant drives or waits for: expiry on the gateway's clock,
//! cancellation before payment, and the order list with filters and cursor pages.

use std::collections::HashSet;
use std::time::Duration;

use paydesk_gateway::clock::Clock;
use paydesk_shared::api::{OrderList, OrderResponse};
use serde_json::{Value, json};

use crate::helpers::{OTHER_SECRET_KEY, assert_error, order_body, spawn_app};
use crate::webhook_support::manual_app;

/// The order's events as (type, sequence), in sequence order.
async fn events_of(app: &crate::helpers::TestApp, order_id: &str) -> Vec<(String, i64)> {
    let mut events: Vec<(String, i64)> = app
        .events_of_order(order_id)
        .await
        .into_iter()
        .map(|e| (e.kind.as_str().to_owned(), e.sequence))
        .collect();
    events.sort_by_key(|(_, seq)| *seq);
    events
}

async fn create_with(app: &crate::helpers::TestApp, changes: Value) -> reqwest::Response {
    let mut body = order_body();
    for (k, v) in changes.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post_order(&body).await
}

#[tokio::test]
async fn an_unpaid_order_expires_on_time_with_one_event_and_a_paid_one_never() {
    let (app, clock) = manual_app().await;
    let short: OrderResponse = create_with(&app, json!({"expires_in": 60}))
        .await
        .json()
        .await
        .unwrap();
    let created = time::OffsetDateTime::parse(
        &short.created_at,
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let expires = time::OffsetDateTime::parse(
        &short.expires_at,
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!((expires - created).whole_seconds(), 60);
    let paid = app.pay_order(&clock).await;
    app.order_reaches(&paid.id, "paid").await;

    clock.advance(Duration::from_secs(59));
    app.dispatcher_caught_up().await;
    assert_eq!(app.stored_status(&short.id).await, "created");

    clock.advance(Duration::from_secs(2));
    app.order_reaches(&short.id, "expired").await;
    assert_eq!(
        events_of(&app, &short.id).await,
        [("order.expired".to_owned(), 1)]
    );

    // Well past the default fifteen minutes: the paid order stays paid.
    clock.advance(Duration::from_secs(3600));
    let default_ttl = app.create_order().await;
    clock.advance(Duration::from_secs(15 * 60));
    app.order_reaches(&default_ttl.id, "expired").await;
    assert_eq!(app.stored_status(&paid.id).await, "paid");
    assert_eq!(
        events_of(&app, &paid.id).await,
        [("order.paid".to_owned(), 1)]
    );
    assert_eq!(events_of(&app, &short.id).await.len(), 1, "expired once");
}

#[tokio::test]
async fn an_expiry_out_of_range_is_refused_and_creates_nothing() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    for bad in [json!(59), json!(86_401), json!(-60), json!(90.5), json!(0)] {
        let response = create_with(&app, json!({"expires_in": bad})).await;
        assert_error(response, 422, "expires_in_invalid").await;
    }
    let text = create_with(&app, json!({"expires_in": "600"})).await;
    assert_error(text, 400, "invalid_json").await;
    assert_eq!(app.snapshot().await, before);
    let longest = create_with(&app, json!({"expires_in": 86_400})).await;
    assert_eq!(longest.status(), 201);
}

#[tokio::test]
async fn an_order_is_cancelled_only_while_it_waits_for_the_shopper() {
    let (app, clock) = manual_app().await;
    let order = app.create_order().await;
    let cancel = |id: String| {
        let app = &app;
        async move {
            app.merchant_post(&format!("/v1/orders/{id}/cancel"), &json!({}))
                .await
        }
    };
    let response = cancel(order.id.clone()).await;
    assert_eq!(response.status(), 200);
    let cancelled: OrderResponse = response.json().await.unwrap();
    assert_eq!(cancelled.status.as_str(), "cancelled");
    assert_eq!(app.stored_status(&order.id).await, "cancelled");
    assert_eq!(
        events_of(&app, &order.id).await,
        [("order.cancelled".to_owned(), 1)]
    );

    assert_error(cancel(order.id.clone()).await, 409, "order_not_cancellable").await;
    let pay = app.start_attempt(&order, "ICBC", "click-1").await;
    assert_error(pay, 409, "order_not_payable").await;

    let (at_bank, _) = app.order_at_bank().await;
    let response = cancel(at_bank.id.clone()).await;
    assert_error(response, 409, "order_not_cancellable").await;
    let paid = app.pay_order(&clock).await;
    app.order_reaches(&paid.id, "paid").await;
    assert_error(cancel(paid.id.clone()).await, 409, "order_not_cancellable").await;

    // A declined order waits for the shopper again: it can be cancelled.
    let declined = app.declined_order(&clock).await;
    assert_eq!(cancel(declined.id.clone()).await.status(), 200);
    let events = events_of(&app, &declined.id).await;
    assert_eq!(events[1], ("order.cancelled".to_owned(), 2));
    let unknown = cancel("ord_missing".into()).await;
    assert_error(unknown, 404, "not_found").await;
    let fresh = app.create_order().await;
    let theirs = app
        .client
        .post(app.url(&format!("/v1/orders/{}/cancel", fresh.id)))
        .bearer_auth(OTHER_SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_error(theirs, 404, "not_found").await;

    // Past its expiry, before the expirer has run, it reads expired and stays so.
    clock.advance(Duration::from_secs(16 * 60));
    assert_error(cancel(fresh.id.clone()).await, 409, "order_not_cancellable").await;
    app.order_reaches(&fresh.id, "expired").await;
    assert_eq!(
        events_of(&app, &fresh.id).await,
        [("order.expired".to_owned(), 1)]
    );
    assert_eq!(app.stored_status(&at_bank.id).await, "expired");
}

#[tokio::test]
async fn orders_are_listed_newest_first_by_filter_and_cursor() {
    let (app, clock) = manual_app().await;
    let start = clock.now_ms();
    let mut made = Vec::new();
    for i in 0..45 {
        let response =
            create_with(&app, json!({"merchant_reference": format!("R-{}", i % 3)})).await;
        let order: OrderResponse = response.json().await.unwrap();
        made.push(order.id);
        clock.advance(Duration::from_secs(1));
    }
    let paid = app.pay_order(&clock).await;
    app.order_reaches(&paid.id, "paid").await;

    let mut pages = Vec::new();
    let mut path = "/v1/orders?limit=20".to_owned();
    loop {
        let page: OrderList = app.merchant_get(&path).await.json().await.unwrap();
        pages.push(page.data.len());
        let ids: Vec<String> = page.data.iter().map(|o| o.id.clone()).collect();
        made.retain(|id| !ids.contains(id));
        if !page.has_more {
            break;
        }
        path = format!("/v1/orders?limit=20&starting_after={}", ids.last().unwrap());
    }
    assert_eq!(pages, [20, 20, 6]);
    assert!(made.is_empty(), "every order listed once");

    let first: OrderList = app
        .merchant_get("/v1/orders?limit=3")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first.data[0].id, paid.id, "newest first");

    let only_paid: OrderList = app
        .merchant_get("/v1/orders?status=paid")
        .await
        .json()
        .await
        .unwrap();
    let paid_ids: Vec<_> = only_paid.data.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(paid_ids, [paid.id.as_str()]);

    let r1: OrderList = app
        .merchant_get("/v1/orders?merchant_reference=R-1&limit=100")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r1.data.len(), 15);
    assert!(r1.data.iter().all(|o| o.merchant_reference == "R-1"));

    // Orders made in seconds 10 to 19 of the run.
    let at = |secs: i64| {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(
            i128::from(start + secs * 1000) * 1_000_000,
        )
        .unwrap();
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let window = format!(
        "/v1/orders?created_gte={}&created_lt={}&limit=100",
        at(10),
        at(20)
    );
    let ranged: OrderList = app.merchant_get(&window).await.json().await.unwrap();
    assert_eq!(ranged.data.len(), 10);

    let theirs: OrderList = app
        .client
        .get(app.url("/v1/orders"))
        .bearer_auth(OTHER_SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(theirs.data.is_empty());

    let ids: HashSet<String> = r1.data.iter().map(|o| o.id.clone()).collect();
    assert_eq!(ids.len(), 15);
    for query in [
        "status=shipped",
        "limit=0",
        "limit=101",
        "created_gte=yesterday",
        "created_lt=2026-13-01T00:00:00Z",
        "starting_after=ord_missing",
        "sort=asc",
        "status=paid&status=created",
    ] {
        let response = app.merchant_get(&format!("/v1/orders?{query}")).await;
        assert_error(response, 400, "query_invalid").await;
    }
}
