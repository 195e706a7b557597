use paydesk_shared::bank_protocol::PaymentOutcome;

use crate::helpers::*;

#[tokio::test]
async fn the_operator_sees_quarantined_notifications_and_the_inbox_backlog() {
    let app = spawn_app().await;
    let (order, attempt_id) = app.order_at_bank().await;
    let wrong = app.notification(&order, &attempt_id, "1.18", PaymentOutcome::Succeeded);
    assert_eq!(app.notify(wrong, &app.bank.clone()).await.status(), 200);
    let right = app.notification(&order, &attempt_id, "118.00", PaymentOutcome::Succeeded);
    assert_eq!(app.notify(right, &app.bank.clone()).await.status(), 200);
    app.settled().await;

    let alerts = app.operator_get("/v1/operator/alerts").await;
    let alerts = alerts["data"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["kind"], "notification_mismatch");
    assert_eq!(alerts[0]["order_id"], order.id.as_str());
    assert_eq!(alerts[0]["attempt_id"], attempt_id.as_str());
    assert!(alerts[0]["message"].as_str().unwrap().contains("1.18"));
    assert!(alerts[0]["bank_message_id"].is_i64());

    let inbox = app.operator_get("/v1/operator/bank-inbox").await;
    assert_eq!(inbox["received"], 0);
    assert_eq!(inbox["applied"], 1);
    assert_eq!(inbox["quarantined"], 1);
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "paid");
}

#[tokio::test]
async fn the_operator_api_needs_the_operator_key() {
    let app = spawn_app().await;
    for path in [
        "/v1/operator/alerts",
        "/v1/operator/bank-inbox",
        "/v1/operator/webhooks",
    ] {
        let none = app.get(path).await;
        assert_error(none, 401, "unauthenticated").await;
        for key in ["op_wrong", SECRET_KEY] {
            let wrong = app
                .client
                .get(app.url(path))
                .bearer_auth(key)
                .send()
                .await
                .unwrap();
            assert_error(wrong, 401, "unauthenticated").await;
        }
    }
    let off = spawn_app_with(|c| c.operator_key = None).await;
    let response = off
        .client
        .get(off.url("/v1/operator/alerts"))
        .bearer_auth(OPERATOR_KEY)
        .send()
        .await
        .unwrap();
    assert_error(response, 401, "unauthenticated").await;
}
