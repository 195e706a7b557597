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
