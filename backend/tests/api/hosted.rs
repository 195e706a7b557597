//! The hosted checkout page and the bank's way back to it.

use paydesk_shared::api::CreateAttemptResponse;
use serde_json::json;

use crate::helpers::*;

const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' https: data:; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn assert_page_headers(response: &reqwest::Response) {
    let headers = response.headers();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["content-security-policy"], CSP);
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
}

#[tokio::test]
async fn the_hosted_page_mounts_the_versioned_loader_with_its_integrity() {
    let mut fixture = None;
    let app =
        spawn_app_with(|config| fixture = Some(WidgetFixture::write(&config.widget_dir))).await;
    let fixture = fixture.unwrap();
    let order = app.create_order().await;

    let response = app.get(&format!("/pay/{}", order.client_token)).await;
    assert_eq!(response.status(), 200);
    assert_page_headers(&response);
    let html = response.text().await.unwrap();
    let loader = format!(
        r##"<script src="/assets/{v}/paydesk.js" integrity="{sri}" crossorigin="anonymous" data-client-token="{token}" data-target="#paydesk-checkout" data-mode="hosted" defer></script>"##,
        v = fixture.version,
        sri = fixture.loader_integrity,
        token = order.client_token,
    );
    assert!(html.contains(&loader), "{html}");
    assert!(html.contains(r#"<div id="paydesk-checkout""#), "{html}");
    assert!(
        html.contains(&format!(
            r#"<link rel="stylesheet" href="/assets/{}/hosted.css" integrity="{}" crossorigin="anonymous">"#,
            fixture.version, fixture.hosted_css_integrity
        )),
        "{html}"
    );
    // The widget module starts downloading with the page, checked like the loader.
    assert!(
        html.contains(&format!(
            r#"<link rel="modulepreload" href="/assets/{}/paydesk-widget.js" integrity="{}" crossorigin="anonymous">"#,
            fixture.version, fixture.glue_integrity
        )),
        "{html}"
    );
    assert!(!html.contains("paydesk-widget_bg.wasm"), "{html}");
    // Not in the manifest: linked by its unversioned name, without integrity, and
    // never preloaded.
    assert!(!html.contains("paydesk-widget.css"), "{html}");
    assert!(
        html.contains(r#"<script src="/assets/hosted.js" defer></script>"#),
        "{html}"
    );
    assert!(
        html.contains("<h1 class=\"hosted-title\">Alpha Teas</h1>"),
        "{html}"
    );
    let return_url = order.return_url.replace('&', "&amp;");
    assert!(
        html.contains(&format!(r#"<a class="hosted-back" href="{return_url}">"#)),
        "{html}"
    );
    assert!(html.contains("Back to Alpha Teas"), "{html}");
    assert!(html.contains("Secured by Paydesk"), "{html}");
    // Unpaid: "Continue" waits for the widget to report the payment.
    assert!(
        html.contains(r#"<p class="hosted-continue" id="paydesk-continue" hidden>"#),
        "{html}"
    );
    // No inline script or style anywhere.
    assert!(!html.contains("<style"), "{html}");
    assert!(!html.contains("style="), "{html}");
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=").count()
    );
}

#[tokio::test]
async fn without_a_manifest_the_page_falls_back_to_the_evergreen_loader() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let response = app.get(&format!("/pay/{}", order.client_token)).await;
    assert_eq!(response.status(), 200);
    assert_page_headers(&response);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!(
            r##"<script src="/assets/paydesk.js" data-client-token="{}" data-target="#paydesk-checkout" data-mode="hosted" defer></script>"##,
            order.client_token
        )),
        "{html}"
    );
    assert!(!html.contains("integrity="), "{html}");
}

#[tokio::test]
async fn the_locale_passes_to_the_widget_and_anything_else_is_dropped() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let page = |query: &'static str| {
        let path = format!("/pay/{}?{query}", order.client_token);
        let app = &app;
        async move {
            let response = app.get(&path).await;
            assert_eq!(response.status(), 200, "{query}");
            response.text().await.unwrap()
        }
    };
    let zh = page("locale=zh-CN").await;
    assert!(
        zh.contains(r#"data-mode="hosted" data-locale="zh-CN" defer"#),
        "{zh}"
    );
    assert!(zh.contains(r#"<html lang="zh-CN">"#), "{zh}");
    assert!(zh.contains("返回 Alpha Teas"), "{zh}");

    let hostile = page("locale=%22%3E%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert!(!hostile.contains("data-locale"), "{hostile}");
    assert!(!hostile.contains("alert(1)"), "{hostile}");
    assert!(hostile.contains(r#"<html lang="en">"#), "{hostile}");

    // Malformed query text is ignored, not refused.
    let odd = page("locale&&=%zz").await;
    assert!(!odd.contains("data-locale"), "{odd}");
}

#[tokio::test]
async fn without_a_locale_the_page_speaks_the_browsers_language() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let response = app
        .client
        .get(app.url(&format!("/pay/{}", order.client_token)))
        .header("accept-language", "zh-TW,zh;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<html lang="zh-TW">"#), "{html}");
    assert!(html.contains("繼續前往 Alpha Teas"), "{html}");
    // The widget picks its own language from the browser.
    assert!(!html.contains("data-locale"), "{html}");
}

#[tokio::test]
async fn bad_tokens_get_a_friendly_not_found_page() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let (uuid_and_secret, _) = order.client_token.split_at(order.client_token.len() - 4);
    let wrong_secret = format!("{uuid_and_secret}AAAA");
    let unknown_order = format!(
        "ct_0123456789abcdef0123456789abcdef_{}",
        order.client_token.rsplit('_').next().unwrap()
    );
    for token in [
        "nonsense",
        "ct_",
        "%3Cscript%3E",
        unknown_order.as_str(),
        wrong_secret.as_str(),
        order.id.as_str(),
    ] {
        let response = app.get(&format!("/pay/{token}")).await;
        assert_eq!(response.status(), 404, "{token}");
        assert_page_headers(&response);
        let html = response.text().await.unwrap();
        assert!(html.contains("This checkout link is not valid"), "{html}");
        assert!(!html.contains("paydesk.js"), "{html}");
        assert!(!html.contains("<script"), "{html}");
    }
}

#[tokio::test]
async fn a_paid_order_still_renders_with_the_way_back_shown() {
    let app = spawn_app().await;
    let (order, attempt_id) = app.order_at_bank().await;
    let body = app.notification(
        &order,
        &attempt_id,
        &order.total,
        paydesk_shared::bank_protocol::PaymentOutcome::Succeeded,
    );
    assert_eq!(app.notify(body, &app.bank).await.status(), 200);
    app.settled().await;
    let response = app.get(&format!("/pay/{}", order.client_token)).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(r#"<p class="hosted-continue" id="paydesk-continue">"#),
        "{html}"
    );
    assert!(html.contains("Continue to Alpha Teas"), "{html}");
}

#[tokio::test]
async fn an_expired_order_still_renders() {
    let app = spawn_app_with(|config| config.order_ttl = std::time::Duration::ZERO).await;
    let order = app.create_order().await;
    let response = app.get(&format!("/pay/{}", order.client_token)).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains(&order.client_token), "{html}");
}

#[tokio::test]
async fn the_bank_sends_hosted_shoppers_back_to_the_hosted_page() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let response = app
        .start_attempt_body(
            &order,
            "click-1",
            json!({"bank_code": "ICBC", "card_kind": "debit", "mode": "hosted"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let attempt: CreateAttemptResponse = response.json().await.unwrap();
    let back = app
        .get(&format!("/pay/return/{}", attempt.attempt_id))
        .await;
    assert_eq!(back.status(), 303);
    assert_eq!(back.headers()["location"], order.hosted_url.as_str());
    assert_eq!(
        order.hosted_url,
        app.url(&format!("/pay/{}", order.client_token))
    );
    // The browser's return proves nothing.
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "pending");
}

#[tokio::test]
async fn the_bank_sends_embedded_shoppers_to_the_merchants_return_url() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    for (key, body) in [
        (
            "click-1",
            json!({"bank_code": "ICBC", "card_kind": "debit"}),
        ),
        (
            "click-2",
            json!({"bank_code": "ICBC", "card_kind": "debit", "mode": "embedded"}),
        ),
    ] {
        let response = app.start_attempt_body(&order, key, body).await;
        assert_eq!(response.status(), 201);
        let attempt: CreateAttemptResponse = response.json().await.unwrap();
        let back = app
            .get(&format!("/pay/return/{}", attempt.attempt_id))
            .await;
        assert_eq!(back.status(), 303);
        assert_eq!(back.headers()["location"], order.return_url.as_str());
    }
}

#[tokio::test]
async fn an_unknown_mode_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let before = app.snapshot().await;
    let response = app
        .start_attempt_body(
            &order,
            "click-1",
            json!({"bank_code": "ICBC", "card_kind": "debit", "mode": "popup"}),
        )
        .await;
    assert_error(response, 400, "invalid_json").await;
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_unknown_attempt_gets_a_not_found_page() {
    let app = spawn_app().await;
    let response = app.get("/pay/return/att_nope").await;
    assert_eq!(response.status(), 404);
    assert_page_headers(&response);
    let html = response.text().await.unwrap();
    assert!(html.contains("We could not find this payment"), "{html}");
}

#[tokio::test]
async fn item_images_on_plain_http_are_allowed_by_origin_only() {
    let app = spawn_app().await;
    let mut body = order_body();
    body["items"][0]["image_url"] = json!("http://shop.example:8082/static/tea.svg");
    let response = app.post_order(&body).await;
    assert_eq!(response.status(), 201);
    let order: paydesk_shared::api::OrderResponse = response.json().await.unwrap();
    let page = app.get(&format!("/pay/{}", order.client_token)).await;
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.headers()["content-security-policy"],
        CSP.replace(
            "img-src 'self' https: data:",
            "img-src 'self' https: data: http://shop.example:8082"
        )
        .as_str()
    );
}

/// Characters a URL host may legally hold (`;` `,` `*` quotes) would end or widen a
/// policy directive: a hostile image URL is refused or adds nothing to the policy.
#[tokio::test]
async fn hostile_image_urls_never_change_the_pages_policy() {
    let app = spawn_app().await;
    for hostile in [
        "http://a;script-src*/x.png",
        "http://a,b/x.png",
        "http://*/x.png",
        "http://x'unsafe-inline'/x.png",
        "http://a;default-src%20*/x.png",
        "https://a;script-src*/x.png",
    ] {
        let mut body = order_body();
        body["items"][0]["image_url"] = json!(hostile);
        let response = app.post_order(&body).await;
        if response.status() != 201 {
            assert_error(response, 422, "url_invalid").await;
            continue;
        }
        let order: paydesk_shared::api::OrderResponse = response.json().await.unwrap();
        let page = app.get(&format!("/pay/{}", order.client_token)).await;
        assert_eq!(page.status(), 200, "{hostile}");
        assert_page_headers(&page);
    }
}

/// The return URL reaches a `Location` header: whatever the merchant's query holds
/// stays one header value, never a second header.
#[tokio::test]
async fn a_hostile_return_url_query_stays_inside_the_location_header() {
    let app = spawn_app().await;
    let mut body = order_body();
    body["return_url"] = json!(format!("{RETURN_URL}?ref=a\";<x>%0d%0aSet-Cookie:x=1"));
    let response = app.post_order(&body).await;
    assert_eq!(response.status(), 201);
    let order: paydesk_shared::api::OrderResponse = response.json().await.unwrap();
    let attempt: CreateAttemptResponse = app
        .start_attempt(&order, "ICBC", "click-1")
        .await
        .json()
        .await
        .unwrap();
    let back = app
        .get(&format!("/pay/return/{}", attempt.attempt_id))
        .await;
    assert_eq!(back.status(), 303);
    assert!(back.headers().get("set-cookie").is_none());
    let location = back.headers()["location"].to_str().unwrap();
    assert_eq!(location, order.return_url.as_str());
}
