//! `/metrics` after real traffic: request counters and latencies by route, and what
//! the database holds (inbox backlog, webhook deliveries, ledger postings, payouts,
//! connections), behind the operator key.

use paydesk_shared::bank_protocol::PaymentOutcome;

use crate::helpers::*;

/// The value of the sample `series` (name and labels as printed), 0 if absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

async fn scrape(app: &TestApp) -> String {
    let response = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(OPERATOR_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = response.text().await.unwrap();
    assert!(text.ends_with("# EOF\n"), "{text}");
    text
}

const ORDERS_CREATED: &str =
    r#"paydesk_http_requests_total{route="/v1/orders",method="POST",status="201"}"#;
const ORDERS_LATENCY: &str =
    r#"paydesk_http_request_duration_seconds_count{route="/v1/orders",method="POST"}"#;
const NOTIFIED: &str = r#"paydesk_http_requests_total{route="/v1/bank/notifications/{connector}",method="POST",status="200"}"#;

#[tokio::test]
async fn counters_move_with_real_traffic() {
    let mut app = spawn_app().await;
    let before = scrape(&app).await;
    assert_eq!(sample(&before, ORDERS_CREATED), 0.0);
    assert_eq!(sample(&before, "paydesk_ledger_transactions"), 0.0);

    // Three orders, one paid at its bank and its webhook delivered; a made-up path.
    let mut orders = Vec::new();
    for _ in 0..3 {
        orders.push(app.create_order().await);
    }
    let (paid, attempt) = app.order_at_bank().await;
    let body = app.notification(&paid, &attempt, &paid.total, PaymentOutcome::Succeeded);
    assert_eq!(app.notify(body, &app.bank).await.status(), 200);
    app.settled().await;
    app.next_webhook().await;
    assert_eq!(app.get("/no/such/path").await.status(), 404);

    let after = scrape(&app).await;
    assert_eq!(sample(&after, ORDERS_CREATED), 4.0, "{after}");
    assert_eq!(sample(&after, ORDERS_LATENCY), 4.0);
    assert_eq!(sample(&after, NOTIFIED), 1.0);
    assert_eq!(
        sample(
            &after,
            r#"paydesk_http_requests_total{route="unmatched",method="GET",status="404"}"#
        ),
        1.0,
        "a path that is no route is counted under one label, never its own"
    );
    assert!(!after.contains("/no/such/path"));
    // Tokens are in paths; only route templates are labels.
    assert!(!after.contains(&paid.client_token));

    // What the database holds: the payment is posted, nothing waits in the inbox, the
    // order.paid webhook is delivered.
    assert_eq!(sample(&after, "paydesk_bank_inbox_backlog"), 0.0);
    assert_eq!(sample(&after, "paydesk_ledger_transactions"), 1.0);
    assert!(sample(&after, r#"paydesk_webhook_deliveries{state="delivered"}"#) >= 1.0);
    assert_eq!(
        sample(&after, r#"paydesk_webhook_deliveries{state="failed"}"#),
        0.0
    );
    assert_eq!(sample(&after, r#"paydesk_payouts{state="paid"}"#), 0.0);
    assert!(after.contains(r#"paydesk_payouts{state="in_transit"} 0"#));
    assert!(after.contains(r#"paydesk_db_connections{pool="write",state="idle"}"#));
    assert!(after.contains("# TYPE paydesk_http_request_duration_seconds histogram"));
}

#[tokio::test]
async fn metrics_need_the_operator_key() {
    let app = spawn_app().await;
    assert_error(app.get("/metrics").await, 401, "unauthenticated").await;
    let merchant = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_error(merchant, 401, "unauthenticated").await;
}
