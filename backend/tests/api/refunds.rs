//! Refunds a merchant asks for: never more than was paid, also when requests race.

use paydesk_shared::api::{RefundList, RefundResponse};
use serde_json::json;

use crate::helpers::{OTHER_SECRET_KEY, TestApp, assert_error};
use crate::webhook_support::manual_app;

async fn refund(app: &TestApp, order_id: &str, amount: Option<&str>) -> reqwest::Response {
    let body = match amount {
        Some(a) => json!({"amount": a}),
        None => json!({}),
    };
    app.merchant_post(&format!("/v1/orders/{order_id}/refunds"), &body)
        .await
}

async fn refunded_minor(app: &TestApp, order_id: &str) -> i64 {
    app.store
        .refunds_for_order(&order_id.into())
        .await
        .unwrap()
        .iter()
        .map(|r| r.amount.minor())
        .sum()
}

#[tokio::test]
async fn concurrent_refunds_never_exceed_the_payment() {
    let (app, clock) = manual_app().await;
    let order = app.pay_order(&clock).await;
    app.order_reaches(&order.id, "paid").await;
    assert_eq!(order.total, "118.00");

    let answers =
        futures::future::join_all((0..20).map(|_| refund(&app, &order.id, Some("10.00")))).await;
    let mut created = 0;
    for answer in answers {
        match answer.status().as_u16() {
            201 => {
                let r: RefundResponse = answer.json().await.unwrap();
                assert_eq!((r.amount.as_str(), r.status.as_str()), ("10.00", "pending"));
                assert_eq!(r.reason, "requested_by_customer");
                created += 1;
            }
            _ => assert_error(answer, 422, "refund_exceeds_payment").await,
        }
    }
    assert_eq!(created, 11);
    assert_eq!(refunded_minor(&app, &order.id).await, 11_000);

    let too_much = refund(&app, &order.id, Some("9.00")).await;
    assert_eq!(too_much.status(), 422);
    let body: serde_json::Value = too_much.json().await.unwrap();
    assert!(
        body["error"]["message"].as_str().unwrap().contains("8.00"),
        "{body}"
    );
    assert_eq!(refund(&app, &order.id, Some("8.00")).await.status(), 201);
    assert_error(
        refund(&app, &order.id, Some("0.01")).await,
        422,
        "refund_exceeds_payment",
    )
    .await;
    assert_error(
        refund(&app, &order.id, None).await,
        422,
        "refund_exceeds_payment",
    )
    .await;
    assert_eq!(refunded_minor(&app, &order.id).await, 11_800);

    let list: RefundList = app
        .merchant_get(&format!("/v1/orders/{}/refunds", order.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.data.len(), 12);
    let one: RefundResponse = app
        .merchant_get(&format!("/v1/refunds/{}", list.data[0].id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one, list.data[0]);
}

#[tokio::test]
async fn a_refund_without_an_amount_gives_back_what_is_left() {
    let (app, clock) = manual_app().await;
    let order = app.pay_order(&clock).await;
    app.order_reaches(&order.id, "paid").await;
    let full: RefundResponse = refund(&app, &order.id, None).await.json().await.unwrap();
    assert_eq!(full.amount, "118.00");

    let other = app.pay_order(&clock).await;
    app.order_reaches(&other.id, "paid").await;
    assert_eq!(refund(&app, &other.id, Some("18.00")).await.status(), 201);
    let rest: RefundResponse = app
        .merchant_post(
            &format!("/v1/orders/{}/refunds", other.id),
            &json!({"reason": "duplicate"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (rest.amount.as_str(), rest.reason.as_str()),
        ("100.00", "duplicate")
    );
}

#[tokio::test]
async fn bad_refund_requests_are_refused_and_change_nothing() {
    let (app, clock) = manual_app().await;
    let unpaid = app.create_order().await;
    let paid = app.pay_order(&clock).await;
    app.order_reaches(&paid.id, "paid").await;
    let before = app.snapshot().await.refunds;

    assert_error(
        refund(&app, &unpaid.id, None).await,
        409,
        "order_not_refundable",
    )
    .await;
    assert_error(refund(&app, "ord_missing", None).await, 404, "not_found").await;
    for bad in ["0", "0.00", "-1.00", "1.001", "abc", "", "1e3"] {
        let response = refund(&app, &paid.id, Some(bad)).await;
        assert_error(response, 422, "amount_invalid").await;
    }
    let path = format!("/v1/orders/{}/refunds", paid.id);
    let reason = app
        .merchant_post(&path, &json!({"reason": "changed_mind"}))
        .await;
    assert_error(reason, 422, "invalid_field").await;
    let unknown = app
        .merchant_post(&path, &json!({"amount": "1.00", "to": "me"}))
        .await;
    assert_error(unknown, 400, "invalid_json").await;
    let number = app.merchant_post(&path, &json!({"amount": 1.5})).await;
    assert_error(number, 400, "invalid_json").await;
    let theirs = app
        .client
        .post(app.url(&path))
        .bearer_auth(OTHER_SECRET_KEY)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_error(theirs, 404, "not_found").await;
    assert_eq!(app.snapshot().await.refunds, before);

    let made: RefundResponse = refund(&app, &paid.id, Some("1.00"))
        .await
        .json()
        .await
        .unwrap();
    let theirs = app
        .client
        .get(app.url(&format!("/v1/refunds/{}", made.id)))
        .bearer_auth(OTHER_SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_error(theirs, 404, "not_found").await;
    assert_error(
        app.merchant_get("/v1/refunds/rfd_missing").await,
        404,
        "not_found",
    )
    .await;
}
