//! Every bad redirect gets a clear HTML page with a 4xx, never a 5xx.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use paydesk_shared::signing::Signer;
use reqwest::StatusCode;

use crate::helpers::{Page, TestApp, encode, now, payment_request, spawn_app};

fn assert_rejected(page: &Page, status: StatusCode, says: &str) {
    assert_eq!(page.status, status, "{}", page.body);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    assert!(
        page.body.contains(says),
        "page should say {says:?}: {}",
        page.body
    );
    assert!(!page.body.contains(r#"id="bank-pay""#), "no payment form");
}

async fn app_and_request() -> (TestApp, paydesk_shared::bank_protocol::PaymentRequest) {
    (
        spawn_app().await,
        payment_request("http://127.0.0.1:9/notify"),
    )
}

#[tokio::test]
async fn tampered_request_is_rejected() {
    let (app, request) = app_and_request().await;
    let signature = app.gateway.sign(now(), encode(&request).as_bytes());
    let mut raised = request.clone();
    raised.amount = "1.00".into();
    let page = app.open_raw(&encode(&raised), &signature).await;
    assert_rejected(&page, StatusCode::FORBIDDEN, "signature does not verify");
}

#[tokio::test]
async fn unknown_key_is_rejected() {
    let (app, request) = app_and_request().await;
    let stranger = Signer::generate("someone-else");
    let page = app.open_signed_by(&request, &stranger, now()).await;
    assert_rejected(&page, StatusCode::FORBIDDEN, "unknown key id");

    // Same key id, different key: a forgery, not a rotation.
    let impostor = Signer::generate("gateway-test");
    let page = app.open_signed_by(&request, &impostor, now()).await;
    assert_rejected(&page, StatusCode::FORBIDDEN, "signature does not verify");
}

#[tokio::test]
async fn stale_signature_is_rejected() {
    let (app, request) = app_and_request().await;
    let page = app
        .open_signed_by(&request, &app.gateway, now() - 301)
        .await;
    assert_rejected(&page, StatusCode::FORBIDDEN, "outside the tolerance window");
    let page = app
        .open_signed_by(&request, &app.gateway, now() + 400)
        .await;
    assert_rejected(&page, StatusCode::FORBIDDEN, "outside the tolerance window");
}

#[tokio::test]
async fn unknown_bank_is_rejected() {
    let (app, mut request) = app_and_request().await;
    request.bank_code = "<NOPE>".into();
    let page = app.open(&request).await;
    assert_rejected(&page, StatusCode::UNPROCESSABLE_ENTITY, "&lt;NOPE&gt;");
    assert!(!page.body.contains("<NOPE>"));
}

#[tokio::test]
async fn over_limit_amount_is_rejected() {
    let (app, mut request) = app_and_request().await;
    // ICBC debit cards pay at most 50000.00 CNY at once.
    request.amount = "50000.01".into();
    let page = app.open(&request).await;
    assert_rejected(
        &page,
        StatusCode::UNPROCESSABLE_ENTITY,
        "single-payment limit of CNY 50000.00",
    );
}

#[tokio::test]
async fn unsupported_card_kind_and_bad_amounts_are_rejected() {
    let (app, mut request) = app_and_request().await;
    request.bank_code = "PSBC".into();
    request.card_kind = paydesk_shared::bank::CardKind::Credit;
    let page = app.open(&request).await;
    assert_rejected(
        &page,
        StatusCode::UNPROCESSABLE_ENTITY,
        "does not take credit card payments",
    );

    for bad in ["25.001", "-1.00", "0.00", "1e3"] {
        let (app, mut request) = app_and_request().await;
        request.amount = bad.into();
        let page = app.open(&request).await;
        assert_rejected(&page, StatusCode::BAD_REQUEST, "amount");
    }
}

#[tokio::test]
async fn expired_request_is_rejected() {
    let (app, mut request) = app_and_request().await;
    request.expires_at = now() - 1;
    let page = app.open(&request).await;
    assert_rejected(&page, StatusCode::GONE, "expired");
}

#[tokio::test]
async fn malformed_links_are_rejected() {
    let app = spawn_app().await;
    let page = crate::helpers::page(app.get("/pay").await).await;
    assert_rejected(&page, StatusCode::BAD_REQUEST, "incomplete");

    let garbage = "not base64!";
    let page = app
        .open_raw(garbage, &app.gateway.sign(now(), garbage.as_bytes()))
        .await;
    assert_rejected(&page, StatusCode::BAD_REQUEST, "base64url");

    let not_a_request = URL_SAFE_NO_PAD.encode(br#"{"hello":"world"}"#);
    let page = app
        .open_raw(
            &not_a_request,
            &app.gateway.sign(now(), not_a_request.as_bytes()),
        )
        .await;
    assert_rejected(&page, StatusCode::BAD_REQUEST, "not readable");

    let page = app
        .open_raw(&encode(&payment_request("http://x/")), "kid=x")
        .await;
    assert_rejected(&page, StatusCode::FORBIDDEN, "malformed");
}

#[tokio::test]
async fn hostile_urls_are_rejected_even_when_signed() {
    let (app, mut request) = app_and_request().await;
    request.return_url = "javascript:alert(1)".into();
    let page = app.open(&request).await;
    assert_rejected(&page, StatusCode::BAD_REQUEST, "return_url");
}

#[tokio::test]
async fn bad_forms_and_unknown_sessions_get_pages() {
    let app = spawn_app().await;
    let response = app
        .pay("A".repeat(32).as_str(), "6222000000000001", "123456")
        .await;
    let page = crate::helpers::page(response).await;
    assert_rejected(&page, StatusCode::NOT_FOUND, "Payment session not found");

    let response = app.pay("short", "6222000000000001", "123456").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let response = app
        .client
        .post(format!("{}/pay", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("nothing=here")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let response = app.cancel("B".repeat(32).as_str()).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
