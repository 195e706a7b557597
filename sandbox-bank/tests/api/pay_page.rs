use crate::helpers::{payment_request, spawn_app};
use reqwest::StatusCode;

#[tokio::test]
async fn a_signed_request_renders_the_bank_page() {
    let app = spawn_app().await;
    let request = payment_request("http://127.0.0.1:9/notify");
    let page = app.open(&request).await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(page.headers["cache-control"], "no-store");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("style-src 'self'"),
        "{csp}"
    );

    let body = &page.body;
    for expected in [
        "中国工商银行",
        "Industrial and Commercial Bank of China",
        "bank-icbc",
        r#"<span class="bank-badge" aria-hidden="true">ICBC</span>"#,
        "Demo &lt;Shop&gt; &amp; Co",
        "CNY 25.00",
        "Debit card",
        r#"<form id="bank-pay" class="pay-form" method="post" action="/pay">"#,
        r#"name="card_number""#,
        r#"name="password" type="password" inputmode="numeric""#,
        r#"<button type="submit" class="button button-primary">"#,
        r#"action="/pay/cancel""#,
        r#"data-action="cancel""#,
        r#"href="/static/bank.css""#,
        r#"href="/static/banks.css""#,
    ] {
        assert!(body.contains(expected), "page lacks {expected}");
    }
    assert!(
        !body.contains("Demo <Shop>"),
        "merchant name must be escaped"
    );
    assert!(!body.contains("<script"), "no scripts");
    assert!(!body.contains("style="), "no style attributes");
    assert!(!body.contains(".bank-error") && !body.contains(r#"class="bank-error""#));
    assert_eq!(page.session().len(), 32);
}

#[tokio::test]
async fn each_visit_gets_its_own_session() {
    let app = spawn_app().await;
    let request = payment_request("http://127.0.0.1:9/notify");
    let first = app.open(&request).await.session();
    let second = app.open(&request).await.session();
    assert_ne!(first, second);
}

#[tokio::test]
async fn stylesheets_are_served() {
    let app = spawn_app().await;
    let css = app.get("/static/bank.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().await.unwrap().contains(".bank-error"));

    let banks = app.get("/static/banks.css").await;
    assert_eq!(banks.status(), StatusCode::OK);
    assert_eq!(banks.headers()["content-type"], "text/css; charset=utf-8");
    let banks = banks.text().await.unwrap();
    assert!(banks.contains(".bank-icbc { --bank-colour: #c7000b;"));
    assert!(banks.contains(".bank-cmb {"));
}
