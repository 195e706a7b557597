use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn creates_an_order_with_gateway_computed_totals() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    assert!(order.id.starts_with("ord_"));
    assert_eq!(order.status.as_str(), "created");
    assert_eq!(order.items[0].line_total, "50.00");
    assert_eq!(order.items[1].line_total, "68.00");
    assert_eq!(order.total, "118.00");
    assert!(order.client_token.starts_with("ct_"));
    assert_eq!(
        order.hosted_url,
        app.url(&format!("/pay/{}", order.client_token))
    );
    assert!(order.expires_at > order.created_at);
    assert_eq!(app.get_order(&order.id).await, order);
    assert_eq!(app.snapshot().await.orders, 1);
    assert_eq!(app.snapshot().await.items, 2);
}

#[tokio::test]
async fn same_idempotency_key_and_body_replays_the_first_answer() {
    let app = spawn_app().await;
    let body = serde_json::to_vec(&order_body()).unwrap();
    let first = app
        .post_order_raw(Some(SECRET_KEY), Some("key-1"), body.clone())
        .await;
    assert_eq!(first.status(), 201);
    let first = first.bytes().await.unwrap();
    for _ in 0..3 {
        let again = app
            .post_order_raw(Some(SECRET_KEY), Some("key-1"), body.clone())
            .await;
        assert_eq!(again.status(), 201);
        assert_eq!(
            again.bytes().await.unwrap(),
            first,
            "replay must be byte for byte"
        );
    }
    assert_eq!(app.snapshot().await.orders, 1);
}

#[tokio::test]
async fn concurrent_posts_with_one_key_create_one_order() {
    let app = spawn_app().await;
    let body = serde_json::to_vec(&order_body()).unwrap();
    let posts = (0..20).map(|_| app.post_order_raw(Some(SECRET_KEY), Some("key-c"), body.clone()));
    let responses = futures::future::join_all(posts).await;
    // While the first runs the others are told so (409); every 201 is the same answer.
    let mut bodies = Vec::new();
    for r in responses {
        match r.status().as_u16() {
            201 => bodies.push(r.bytes().await.unwrap()),
            _ => assert_error(r, 409, "idempotency_key_in_use").await,
        }
    }
    assert!(!bodies.is_empty());
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(app.snapshot().await.orders, 1);
}

#[tokio::test]
async fn same_key_with_a_different_body_is_refused_and_creates_nothing() {
    let app = spawn_app().await;
    let body = serde_json::to_vec(&order_body()).unwrap();
    assert_eq!(
        app.post_order_raw(Some(SECRET_KEY), Some("key-2"), body)
            .await
            .status(),
        201
    );
    let before = app.snapshot().await;
    let mut other = order_body();
    other["merchant_reference"] = json!("TH-2002");
    let response = app
        .post_order_raw(
            Some(SECRET_KEY),
            Some("key-2"),
            serde_json::to_vec(&other).unwrap(),
        )
        .await;
    assert_error(response, 422, "idempotency_key_reused").await;
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn another_merchants_order_is_not_found() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let response = app
        .client
        .get(app.url(&format!("/v1/orders/{}", order.id)))
        .bearer_auth(OTHER_SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_error(response, 404, "not_found").await;
    let missing = app
        .client
        .get(app.url("/v1/orders/ord_nope"))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_error(missing, 404, "not_found").await;
}

#[tokio::test]
async fn missing_or_wrong_secret_key_is_unauthenticated() {
    let app = spawn_app().await;
    let body = serde_json::to_vec(&order_body()).unwrap();
    assert_error(
        app.post_order_raw(None, None, body.clone()).await,
        401,
        "unauthenticated",
    )
    .await;
    assert_error(
        app.post_order_raw(Some("sk_test_wrong"), None, body).await,
        401,
        "unauthenticated",
    )
    .await;
    let get = app
        .client
        .get(app.url("/v1/orders/ord_x"))
        .send()
        .await
        .unwrap();
    assert_error(get, 401, "unauthenticated").await;
    assert_eq!(app.snapshot().await, fresh());
}

#[tokio::test]
async fn a_401_names_the_bearer_scheme() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/v1/orders/ord_x"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_error(response, 401, "unauthenticated").await;
}

