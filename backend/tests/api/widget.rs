use paydesk_shared::api::{CreateAttemptResponse, WidgetSession, WidgetStatus};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn session_shows_the_order_and_which_banks_can_take_it() {
    let app = spawn_app().await;
    let mut body = order_body();
    // 6,000.00 CNY: above PSBC's 5,000.00 debit limit, within ICBC's.
    body["items"] = json!([{"name": "Tea set", "quantity": 1, "unit_price": "6000.00"}]);
    let order = app
        .post_order(&body)
        .await
        .json::<paydesk_shared::api::OrderResponse>()
        .await
        .unwrap();
    let session: WidgetSession = app
        .widget_get("/v1/widget/session", &order.client_token)
        .await;
    assert_eq!(session.order.total, "6000.00");
    assert_eq!(session.order.merchant_name, "Alpha Teas");
    assert!(session.banks.len() >= 20);
    let bank = |code: &str| {
        session
            .banks
            .iter()
            .find(|b| b.code == code)
            .unwrap()
            .clone()
    };
    assert_eq!(bank("ICBC").debit.unavailable, None);
    assert_eq!(
        bank("PSBC").debit.unavailable,
        Some(paydesk_shared::api::Unavailable::OverLimit)
    );
    assert_eq!(bank("PSBC").debit.limit.as_deref(), Some("5000.00"));
    assert_eq!(
        bank("PSBC").credit.unavailable,
        Some(paydesk_shared::api::Unavailable::NotSupported)
    );
}

#[tokio::test]
async fn banks_are_named_in_the_script_of_the_widget_language() {
    let app = spawn_app().await;
    let order = app
        .post_order(&order_body())
        .await
        .json::<paydesk_shared::api::OrderResponse>()
        .await
        .unwrap();
    let session = async |query: &str| {
        app.client
            .get(app.url(&format!("/v1/widget/session{query}")))
            .bearer_auth(&order.client_token)
            .send()
            .await
            .unwrap()
    };
    for (query, icbc, psbc) in [
        ("", "中国工商银行", "中国邮政储蓄银行"),
        ("?lang=zh-CN", "中国工商银行", "中国邮政储蓄银行"),
        ("?lang=en", "中国工商银行", "中国邮政储蓄银行"),
        ("?lang=xx-%3Cb%3E", "中国工商银行", "中国邮政储蓄银行"),
        ("?lang=zh-TW", "中國工商銀行", "中國郵政儲蓄銀行"),
        ("?lang=zh-Hant-HK", "中國工商銀行", "中國郵政儲蓄銀行"),
    ] {
        let session: WidgetSession = session(query).await.json().await.unwrap();
        let name = |code: &str| {
            let bank = session.banks.iter().find(|b| b.code == code).unwrap();
            bank.name_zh.clone()
        };
        assert_eq!(name("ICBC"), icbc, "{query}");
        assert_eq!(name("PSBC"), psbc, "{query}");
    }
    for query in ["?lang=zh-TW&lang=en", "?locale=zh-TW"] {
        assert_error(session(query).await, 400, "query_invalid").await;
    }
}

#[tokio::test]
async fn widget_api_needs_a_valid_client_token() {
    let app = spawn_app().await;
    let none = app
        .client
        .get(app.url("/v1/widget/session"))
        .send()
        .await
        .unwrap();
    assert_error(none, 401, "unauthenticated").await;
    let wrong = app
        .client
        .get(app.url("/v1/widget/session"))
        .bearer_auth("ct_forged")
        .send()
        .await
        .unwrap();
    assert_error(wrong, 401, "unauthenticated").await;
}

#[tokio::test]
async fn a_double_click_makes_one_attempt_with_a_signed_redirect() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let (a, b) = tokio::join!(
        app.start_attempt(&order, "ICBC", "click-1"),
        app.start_attempt(&order, "ICBC", "click-1")
    );
    assert_eq!(a.status(), 201);
    assert_eq!(b.status(), 201);
    let a: CreateAttemptResponse = a.json().await.unwrap();
    let b: CreateAttemptResponse = b.json().await.unwrap();
    assert_eq!(a.attempt_id, b.attempt_id);
    assert_eq!(app.snapshot().await.attempts, 1);
    assert!(
        a.redirect_url
            .starts_with("http://127.0.0.1:9/pay?request=")
    );
    assert!(a.redirect_url.contains("&signature=kid%3Dgateway-test"));
    let order = app.get_order(&order.id).await;
    assert_eq!(order.status.as_str(), "pending");
    assert_eq!(order.attempts.len(), 1);
}

#[tokio::test]
async fn bad_attempts_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let before = app.snapshot().await;
    let post = |body: serde_json::Value, key: Option<&'static str>| {
        let mut req = app
            .client
            .post(app.url("/v1/widget/attempts"))
            .bearer_auth(&order.client_token)
            .json(&body);
        if let Some(key) = key {
            req = req.header("idempotency-key", key);
        }
        req.send()
    };
    assert_error(
        post(
            json!({"bank_code": "NOPE", "card_kind": "debit"}),
            Some("k1"),
        )
        .await
        .unwrap(),
        422,
        "bank_unknown",
    )
    .await;
    assert_error(
        post(
            json!({"bank_code": "PSBC", "card_kind": "credit"}),
            Some("k2"),
        )
        .await
        .unwrap(),
        422,
        "bank_unavailable",
    )
    .await;
    assert_error(
        post(
            json!({"bank_code": "ICBC", "card_kind": "gold"}),
            Some("k3"),
        )
        .await
        .unwrap(),
        400,
        "invalid_json",
    )
    .await;
    assert_error(
        post(json!({"bank_code": "ICBC", "card_kind": "debit"}), None)
            .await
            .unwrap(),
        400,
        "idempotency_key_invalid",
    )
    .await;
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_browser_return_never_marks_an_order_paid() {
    let app = spawn_app().await;
    let (order, attempt_id) = app.order_at_bank().await;
    let response = app
        .client
        .get(app.url(&format!("/pay/return/{attempt_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], order.return_url.as_str());
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "pending");
    let status: WidgetStatus = app
        .client
        .get(app.url("/v1/widget/status"))
        .bearer_auth(&order.client_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status.status.as_str(), "pending");
}

#[tokio::test]
async fn widget_api_answers_cors_preflights_from_any_merchant_origin() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/v1/widget/session"))
        .header("origin", "http://merchant.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    let actual = app
        .client
        .get(app.url("/v1/widget/session"))
        .header("origin", "http://merchant.example")
        .bearer_auth(&order.client_token)
        .send()
        .await
        .unwrap();
    assert_eq!(actual.status(), 200);
    assert_eq!(actual.headers()["access-control-allow-origin"], "*");
}
