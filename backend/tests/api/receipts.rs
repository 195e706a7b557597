//! The shopper's receipt: `GET /receipts/{receipt_token}` for a paid order, in three
//! languages, with its refunds as they happen; a 404 page for anything else; and the
//! `receipt_url` the merchant is given in the order and in `order.paid`.

use paydesk_gateway::domain::event::EventType;
use paydesk_gateway::domain::ids;
use paydesk_gateway::domain::time::rfc3339;
use std::time::Duration;

use paydesk_shared::api::{OrderList, OrderResponse, WebhookEvent, WidgetSession, WidgetStatus};
use paydesk_shared::bank_protocol::{DeclineReason, PaymentNotification, PaymentOutcome};
use serde_json::{Value, json};

use crate::helpers::*;

const CSP: &str = "default-src 'none'; style-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// An order paid at ICBC with a card the bank names by its last four digits (or none),
/// its verdict applied: (order as created, attempt id).
async fn paid_with_card(app: &TestApp, card_last4: Option<&str>) -> (OrderResponse, String) {
    let (order, attempt_id) = app.order_at_bank().await;
    bank_confirms(app, &order, &attempt_id, card_last4).await;
    (order, attempt_id)
}

/// The bank's success for the attempt, its verdict applied.
async fn bank_confirms(
    app: &TestApp,
    order: &OrderResponse,
    attempt_id: &str,
    card_last4: Option<&str>,
) {
    let body = serde_json::to_vec(&PaymentNotification {
        attempt_id: attempt_id.to_owned(),
        order_id: order.id.clone(),
        bank_code: "ICBC".into(),
        bank_transaction_id: format!("SBX-{attempt_id}"),
        amount: order.total.clone(),
        currency: order.currency,
        outcome: PaymentOutcome::Succeeded,
        decided_at: now_secs(),
        card_last4: card_last4.map(str::to_owned),
    })
    .unwrap();
    assert_eq!(app.notify(body, &app.bank).await.status(), 200);
    app.settled().await;
}

/// The path of the order's receipt, as the gateway derives it.
fn receipt_path(order: &OrderResponse) -> String {
    format!(
        "/receipts/{}",
        ids::receipt_token(&order.id, &order.client_token)
    )
}