#[tokio::test]
async fn the_authorization_scheme_is_matched_without_regard_to_case() {
    let app = spawn_app().await;
    for scheme in ["bearer", "BEARER", "Bearer", "bEaReR"] {
        let response = app
            .client
            .get(app.url("/v1/orders/ord_nope"))
            .header("authorization", format!("{scheme} {SECRET_KEY}"))
            .send()
            .await
            .unwrap();
        // Authenticated: the order is looked up and is not there.
        assert_error(response, 404, "not_found").await;
    }
    for wrong in ["Basic {SECRET_KEY}", "Bearer", "Bearer   ", "BearerX sk"] {
        let response = app
            .client
            .get(app.url("/v1/orders/ord_nope"))
            .header("authorization", wrong.replace("{SECRET_KEY}", SECRET_KEY))
            .send()
            .await
            .unwrap();
        assert_error(response, 401, "unauthenticated").await;
    }
}

fn with(path: &[&str], value: Value) -> Value {
    let mut body = order_body();
    let mut target = &mut body;
    for (i, segment) in path.iter().enumerate() {
        target = match segment.parse::<usize>() {
            Ok(index) => &mut target[index],
            Err(_) if i + 1 == path.len() => {
                target[*segment] = value.clone();
                return body;
            }
            Err(_) => &mut target[*segment],
        };
    }
    *target = value;
    body
}

