use reqwest::StatusCode;

use crate::helpers::spawn_shop;

const PRODUCTS: [&str; 4] = ["longjing", "jasmine-pearls", "celadon-cup", "bamboo-tray"];

#[tokio::test]
async fn storefront_lists_products_with_quantity_inputs() {
    let shop = spawn_shop().await;
    let response = shop.get("/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let html = response.text().await.unwrap();

    assert!(html.contains("Paydesk Tea House"));
    assert!(html.contains(r#"<form class="shop" method="post" action="/checkout">"#));
    assert!(
        html.contains(r#"<button type="submit" class="button primary" data-action="checkout">"#)
    );
    for (i, id) in PRODUCTS.iter().enumerate() {
        let default = if i == 0 { 1 } else { 0 };
        assert!(
            html.contains(&format!(r#"name="qty-{id}" value="{default}""#)),
            "quantity input for {id}"
        );
        assert!(html.contains(&format!(r#"src="/static/products/{id}.svg""#)));
    }
    for price in ["¥25.00", "¥38.50", "¥68.00", "¥129.90"] {
        assert!(html.contains(price), "{price}");
    }
}

#[tokio::test]
async fn pages_carry_no_inline_script_or_style() {
    let mut shop = spawn_shop().await;
    let order = shop.place_order().await;
    for path in [
        "/".to_owned(),
        format!("/checkout/{}", order.reference),
        format!("/checkout/complete?ref={}", order.reference),
        format!("/orders/{}", order.reference),
        "/missing".to_owned(),
    ] {
        let html = shop.get(&path).await.text().await.unwrap();
        assert!(!html.contains("style="), "{path}");
        assert!(!html.contains("<style"), "{path}");
        for (at, _) in html.match_indices("<script") {
            assert!(
                html[at..].starts_with("<script src="),
                "inline script on {path}"
            );
        }
    }
}

#[tokio::test]
async fn pages_are_served_with_a_strict_csp_that_allows_the_widget() {
    let shop = spawn_shop().await;
    let response = shop.get("/").await;
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    let gateway = &shop.gateway.url;
    for directive in [
        "default-src 'self'".to_owned(),
        format!("script-src 'self' {gateway} 'wasm-unsafe-eval'"),
        format!("connect-src 'self' {gateway}"),
        format!("style-src 'self' {gateway}"),
        format!("img-src 'self' {gateway} data:"),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ] {
        assert!(
            csp.split("; ").any(|d| d == directive),
            "{directive} in {csp}"
        );
    }
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn serves_its_stylesheet_and_product_pictures() {
    let shop = spawn_shop().await;
    let css = shop.get("/static/shop.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().await.unwrap().contains(".products"));

    for path in PRODUCTS
        .iter()
        .map(|id| format!("/static/products/{id}.svg"))
        .chain(["/static/logo.svg".to_owned()])
    {
        let response = shop.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["content-type"], "image/svg+xml");
        assert!(
            response.text().await.unwrap().starts_with("<svg "),
            "{path}"
        );
    }
    assert_eq!(
        shop.get("/static/../Cargo.toml").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        shop.get("/static/nope.svg").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn unknown_pages_and_orders_are_404_pages() {
    let shop = spawn_shop().await;
    for path in [
        "/nope",
        "/orders/TH-0000000000",
        "/orders/<script>",
        "/checkout/TH-0000000000",
        "/checkout/complete?ref=TH-0000000000",
    ] {
        let response = shop.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(response.text().await.unwrap().contains("Page not found"));
    }
    assert_eq!(
        shop.get("/checkout/complete").await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn health_answers_once_the_shop_serves() {
    let shop = spawn_shop().await;
    let response = shop.get("/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");
}
