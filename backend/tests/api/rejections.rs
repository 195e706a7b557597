//! Every route refuses input its extractors cannot read in the JSON error format,
//! never in axum's plain text.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;

/// Every route that takes a path parameter, with `{}` where the parameter goes.
const PARAM_ROUTES: &[(&str, &str)] = &[
    ("GET", "/pay/return/{}"),
    ("GET", "/pay/{}"),
    ("GET", "/receipts/{}"),
    ("POST", "/v1/bank/notifications/{}"),
    ("GET", "/v1/events/{}"),
    ("GET", "/v1/events/{}/deliveries"),
    ("POST", "/v1/events/{}/redeliver"),
    ("GET", "/v1/orders/{}"),
    ("POST", "/v1/orders/{}/cancel"),
    ("POST", "/v1/orders/{}/refunds"),
    ("GET", "/v1/orders/{}/refunds"),
    ("GET", "/v1/refunds/{}"),
    ("GET", "/v1/webhook_endpoints/{}"),
    ("POST", "/v1/webhook_endpoints/{}"),
    ("DELETE", "/v1/webhook_endpoints/{}"),
    ("POST", "/v1/webhook_endpoints/{}/rotate_secret"),
    ("GET", "/v1/operator/merchants/{}"),
    ("GET", "/v1/operator/merchants/{}/keys"),
    ("POST", "/v1/operator/merchants/{}/keys"),
    ("DELETE", "/v1/operator/merchants/mer_alpha/keys/{}"),
    ("GET", "/v1/settlements/{}"),
    ("GET", "/v1/payouts/{}"),
    ("GET", "/v1/operator/reconciliation/{}"),
    ("POST", "/v1/operator/alerts/{}/resolve"),
];

/// Every route that takes a body; `{}` is filled with a real order's id.
const BODY_ROUTES: &[&str] = &[
    "/v1/orders",
    "/v1/orders/{}/cancel",
    "/v1/orders/{}/refunds",
    "/v1/webhook_endpoints",
    "/v1/webhook_endpoints/we_mer_alpha",
    "/v1/webhook_endpoints/we_mer_alpha/rotate_secret",
    "/v1/events/evt_x/redeliver",
    "/v1/widget/attempts",
    "/v1/bank/notifications/sandbox",
    "/v1/operator/merchants",
    "/v1/return_urls",
    "/v1/payouts",
    "/v1/operator/settlement_runs",
    "/v1/operator/alerts/alr_x/resolve",
];

/// The key a route takes: the operator's on the operator API, else the merchant's.
fn key_for(path: &str) -> &'static str {
    if path.starts_with("/v1/operator/") {
        OPERATOR_KEY
    } else {
        SECRET_KEY
    }
}

async fn assert_json_error(response: reqwest::Response, status: u16, code: &str, what: &str) {
    assert_eq!(response.status(), status, "{what}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/json", "{what}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{what}: {body}");
    assert!(
        !body["error"]["message"].as_str().unwrap().is_empty(),
        "{what}"
    );
}

#[tokio::test]
async fn a_path_parameter_that_is_not_utf8_gets_a_json_404_on_every_route() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    for (method, template) in PARAM_ROUTES {
        let path = template.replace("{}", "ord_%FF%FE");
        let response = app
            .client
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                app.url(&path),
            )
            .bearer_auth(key_for(&path))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_json_error(response, 404, "not_found", &format!("{method} {path}")).await;
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_oversized_body_gets_a_json_413_on_every_route() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let before = app.snapshot().await;
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(300 * 1024));
    for (i, template) in BODY_ROUTES.iter().enumerate() {
        let path = template.replace("{}", &order.id);
        let token = if path.starts_with("/v1/widget/") {
            order.client_token.as_str()
        } else {
            key_for(&path)
        };
        let response = app
            .client
            .post(app.url(&path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .header("idempotency-key", format!("huge-{i}"))
            .body(huge.clone())
            .send()
            .await
            .unwrap();
        assert_json_error(response, 413, "payload_too_large", &path).await;
    }
    assert_eq!(app.snapshot().await, before);
}