/// Every bad input answers a 4xx with its stable code and writes nothing.
#[tokio::test]
async fn bad_input_is_refused_with_a_stable_code_and_changes_nothing() {
    let app = spawn_app().await;
    let raw_cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("not json", b"{\"currency\": ".to_vec(), 400, "invalid_json"),
        ("empty body", Vec::new(), 400, "invalid_json"),
        ("array", b"[]".to_vec(), 400, "invalid_json"),
        (
            "unknown field",
            serde_json::to_vec(&with(&["surprise"], json!(1))).unwrap(),
            400,
            "invalid_json",
        ),
        (
            "missing items",
            serde_json::to_vec(
                &json!({"currency": "CNY", "merchant_reference": "x", "return_url": RETURN_URL}),
            )
            .unwrap(),
            400,
            "invalid_json",
        ),
        (
            "price as number",
            serde_json::to_vec(&with(&["items", "0", "unit_price"], json!(25.5))).unwrap(),
            400,
            "invalid_json",
        ),
    ];
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "unknown currency",
            with(&["currency"], json!("XYZ")),
            422,
            "currency_unknown",
        ),
        (
            "lower-case currency",
            with(&["currency"], json!("cny")),
            422,
            "currency_unknown",
        ),
        (
            "too many decimals",
            with(&["items", "0", "unit_price"], json!("25.001")),
            422,
            "amount_invalid",
        ),
        (
            "yen with decimals",
            with(&["currency"], json!("JPY")),
            422,
            "amount_invalid",
        ),
        (
            "negative price",
            with(&["items", "0", "unit_price"], json!("-1.00")),
            422,
            "amount_invalid",
        ),
        (
            "exponent",
            with(&["items", "0", "unit_price"], json!("1e3")),
            422,
            "amount_invalid",
        ),
        (
            "empty price",
            with(&["items", "0", "unit_price"], json!("")),
            422,
            "amount_invalid",
        ),
        (
            "overflowing price",
            with(
                &["items", "0", "unit_price"],
                json!("99999999999999999999999"),
            ),
            422,
            "amount_invalid",
        ),
        (
            "overflowing line total",
            with(&["items", "0", "unit_price"], json!("999999999999.99")),
            422,
            "amount_invalid",
        ),
        (
            "zero quantity",
            with(&["items", "0", "quantity"], json!(0)),
            422,
            "quantity_invalid",
        ),
        (
            "negative quantity",
            with(&["items", "0", "quantity"], json!(-3)),
            422,
            "quantity_invalid",
        ),
        (
            "absurd quantity",
            with(&["items", "0", "quantity"], json!(1_000_000_000u64)),
            422,
            "quantity_invalid",
        ),
        (
            "fractional quantity",
            with(&["items", "0", "quantity"], json!(1.5)),
            422,
            "quantity_invalid",
        ),
        (
            "empty items",
            with(&["items"], json!([])),
            422,
            "items_empty",
        ),
        (
            "too many items",
            with(
                &["items"],
                Value::Array(vec![
                    json!({"name": "t", "quantity": 1, "unit_price": "1.00"});
                    101
                ]),
            ),
            422,
            "items_too_many",
        ),
        (
            "long name",
            with(&["items", "0", "name"], json!("x".repeat(201))),
            422,
            "field_too_long",
        ),
        (
            "blank name",
            with(&["items", "0", "name"], json!("   ")),
            422,
            "invalid_field",
        ),
        (
            "long reference",
            with(&["merchant_reference"], json!("r".repeat(129))),
            422,
            "field_too_long",
        ),
        (
            "long return url",
            with(
                &["return_url"],
                json!(format!("{RETURN_URL}?{}", "q".repeat(2100))),
            ),
            422,
            "field_too_long",
        ),
        (
            "bad image url",
            with(&["items", "0", "image_url"], json!("javascript:alert(1)")),
            422,
            "url_invalid",
        ),
        (
            "bad return url",
            with(&["return_url"], json!("ftp://shop.example/")),
            422,
            "url_invalid",
        ),
        (
            "unregistered return url",
            with(
                &["return_url"],
                json!("https://evil.example/checkout/complete"),
            ),
            422,
            "return_url_not_registered",
        ),
    ];
    let mut all: Vec<(&str, Vec<u8>, u16, &str)> = raw_cases;
    all.extend(
        cases
            .into_iter()
            .map(|(n, v, s, c)| (n, serde_json::to_vec(&v).unwrap(), s, c)),
    );
    for (i, (name, body, status, code)) in all.into_iter().enumerate() {
        let key = format!("bad-{i}");
        let response = app.post_order_raw(Some(SECRET_KEY), Some(&key), body).await;
        assert_eq!(response.status(), status, "{name}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{name}: {error}");
    }
    assert_eq!(
        app.snapshot().await,
        fresh(),
        "a refused request wrote something"
    );
}

#[tokio::test]
async fn protocol_level_mistakes_get_json_errors() {
    let app = spawn_app().await;
    let no_type = app
        .client
        .post(app.url("/v1/orders"))
        .bearer_auth(SECRET_KEY)
        .body(serde_json::to_vec(&order_body()).unwrap())
        .send()
        .await
        .unwrap();
    assert_error(no_type, 415, "unsupported_media_type").await;

    let huge = app
        .post_order_raw(Some(SECRET_KEY), None, vec![b' '; 300 * 1024])
        .await;
    assert_error(huge, 413, "payload_too_large").await;

    let bad_key = app
        .post_order_raw(
            Some(SECRET_KEY),
            Some(&"k".repeat(300)),
            serde_json::to_vec(&order_body()).unwrap(),
        )
        .await;
    assert_error(bad_key, 400, "idempotency_key_invalid").await;

    let wrong_method = app
        .client
        .delete(app.url("/v1/orders"))
        .send()
        .await
        .unwrap();
    assert_error(wrong_method, 405, "method_not_allowed").await;
    let nowhere = app.client.get(app.url("/v1/nowhere")).send().await.unwrap();
    assert_error(nowhere, 404, "not_found").await;
    assert_eq!(app.snapshot().await, fresh());
}
