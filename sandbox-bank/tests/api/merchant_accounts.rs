//! A merchant's account at the sandbox's banks, as JSON and as a page: what the
//! payouts credited, so a merchant can check a payout against its own bank.

use reqwest::StatusCode;

use crate::helpers::{assert_error, page, spawn_app};
use crate::transfers::{ACCOUNT, bank_transfer_id, transfer_request};

#[tokio::test]
async fn malformed_numbers_are_400_and_unknown_accounts_404_as_json() {
    let app = spawn_app().await;
    for number in [
        "12345",
        "12345678901234567890",
        "62284800123456x",
        "6228%204800",
        "%2B123456",
        "%FF%FE",
    ] {
        let response = app.get(&format!("/merchant_accounts/{number}")).await;
        assert_error(response, StatusCode::BAD_REQUEST, "invalid_field").await;
    }
    let response = app.get(&format!("/merchant_accounts/{ACCOUNT}")).await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    // A refused transfer opens nothing.
    app.transfer(&transfer_request("po_1", "6228480000000000", "1.00"))
        .await;
    let response = app.get("/merchant_accounts/6228480000000000").await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn the_account_page_shows_balance_and_every_transfer() {
    let app = spawn_app().await;
    let first = app
        .transfer(&transfer_request("po_1", ACCOUNT, "120.50"))
        .await;
    let mut second = transfer_request("po_2", ACCOUNT, "9.50");
    second.reference = "<b>June</b> & \"July\"".into();
    let second = app.transfer(&second).await;

    let shown = page(
        app.get(&format!("/merchant_account?account_number={ACCOUNT}"))
            .await,
    )
    .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.headers["cache-control"], "no-store");
    assert!(
        shown
            .headers
            .get("content-type")
            .is_some_and(|t| t.to_str().unwrap().starts_with("text/html"))
    );
    let body = &shown.body;
    assert!(body.contains(&format!(r#"data-testid="merchant-account">{ACCOUNT}<"#)));
    assert!(
        body.contains(r#"data-testid="balance-ICBC-CNY">130.00<"#),
        "{body}"
    );
    assert!(body.contains("Demo &lt;Shop&gt; &amp; Co"));
    assert!(body.contains("&lt;b&gt;June&lt;/b&gt; &amp; &quot;July&quot;"));
    assert!(!body.contains("<b>June"));
    assert!(body.contains("+CNY 120.50") && body.contains("+CNY 9.50"));
    for (answer, payout) in [(&first, "po_1"), (&second, "po_2")] {
        let id = bank_transfer_id(answer);
        assert!(
            body.contains(&format!(r#"<td class="mono">{id}</td>"#)),
            "{id}"
        );
        assert!(body.contains(&format!(r#"<td class="mono">{payout}</td>"#)));
    }
    // Newest first.
    let position = |answer| {
        body.find(&format!(r#"data-transfer="{}""#, bank_transfer_id(answer)))
            .expect("listed")
    };
    assert!(position(&second) < position(&first));
    assert!(!body.contains("style="));
}

#[tokio::test]
async fn the_look_up_form_explains_bad_and_unknown_numbers() {
    let app = spawn_app().await;
    let form = page(app.get("/merchant_account").await).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(
        r#"<form id="merchant-lookup" class="pay-form" method="get" action="/merchant_account">"#
    ));
    let blank = page(app.get("/merchant_account?account_number=").await).await;
    assert_eq!(blank.status, StatusCode::OK);

    let malformed = page(
        app.get("/merchant_account?account_number=%3Cscript%3E12")
            .await,
    )
    .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.body.contains("6 to 19 digits"));
    assert!(malformed.body.contains(r#"value="&lt;script&gt;12""#));
    assert!(!malformed.body.contains("<script"));
    let long = page(
        app.get(&format!(
            "/merchant_account?account_number={}",
            "9".repeat(500)
        ))
        .await,
    )
    .await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    assert!(!long.body.contains(&"9".repeat(33)));

    let unknown = page(
        app.get(&format!("/merchant_account?account_number={ACCOUNT}"))
            .await,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("No transfer has reached"));
    assert!(unknown.body.contains(&format!(r#"value="{ACCOUNT}""#)));

    // Found from the bank's front page and the card holder's sign-in page.
    for path in ["/", "/account"] {
        let linking = page(app.get(path).await).await;
        assert!(
            linking.body.contains(r#"href="/merchant_account""#),
            "{path}"
        );
    }
}
