use paydesk_shared::ErrorCode;
use reqwest::StatusCode;

use crate::helpers::{SECRET_KEY, spawn_shop, spawn_shop_without_gateway};

#[tokio::test]
async fn checkout_creates_the_order_at_paydesk_and_mounts_the_widget() {
    let mut shop = spawn_shop().await;
    let response = shop
        .checkout(&[
            ("qty-longjing", "2"),
            ("qty-jasmine-pearls", "0"),
            ("qty-celadon-cup", "1"),
            ("qty-bamboo-tray", ""),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let reference = location.strip_prefix("/checkout/").unwrap();
    assert!(reference.starts_with("TH-"), "{reference}");

    let sent = shop.gateway.next_request();
    assert_eq!(
        sent.authorization.as_deref(),
        Some(format!("Bearer {SECRET_KEY}").as_str())
    );
    assert_eq!(sent.idempotency_key.as_deref(), Some(reference));
    let request = sent.request;
    assert_eq!(request.currency, "CNY");
    assert_eq!(request.merchant_reference, reference);
    assert_eq!(
        request.return_url,
        format!("{}/checkout/complete?ref={reference}", shop.url)
    );
    let items: Vec<_> = request
        .items
        .iter()
        .map(|i| {
            (
                i.name.as_str(),
                i.quantity.as_u64(),
                i.unit_price.as_str(),
                i.image_url.clone(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            (
                "Longjing green tea",
                Some(2),
                "25.00",
                Some(format!("{}/static/products/longjing.svg", shop.url))
            ),
            (
                "Celadon cup",
                Some(1),
                "68.00",
                Some(format!("{}/static/products/celadon-cup.svg", shop.url))
            ),
        ]
    );

    let order = shop.gateway.order(reference);
    let page = shop.get(&location).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<div id="paydesk-checkout"></div>"#));
    assert!(html.contains(&format!(
        r##"<script src="{}/assets/paydesk.js" data-client-token="{}" data-target="#paydesk-checkout" async></script>"##,
        shop.gateway.url, order.client_token
    )));
    assert!(html.contains("¥118.00"), "total computed by the gateway");
    assert!(html.contains(reference));
    assert!(!html.contains(SECRET_KEY));
}

#[tokio::test]
async fn return_page_mounts_the_widget_and_links_to_the_order() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;
    let html = shop
        .get_html(&format!("/checkout/complete?ref={}", order.reference))
        .await;
    assert!(html.contains(r#"<div id="paydesk-checkout"></div>"#));
    assert!(html.contains(&format!(
        r#"data-client-token="{}""#,
        order.gateway_order.client_token
    )));
    assert!(html.contains(&format!(r#"href="/orders/{}""#, order.reference)));
    // Coming back from the bank proves nothing; only the webhook marks it paid.
    assert_eq!(
        shop.order_status(&order.reference).await,
        "awaiting payment"
    );
}

#[tokio::test]
async fn bad_quantities_are_400_without_calling_the_gateway() {
    let mut shop = spawn_shop().await;
    let cases: [&[(&str, &str)]; 9] = [
        &[],
        &[("qty-longjing", "0"), ("qty-celadon-cup", "0")],
        &[("qty-longjing", "-1")],
        &[("qty-longjing", "100")],
        &[("qty-longjing", "1.5")],
        &[("qty-longjing", "two")],
        &[("qty-longjing", "1e1")],
        &[("qty-teapot", "1")],
        &[("qty-longjing", "1"), ("qty-longjing", "1")],
    ];
    for form in cases {
        let response = shop.checkout(form).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{form:?}");
        let html = response.text().await.unwrap();
        assert!(html.contains("Please check your basket"), "{form:?}");
        shop.gateway.assert_no_request();
    }

    let not_a_form = reqwest::Client::new()
        .post(format!("{}/checkout", shop.url))
        .header("content-type", "application/json")
        .body(r#"{"qty-longjing": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(not_a_form.status(), StatusCode::BAD_REQUEST);
    shop.gateway.assert_no_request();
}

#[tokio::test]
async fn a_gateway_error_is_shown_to_the_shopper() {
    let mut shop = spawn_shop().await;
    shop.gateway.fail_next(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::ReturnUrlNotRegistered,
        "return_url is not registered for this merchant",
    );
    let response = shop.checkout(&[("qty-longjing", "1")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Payment could not start"));
    assert!(html.contains("return_url is not registered for this merchant"));
    shop.gateway.next_request();
    shop.gateway.assert_no_request();
}

#[tokio::test]
async fn a_transient_gateway_failure_is_retried_with_the_same_key() {
    let mut shop = spawn_shop().await;
    shop.gateway.fail_next(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        "internal error",
    );
    let response = shop.checkout(&[("qty-bamboo-tray", "1")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let first = shop.gateway.next_request();
    let second = shop.gateway.next_request();
    assert!(first.idempotency_key.is_some());
    assert_eq!(first.idempotency_key, second.idempotency_key);
    assert_eq!(first.request, second.request);
    shop.gateway.assert_no_request();
}

#[tokio::test]
async fn an_unreachable_gateway_is_a_502_page() {
    let shop = spawn_shop_without_gateway().await;
    let response = shop.checkout(&[("qty-longjing", "1")]).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let html = response.text().await.unwrap();
    assert!(html.contains("The payment service is not answering right now"));
}
