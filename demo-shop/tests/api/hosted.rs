//! Hosted mode: the checkout page offers Paydesk's own page, and the shop's link
//! sends the shopper to exactly the order's `hosted_url`.

use reqwest::StatusCode;

use crate::helpers::spawn_shop;

#[tokio::test]
async fn the_checkout_page_links_to_the_shops_hosted_route() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;
    let html = shop
        .get_html(&format!("/checkout/{}", order.reference))
        .await;
    assert!(html.contains(&format!(
        r#"<a class="button" href="/checkout/{}/hosted" data-action="pay-hosted">Pay on a Paydesk page</a>"#,
        order.reference
    )));
    // The page names no hosted URL itself: the shop's server decides where it goes.
    assert!(!html.contains(&order.gateway_order.hosted_url));
}

#[tokio::test]
async fn the_hosted_route_redirects_303_to_the_orders_hosted_url() {
    let mut shop = spawn_shop().await;
    let first = shop.place_order().await;
    let second = shop.place_order().await;
    assert_ne!(
        first.gateway_order.hosted_url,
        second.gateway_order.hosted_url
    );
    for order in [&first, &second] {
        let hosted_url = &order.gateway_order.hosted_url;
        assert!(hosted_url.starts_with(&format!("{}/pay/ct_", shop.gateway.url)));
        let response = shop
            .get(&format!("/checkout/{}/hosted", order.reference))
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["location"], hosted_url.as_str());
    }
    // Query parameters never choose the target.
    let response = shop
        .get(&format!(
            "/checkout/{}/hosted?next=https://evil.example/&hosted_url=https://evil.example/",
            first.reference
        ))
        .await;
    assert_eq!(
        response.headers()["location"],
        first.gateway_order.hosted_url.as_str()
    );
}

#[tokio::test]
async fn a_hosted_url_off_the_gateway_is_never_followed() {
    let mut shop = spawn_shop().await;
    for foreign in ["https://evil.example/pay", "", "/pay"] {
        shop.gateway.set_hosted_base(foreign);
        let order = shop.place_order().await;
        let html = shop
            .get_html(&format!("/checkout/{}", order.reference))
            .await;
        assert!(
            html.contains(r#"<div id="paydesk-checkout"></div>"#),
            "{foreign}"
        );
        assert!(!html.contains("pay-hosted"), "{foreign}");
        let response = shop
            .get(&format!("/checkout/{}/hosted", order.reference))
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{foreign}");
        assert!(response.headers().get("location").is_none());
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("No Paydesk page for this order")
        );
    }
}

#[tokio::test]
async fn bad_references_on_the_hosted_route_are_404_pages() {
    let shop = spawn_shop().await;
    for path in [
        "/checkout/TH-0000000000/hosted",
        "/checkout/nope/hosted",
        "/checkout/%3Cscript%3E/hosted",
        "/checkout/complete/hosted",
        "/checkout/TH-0000000000/hosted/more",
    ] {
        let response = shop.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(response.headers().get("location").is_none(), "{path}");
        assert!(
            response.text().await.unwrap().contains("Page not found"),
            "{path}"
        );
    }
    let post = reqwest::Client::new()
        .post(format!("{}/checkout/TH-0000000000/hosted", shop.url))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_return_page_serves_both_modes() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;
    // Hosted and embedded payments come back to the same registered return URL.
    let sent = order.gateway_order.return_url.clone();
    assert_eq!(
        sent,
        format!("{}/checkout/complete?ref={}", shop.url, order.reference)
    );
    let html = shop
        .get_html(&format!("/checkout/complete?ref={}", order.reference))
        .await;
    assert!(html.contains(&format!(
        r#"data-client-token="{}""#,
        order.gateway_order.client_token
    )));
}
