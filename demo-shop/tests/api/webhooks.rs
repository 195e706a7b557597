use paydesk_shared::webhook;
use reqwest::StatusCode;

use crate::helpers::{WEBHOOK_SECRET, event, now, spawn_shop, status_text};

#[tokio::test]
async fn a_signed_order_paid_webhook_marks_the_order_paid() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;
    assert_eq!(
        shop.order_status(&order.reference).await,
        "awaiting payment"
    );

    let response = shop
        .deliver(&event("evt_paid_1", "order.paid", &order.gateway_order))
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let html = shop.order_page(&order.reference).await;
    assert_eq!(status_text(&html), "paid");
    assert!(html.contains("evt_paid_1"));
    assert!(html.contains("marked the order paid"));
}

#[tokio::test]
async fn unverifiable_webhooks_are_400_and_change_nothing() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;
    let body = serde_json::to_vec(&event("evt_1", "order.paid", &order.gateway_order)).unwrap();

    let forged = webhook::sign(&["whsec_someone_else"], now(), &body);
    let stale = webhook::sign(&[WEBHOOK_SECRET], now() - 3600, &body);
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let for_other_body = webhook::sign(&[WEBHOOK_SECRET], now(), &tampered);
    for signature in [
        Some(forged.as_str()),
        Some(stale.as_str()),
        Some(for_other_body.as_str()),
        Some("t=abc,v1=zz"),
        Some(""),
        None,
    ] {
        let response = shop.post_webhook(&body, signature).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{signature:?}");
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "signature_invalid", "{signature:?}");
    }

    for malformed in [
        &b"not json"[..],
        b"{}",
        br#"{"id":"evt_1","type":"order.paid"}"#,
    ] {
        let signature = webhook::sign(&[WEBHOOK_SECRET], now(), malformed);
        let response = shop.post_webhook(malformed, Some(&signature)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "invalid_json");
    }

    let html = shop.order_page(&order.reference).await;
    assert_eq!(status_text(&html), "awaiting payment");
    assert!(!html.contains("evt_1"));
}

#[tokio::test]
async fn a_duplicate_event_is_applied_once() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;
    let paid = event("evt_dup", "order.paid", &order.gateway_order);
    for _ in 0..3 {
        assert_eq!(shop.deliver(&paid).await.status(), StatusCode::OK);
    }
    let html = shop.order_page(&order.reference).await;
    assert_eq!(status_text(&html), "paid");
    assert_eq!(html.matches(r#"<li class="event">"#).count(), 1);
}

#[tokio::test]
async fn a_failed_payment_is_recorded_and_the_order_keeps_waiting() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;
    let response = shop
        .deliver(&event("evt_failed", "order.failed", &order.gateway_order))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = shop.order_page(&order.reference).await;
    assert_eq!(status_text(&html), "awaiting payment");
    assert!(html.contains("evt_failed"));

    // The shopper tries another bank and this time it works.
    shop.deliver(&event("evt_paid", "order.paid", &order.gateway_order))
        .await;
    assert_eq!(shop.order_status(&order.reference).await, "paid");
}

#[tokio::test]
async fn a_paid_event_that_does_not_match_the_order_is_not_trusted() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;
    let mut cheaper = event("evt_cheap", "order.paid", &order.gateway_order);
    cheaper.data.order.as_mut().unwrap().total = "0.01".into();
    assert_eq!(shop.deliver(&cheaper).await.status(), StatusCode::OK);
    let html = shop.order_page(&order.reference).await;
    assert_eq!(status_text(&html), "awaiting payment");
    assert!(html.contains("ignored: a different total"));
}

#[tokio::test]
async fn events_for_unknown_orders_or_types_are_acknowledged() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;

    let mut elsewhere = event("evt_elsewhere", "order.paid", &order.gateway_order);
    elsewhere.data.order.as_mut().unwrap().merchant_reference = "TH-ZZZZZZZZZZ".into();
    assert_eq!(shop.deliver(&elsewhere).await.status(), StatusCode::OK);

    let mut foreign = event("evt_foreign", "order.paid", &order.gateway_order);
    foreign.data.order.as_mut().unwrap().merchant_reference = "INV-2025-001".into();
    assert_eq!(shop.deliver(&foreign).await.status(), StatusCode::OK);

    let refunded = event("evt_refund", "order.refunded", &order.gateway_order);
    assert_eq!(shop.deliver(&refunded).await.status(), StatusCode::OK);

    assert_eq!(
        shop.order_status(&order.reference).await,
        "awaiting payment"
    );
}