/// A page of the gateway with the headers every receipt page carries.
async fn page(app: &TestApp, path: &str, accept_language: Option<&str>) -> (u16, String) {
    let mut request = app.client.get(app.url(path));
    if let Some(languages) = accept_language {
        request = request.header("accept-language", languages);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers();
    assert_eq!(
        headers["content-type"], "text/html; charset=utf-8",
        "{path}"
    );
    assert_eq!(headers["content-security-policy"], CSP, "{path}");
    assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
    assert_eq!(headers["cache-control"], "no-store", "{path}");
    (status, response.text().await.unwrap())
}

fn assert_contains(html: &str, expected: &[&str]) {
    for e in expected {
        assert!(html.contains(e), "{e}\nnot in\n{html}");
    }
}

/// A page that is only markup: no script, no inline style.
fn assert_inert(html: &str) {
    assert!(!html.contains("<script"), "{html}");
    assert!(
        !html.contains("<style") && !html.contains("style="),
        "{html}"
    );
}

#[tokio::test]
async fn the_receipt_shows_the_paid_order() {
    let app = spawn_app().await;
    let (order, attempt_id) = paid_with_card(&app, Some("4242")).await;
    let paid = app.get_order(&order.id).await;
    assert_eq!(paid.status.as_str(), "paid");

    let (status, html) = page(&app, &receipt_path(&order), None).await;
    assert_eq!(status, 200);
    assert_inert(&html);
    let stored = app
        .store
        .order_by_id(&order.id.clone().into())
        .await
        .unwrap()
        .unwrap();
    let paid_at = rfc3339(stored.paid_at.unwrap());
    assert_contains(
        &html,
        &[
            r#"<html lang="en">"#,
            "<title>Receipt from Alpha Teas · Paydesk</title>",
            r#"<link rel="stylesheet" href="/receipts/receipt.css">"#,
            r#"<strong data-testid="merchant">Alpha Teas</strong>"#,
            r#"<p class="receipt-sum" data-testid="total">CNY 118.00</p>"#,
            r#"<span class="receipt-item">Longjing tea</span><span class="receipt-each receipt-muted">2 × CNY 25.00</span></td><td class="receipt-num">CNY 50.00</td>"#,
            r#"<span class="receipt-item">Celadon cup</span><span class="receipt-each receipt-muted">1 × CNY 68.00</span></td><td class="receipt-num">CNY 68.00</td>"#,
            r#"<tfoot><tr><th scope="row">Total</th><td class="receipt-num">CNY 118.00</td>"#,
            r#"<dd data-testid="bank">Industrial and Commercial Bank of China (ICBC)</dd>"#,
            r#"<dd data-testid="card"><span class="receipt-sr">ending in </span><span aria-hidden="true">•••• </span>4242</dd>"#,
            &format!(r#"<dd data-testid="paid-at"><time datetime="{paid_at}">"#),
            &format!(
                r#"<dd class="receipt-id" data-testid="order-id">{}</dd>"#,
                order.id
            ),
            &format!(r#"<dd class="receipt-id" data-testid="attempt-id">{attempt_id}</dd>"#),
            &format!(
                r#"<dd class="receipt-id" data-testid="bank-transaction-id">SBX-{attempt_id}</dd>"#
            ),
        ],
    );
    // Nothing refunded yet; nothing of the merchant's own or the shopper's secrets.
    assert!(!html.contains("data-testid=\"refund\""), "{html}");
    assert!(!html.contains(&order.client_token), "{html}");
    assert!(!html.contains(&order.merchant_reference), "{html}");

    // The stylesheet it names is the gateway's own, with a print layout.
    let css = app.get("/receipts/receipt.css").await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.headers()["x-content-type-options"], "nosniff");
    let css = css.text().await.unwrap();
    assert!(css.contains("@media print"), "{css}");

    // A bank that names no card: the receipt leaves the card out.
    let (other, _) = paid_with_card(&app, None).await;
    let (status, html) = page(&app, &receipt_path(&other), None).await;
    assert_eq!(status, 200);
    assert!(!html.contains("data-testid=\"card\""), "{html}");
    assert!(!html.contains("••••"), "{html}");
}

#[tokio::test]
async fn refunds_appear_on_the_receipt_as_they_happen() {
    let app = spawn_app().await;
    let (order, _) = paid_with_card(&app, Some("0001")).await;
    let path = receipt_path(&order);

    for (n, amount) in [(1, "10.00"), (2, "8.50")] {
        let response = app
            .client
            .post(app.url(&format!("/v1/orders/{}/refunds", order.id)))
            .bearer_auth(SECRET_KEY)
            .json(&json!({ "amount": amount }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let (status, html) = page(&app, &path, None).await;
        assert_eq!(status, 200);
        assert_eq!(html.matches(r#"data-testid="refund""#).count(), n, "{html}");
        // The bank cannot be reached in this test: the refund stays in progress.
        assert_contains(
            &html,
            &[
                "<h2 class=\"receipt-subtitle\" id=\"receipt-refunds\">Refunds</h2>",
                &format!(
                    r#"<tr data-testid="refund" data-status="pending"><td>CNY {amount}</td><td>In progress</td><td><time datetime="#
                ),
            ],
        );
    }
    // Still the paid order's receipt, fully listed in Chinese too.
    let (_, html) = page(&app, &format!("{path}?lang=zh-CN"), None).await;
    assert_contains(
        &html,
        &[
            "<td>CNY 10.00</td><td>处理中</td>",
            "<td>CNY 8.50</td><td>处理中</td>",
        ],
    );
}

#[tokio::test]
async fn unpaid_unknown_wrong_and_malformed_tokens_get_a_not_found_page() {
    let app = spawn_app().await;
    let unpaid = app.create_order().await;
    let (declined, attempt_id) = app.order_at_bank().await;
    let body = app.notification(
        &declined,
        &attempt_id,
        &declined.total,
        PaymentOutcome::Failed {
            reason: DeclineReason::InsufficientFunds,
        },
    );
    assert_eq!(app.notify(body, &app.bank).await.status(), 200);
    app.settled().await;
    let (paid, _) = paid_with_card(&app, Some("4242")).await;
    let good = receipt_path(&paid);
    let unknown = receipt_path(&OrderResponse {
        id: "ord_0123456789abcdef0123456789abcdef".into(),
        ..paid.clone()
    });
    // The right shape and the right order, the wrong secret.
    let last = good.chars().last().unwrap();
    let wrong = format!(
        "{}{}",
        &good[..good.len() - 1],
        if last == 'A' { 'B' } else { 'A' }
    );
    let before = app.snapshot().await;
    for path in [
        receipt_path(&unpaid),
        receipt_path(&declined),
        unknown,
        wrong,
        "/receipts/rcpt_".into(),
        "/receipts/rcpt_abc_def".into(),
        format!("{good}A"),
        good.replace("rcpt_", "ct_"),
        format!("/receipts/{}", paid.client_token),
        "/receipts/%3Cscript%3E".into(),
        "/receipts/..%2F..%2Fetc%2Fpasswd".into(),
    ] {
        let (status, html) = page(&app, &path, None).await;
        assert_eq!(status, 404, "{path}");
        assert_inert(&html);
        assert_contains(&html, &["We could not find this receipt"]);
        assert!(!html.contains("data-testid"), "{path}: {html}");
    }
    // The not-found page speaks the shopper's language too.
    let (status, html) = page(&app, &receipt_path(&unpaid), Some("zh-TW")).await;
    assert_eq!(status, 404);
    assert_contains(&html, &[r#"<html lang="zh-TW">"#, "找不到這張收據"]);
    // A path that is not UTF-8 names nothing either.
    assert_error(app.get("/receipts/%FF").await, 404, "not_found").await;
    // Reading receipts changes nothing.
    assert_eq!(app.snapshot().await, before);
    // The good one is still there.
    assert_eq!(page(&app, &good, None).await.0, 200);
}

#[tokio::test]
async fn the_receipt_speaks_english_and_simplified_and_traditional_chinese() {
    let app = spawn_app().await;
    let (order, _) = paid_with_card(&app, Some("4242")).await;
    let path = receipt_path(&order);
    for (query, accept, lang, words) in [
        (
            "",
            None,
            "en",
            &["Payment receipt", "Total", "Bank transaction ID"][..],
        ),
        (
            "?lang=zh-CN",
            None,
            "zh-CN",
            &["付款收据", "合计", "中国工商银行", "银行交易号"][..],
        ),
        (
            "?lang=zh-Hans",
            Some("en"),
            "zh-CN",
            &["付款收据", "尾号"][..],
        ),
        (
            "?lang=zh-TW",
            None,
            "zh-TW",
            &["付款收據", "合計", "中國工商銀行", "銀行交易編號"][..],
        ),
        ("?lang=zh-Hant-HK", None, "zh-TW", &["付款收據"][..]),
        ("", Some("fr-FR, zh-HK;q=0.8"), "zh-TW", &["付款收據"][..]),
        (
            "",
            Some("zh-CN,zh;q=0.9,en;q=0.8"),
            "zh-CN",
            &["付款收据"][..],
        ),
        ("?lang=en", Some("zh-CN"), "en", &["Payment receipt"][..]),
        // A language the pages do not speak, or no tag at all, is ignored.
        ("?lang=fr", Some("zh-TW"), "zh-TW", &["付款收據"][..]),
        ("?lang=%3Cscript%3E", None, "en", &["Payment receipt"][..]),
        ("?lang=fr", None, "en", &["Payment receipt"][..]),
    ] {
        let (status, html) = page(&app, &format!("{path}{query}"), accept).await;
        assert_eq!(status, 200, "{query}");
        assert_inert(&html);
        assert!(
            html.contains(&format!(r#"<html lang="{lang}">"#)),
            "{query} {accept:?}: {html}"
        );
        assert_contains(&html, words);
    }
    // Traditional Chinese shows the bank's name in Traditional characters only.
    let (_, html) = page(&app, &format!("{path}?lang=zh-TW"), None).await;
    assert!(!html.contains("中国工商银行"), "{html}");
}

#[tokio::test]
async fn the_merchant_gets_the_receipt_url_once_paid_in_the_order_and_order_paid() {
    let app = spawn_app().await;
    let created = app
        .post_order(&order_body())
        .await
        .json::<Value>()
        .await
        .unwrap();
    // Present and null before the order is paid.
    assert_eq!(created["receipt_url"], Value::Null, "{created}");
    assert!(created.as_object().unwrap().contains_key("receipt_url"));

    let (order, _) = paid_with_card(&app, Some("4242")).await;
    let expected = app.url(&receipt_path(&order));
    assert!(expected.contains("/receipts/rcpt_"), "{expected}");
    let paid = app.get_order(&order.id).await;
    assert_eq!(paid.receipt_url.as_deref(), Some(expected.as_str()));
    let list: OrderList = app
        .client
        .get(app.url("/v1/orders?status=paid"))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.data[0].receipt_url.as_deref(), Some(expected.as_str()));
    let unpaid = app.get_order(created["id"].as_str().unwrap()).await;
    assert_eq!(unpaid.receipt_url, None);

    // `order.paid` carries it.
    let events = app.events_of_order(&order.id).await;
    let paid_event = events
        .iter()
        .find(|e| e.kind == EventType::OrderPaid)
        .expect("order.paid");
    let body: WebhookEvent = serde_json::from_str(&paid_event.payload).unwrap();
    assert_eq!(
        body.data.order.unwrap().receipt_url.as_deref(),
        Some(expected.as_str())
    );

    // The URL opens the receipt. The hosted page's paid state offers the way back to
    // the merchant; the widget on it links the receipt (as embedded).
    let (status, _) = page(&app, &expected[app.address.len()..], None).await;
    assert_eq!(status, 200);
    let hosted = app
        .get(&format!("/pay/{}", order.client_token))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        hosted.contains(&format!(
            r#"<p class="hosted-continue" id="paydesk-continue"><a class="hosted-button" href="{}">Continue to Alpha Teas</a></p>"#,
            order.return_url.replace('&', "&amp;"),
        )),
        "{hosted}"
    );
}

/// `GET` a widget route with the order's client token.
#[tokio::test]
async fn the_widget_is_given_the_receipt_url_once_paid() {
    let app = spawn_app().await;
    let (order, attempt_id) = app.order_at_bank().await;
    let token = &order.client_token;
    let session: WidgetSession = app.widget_get("/v1/widget/session", token).await;
    assert_eq!(session.order.receipt_url, None);
    let status: WidgetStatus = app.widget_get("/v1/widget/status", token).await;
    assert_eq!(status.receipt_url, None);
    let mut events = StatusEvents::open(&app, token).await;
    let first = events.next(Duration::from_secs(5)).await;
    assert_eq!(first["status"], "pending", "{first}");
    assert!(first.get("receipt_url").is_none(), "{first}");

    bank_confirms(&app, &order, &attempt_id, None).await;
    let expected = app.url(&receipt_path(&order));
    // The live stream tells the open widget, then every read says so.
    let paid = events.next(Duration::from_secs(5)).await;
    assert_eq!(paid["status"], "paid", "{paid}");
    assert_eq!(paid["receipt_url"], expected.as_str(), "{paid}");
    let session: WidgetSession = app.widget_get("/v1/widget/session", token).await;
    assert_eq!(
        session.order.receipt_url.as_deref(),
        Some(expected.as_str())
    );
    let status: WidgetStatus = app.widget_get("/v1/widget/status", token).await;
    assert_eq!(status.receipt_url.as_deref(), Some(expected.as_str()));
}
