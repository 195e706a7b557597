//! Merchants the operator creates, and their money: keys, return URLs, balance,
//! balance transactions and the trial balance, through the HTTP API.

use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::balance_api::{BalanceResponse, BalanceTransactionList};
use paydesk_shared::bank_protocol::PaymentOutcome;
use paydesk_shared::merchant_api::{KeyList, KeyResponse, MerchantResponse, ReturnUrlList};
use serde_json::{Value, json};

use crate::helpers::{
    OPERATOR_KEY, RETURN_URL, SECRET_KEY, TestApp, assert_error, order_body, spawn_app,
};

fn merchant_body(name: &str) -> Value {
    json!({
        "name": name,
        "settlement_account": {"bank": "CMB", "account_number": "6225880012345678"},
        "return_urls": [RETURN_URL],
        "fee_plan": {
            "debit": {"basis_points": 100, "fixed": "0.10"},
            "credit": {"basis_points": 200, "minimum": "1.00"}
        }
    })
}

impl TestApp {
    async fn operator_post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(OPERATOR_KEY)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    async fn create_merchant(&self, name: &str) -> MerchantResponse {
        let response = self
            .operator_post("/v1/operator/merchants", &merchant_body(name))
            .await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    async fn get_as(&self, key: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
    }

    /// An order of the merchant holding `key`, paid at ICBC with a debit card.
    async fn paid_order_of(&self, key: &str) -> OrderResponse {
        let response = self
            .post_order_raw(Some(key), None, serde_json::to_vec(&order_body()).unwrap())
            .await;
        assert_eq!(response.status(), 201);
        let order: OrderResponse = response.json().await.unwrap();
        let response = self.start_attempt(&order, "ICBC", "click-1").await;
        assert_eq!(response.status(), 201);
        let attempt: CreateAttemptResponse = response.json().await.unwrap();
        let body = self.notification(
            &order,
            &attempt.attempt_id,
            &order.total,
            PaymentOutcome::Succeeded,
        );
        assert_eq!(self.notify(body, &self.bank.clone()).await.status(), 200);
        self.settled().await;
        order
    }

    async fn balance_of(&self, key: &str) -> BalanceResponse {
        let response = self.get_as(key, "/v1/balance").await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }
}

fn amounts(list: &[paydesk_shared::balance_api::BalanceAmount]) -> Vec<(String, String)> {
    list.iter()
        .map(|a| (a.currency.code().to_owned(), a.amount.clone()))
        .collect()
}

#[tokio::test]
async fn merchants_created_by_the_operator_see_only_their_own_money() {
    let app = spawn_app().await;
    let tea = app.create_merchant("Tea House").await;
    let cups = app.create_merchant("Cup Works").await;
    let tea_key = tea.secret_key.clone().unwrap();
    let cups_key = cups.secret_key.clone().unwrap();
    assert!(tea_key.starts_with("sk_") && tea_key != cups_key);
    assert_eq!(tea.settlement_account.as_ref().unwrap().bank, "CMB");

    let order = app.paid_order_of(&tea_key).await;
    // 118.00 at 1% + 0.10 on a debit card: 1.18 + 0.10 = 1.28; net 116.72.
    let tea_balance = app.balance_of(&tea_key).await;
    assert_eq!(
        amounts(&tea_balance.pending),
        vec![("CNY".into(), "116.72".into())]
    );
    assert_eq!(
        amounts(&tea_balance.available),
        vec![("CNY".into(), "0.00".into())]
    );
    let cups_balance = app.balance_of(&cups_key).await;
    assert!(cups_balance.pending.is_empty() && cups_balance.available.is_empty());

    let other = app
        .get_as(&cups_key, &format!("/v1/orders/{}", order.id))
        .await;
    assert_error(other, 404, "not_found").await;
    let lines: BalanceTransactionList = app
        .get_as(&cups_key, "/v1/balance_transactions")
        .await
        .json()
        .await
        .unwrap();
    assert!(lines.data.is_empty());
    // The configured demo merchant is untouched by either.
    let demo = app.balance_of(SECRET_KEY).await;
    assert!(demo.pending.is_empty());

    let listed = app.operator_get("/v1/operator/merchants?limit=100").await;
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&tea.id.as_str()) && ids.contains(&cups.id.as_str()));
    assert!(
        listed["data"][0].get("secret_key").is_none(),
        "keys are shown once"
    );
    let one = app
        .operator_get(&format!("/v1/operator/merchants/{}", tea.id))
        .await;
    assert_eq!(one["fee_plan"]["debit"]["basis_points"], 100);
}

#[tokio::test]
async fn a_merchant_rotates_keys_without_downtime() {
    let app = spawn_app().await;
    let merchant = app.create_merchant("Tea House").await;
    let first = merchant.secret_key.unwrap();
    let keys_path = format!("/v1/operator/merchants/{}/keys", merchant.id);
    let response = app.operator_post(&keys_path, &json!({})).await;
    assert_eq!(response.status(), 201);
    let second: KeyResponse = response.json().await.unwrap();
    let second_key = second.secret_key.clone().unwrap();
    for key in [&first, &second_key] {
        assert_eq!(app.get_as(key, "/v1/account").await.status(), 200);
    }
    let listed: KeyList = serde_json::from_value(app.operator_get(&keys_path).await).unwrap();
    assert_eq!(listed.data.len(), 2);
    assert!(listed.data.iter().all(|k| k.secret_key.is_none()));
    let first_id = &listed.data.iter().find(|k| k.id != second.id).unwrap().id;

    let revoke = app
        .client
        .delete(app.url(&format!("{keys_path}/{first_id}")))
        .bearer_auth(OPERATOR_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);
    let revoked: KeyResponse = revoke.json().await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_error(
        app.get_as(&first, "/v1/account").await,
        401,
        "unauthenticated",
    )
    .await;
    let account: MerchantResponse = app
        .get_as(&second_key, "/v1/account")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(account.id, merchant.id);
    assert!(account.secret_key.is_none());

    let again = app
        .client
        .delete(app.url(&format!("{keys_path}/{first_id}")))
        .bearer_auth(OPERATOR_KEY)
        .send()
        .await
        .unwrap();
    assert_error(again, 404, "not_found").await;
}

#[tokio::test]
async fn keys_are_minted_in_the_mode_asked_for() {
    let app = spawn_app().await;
    let tea = app.create_merchant("Tea House").await;
    assert!(tea.secret_key.unwrap().starts_with("sk_test_"));
    let mut live_body = merchant_body("Cups");
    live_body["key_mode"] = json!("live");
    let response = app
        .operator_post("/v1/operator/merchants", &live_body)
        .await;
    assert_eq!(response.status(), 201);
    let cups: MerchantResponse = response.json().await.unwrap();
    assert!(cups.secret_key.unwrap().starts_with("sk_live_"));

    let keys_path = format!("/v1/operator/merchants/{}/keys", tea.id);
    let issue = |body: Option<(&'static str, &'static str)>| {
        let mut request = app
            .client
            .post(app.url(&keys_path))
            .bearer_auth(OPERATOR_KEY);
        if let Some((content_type, body)) = body {
            request = request.header("content-type", content_type).body(body);
        }
        request.send()
    };
    for (body, prefix) in [
        (None, "sk_test_"),
        (
            Some(("application/json", r#"{"mode": "live"}"#)),
            "sk_live_",
        ),
        (
            Some(("application/json", r#"{"mode": "test"}"#)),
            "sk_test_",
        ),
    ] {
        let response = issue(body).await.unwrap();
        assert_eq!(response.status(), 201, "{body:?}");
        let key: KeyResponse = response.json().await.unwrap();
        assert!(key.secret_key.unwrap().starts_with(prefix), "{body:?}");
    }
    for (body, status, code) in [
        (
            ("application/json", r#"{"mode": "sandbox"}"#),
            400,
            "invalid_json",
        ),
        (
            ("application/json", r#"{"mode": "live", "x": 1}"#),
            400,
            "invalid_json",
        ),
        (("text/plain", "live"), 415, "unsupported_media_type"),
    ] {
        assert_error(issue(Some(body)).await.unwrap(), status, code).await;
    }
    let listed: KeyList = serde_json::from_value(app.operator_get(&keys_path).await).unwrap();
    assert_eq!(listed.data.len(), 4, "refused requests issue no key");
}

#[tokio::test]
async fn a_merchant_manages_its_return_urls() {
    let app = spawn_app().await;
    let merchant = app.create_merchant("Tea House").await;
    let key = merchant.secret_key.unwrap();
    let new_url = "https://tea.example/thanks";
    let added = app
        .client
        .post(app.url("/v1/return_urls"))
        .bearer_auth(&key)
        .json(&json!({"url": new_url}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 200);
    let list: ReturnUrlList = added.json().await.unwrap();
    assert_eq!(list.data, vec![RETURN_URL.to_owned(), new_url.to_owned()]);
    let mut body = order_body();
    body["return_url"] = json!(format!("{new_url}?ref=1"));
    let created = app
        .post_order_raw(Some(&key), None, serde_json::to_vec(&body).unwrap())
        .await;
    assert_eq!(created.status(), 201, "the new URL is usable at once");

    let removed = app
        .client
        .delete(app.url(&format!("/v1/return_urls?url={}", urlencode(new_url))))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 200);
    let listed: ReturnUrlList = app
        .get_as(&key, "/v1/return_urls")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.data, vec![RETURN_URL.to_owned()]);
    let refused = app
        .post_order_raw(Some(&key), None, serde_json::to_vec(&body).unwrap())
        .await;
    assert_error(refused, 422, "return_url_not_registered").await;
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn balance_transactions_add_up_to_the_balance_and_export_as_csv() {
    let app = spawn_app().await;
    let order = app.paid_order_of(SECRET_KEY).await;
    let refund = app
        .client
        .post(app.url(&format!("/v1/orders/{}/refunds", order.id)))
        .bearer_auth(SECRET_KEY)
        .json(&json!({"amount": "10.00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refund.status(), 201);
    // The demo merchant has the default plan: 0.6% of 118.00 = 0.708 → 0.71.
    let balance = app.balance_of(SECRET_KEY).await;
    assert_eq!(
        amounts(&balance.pending),
        vec![("CNY".into(), "107.29".into())]
    );

    let lines: BalanceTransactionList = app
        .get_as(SECRET_KEY, "/v1/balance_transactions?limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert!(lines.has_more);
    assert_eq!(lines.data[0].kind, "refund");
    assert_eq!(
        (
            lines.data[0].amount.as_str(),
            lines.data[0].fee.as_str(),
            lines.data[0].net.as_str()
        ),
        ("-10.00", "0.00", "-10.00")
    );
    let next: BalanceTransactionList = app
        .get_as(
            SECRET_KEY,
            &format!(
                "/v1/balance_transactions?starting_after={}",
                lines.data[0].id
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(!next.has_more);
    let payment = &next.data[0];
    assert_eq!(
        (
            payment.kind.as_str(),
            payment.amount.as_str(),
            payment.fee.as_str(),
            payment.net.as_str()
        ),
        ("payment", "118.00", "0.71", "117.29")
    );
    assert_eq!(
        (payment.source.as_str(), payment.status.as_str()),
        (order.id.as_str(), "pending")
    );

    let csv = app
        .client
        .get(app.url("/v1/balance_transactions"))
        .bearer_auth(SECRET_KEY)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[0].starts_with("id,type,amount,fee,net,currency"));
    assert!(rows[1].contains(",refund,-10.00,0.00,-10.00,CNY,"));
    assert!(rows[2].contains(",payment,118.00,0.71,117.29,CNY,"));
    let refunds_only: BalanceTransactionList = app
        .get_as(SECRET_KEY, "/v1/balance_transactions?type=refund")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refunds_only.data.len(), 1);

    let books = app.operator_get("/v1/operator/ledger/trial_balance").await;
    assert_eq!(books["balanced"], true);
    assert_eq!(books["totals"], json!([{"currency": "CNY", "sum": "0.00"}]));
    let account = |name: &str| {
        books["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["account"] == name)
            .map(|a| a["balance"].as_str().unwrap().to_owned())
    };
    assert_eq!(account("bank_clearing:ICBC").as_deref(), Some("108.00"));
    assert_eq!(account("fee_revenue").as_deref(), Some("-0.71"));
    assert_eq!(
        account("merchant_pending:mer_alpha").as_deref(),
        Some("-107.29")
    );
}

#[tokio::test]
async fn bad_merchant_and_balance_requests_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let before = app.operator_get("/v1/operator/merchants?limit=100").await;
    let cases = [
        (json!({"name": "x"}), 400, "invalid_json"),
        (
            json!({"name": "", "settlement_account": {"bank": "CMB", "account_number": "6225880012345678"}}),
            422,
            "invalid_field",
        ),
        (
            json!({"name": "x", "settlement_account": {"bank": "NOPE", "account_number": "6225880012345678"}}),
            422,
            "bank_unknown",
        ),
        (
            json!({"name": "x", "settlement_account": {"bank": "CMB", "account_number": "12ab"}}),
            422,
            "invalid_field",
        ),
        (
            json!({"name": "x", "settlement_account": {"bank": "CMB", "account_number": "6225880012345678"}, "return_urls": ["ftp://x"]}),
            422,
            "url_invalid",
        ),
        (
            json!({"name": "x", "settlement_account": {"bank": "CMB", "account_number": "6225880012345678"}, "fee_plan": {"debit": {"basis_points": 20000}, "credit": {"basis_points": 1}}}),
            422,
            "invalid_field",
        ),
        (
            json!({"name": "x", "settlement_account": {"bank": "CMB", "account_number": "6225880012345678"}, "fee_plan": {"debit": {"basis_points": 1, "fixed": "-1"}, "credit": {"basis_points": 1}}}),
            422,
            "invalid_field",
        ),
        (
            json!({"name": "x", "settlement_account": {"bank": "CMB", "account_number": "6225880012345678"}, "webhook_url": "not a url"}),
            422,
            "url_invalid",
        ),
    ];
    for (body, status, code) in cases {
        let response = app.operator_post("/v1/operator/merchants", &body).await;
        assert_error(response, status, code).await;
    }
    let unauthenticated = app
        .client
        .post(app.url("/v1/operator/merchants"))
        .bearer_auth(SECRET_KEY)
        .json(&merchant_body("x"))
        .send()
        .await
        .unwrap();
    assert_error(unauthenticated, 401, "unauthenticated").await;
    assert_eq!(
        app.operator_get("/v1/operator/merchants?limit=100").await,
        before
    );

    for path in [
        "/v1/operator/merchants/mer_nobody",
        "/v1/operator/merchants/mer_nobody/keys",
    ] {
        let response = app.get_as(OPERATOR_KEY, path).await;
        assert_error(response, 404, "not_found").await;
    }
    let issue = app
        .operator_post("/v1/operator/merchants/mer_nobody/keys", &json!({}))
        .await;
    assert_error(issue, 404, "not_found").await;

    for (query, code) in [
        ("type=bogus", "query_invalid"),
        ("format=xml", "query_invalid"),
        ("limit=0", "query_invalid"),
        ("color=red", "query_invalid"),
    ] {
        let response = app
            .get_as(SECRET_KEY, &format!("/v1/balance_transactions?{query}"))
            .await;
        assert_error(response, 400, code).await;
    }
    let bad_url = app
        .client
        .post(app.url("/v1/return_urls"))
        .bearer_auth(SECRET_KEY)
        .json(&json!({"url": "https://user:pw@shop.example/x"}))
        .send()
        .await
        .unwrap();
    assert_error(bad_url, 422, "url_invalid").await;
    let not_registered = app
        .client
        .delete(app.url("/v1/return_urls?url=https%3A%2F%2Fnowhere.example%2F"))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_error(not_registered, 404, "not_found").await;
    let listed: ReturnUrlList = app
        .get_as(SECRET_KEY, "/v1/return_urls")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.data, vec![RETURN_URL.to_owned()]);
    assert_error(app.get("/v1/balance").await, 401, "unauthenticated").await;
}

#[tokio::test]
async fn a_bank_that_never_settles_raises_one_overdue_alert() {
    let (app, clock) = crate::webhook_support::manual_app().await;
    let order = app.pay_order(&clock).await;
    app.order_reaches(&order.id, "paid").await;
    let run = |app: &TestApp| {
        let request = app
            .client
            .post(app.url("/v1/operator/settlement_runs"))
            .bearer_auth(OPERATOR_KEY)
            .json(&json!({}))
            .send();
        async move {
            let response = request.await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    // This test's bank serves no settlement file: nothing is ever reconciled.
    let today = run(&app).await;
    assert_eq!(today["overdue_alerts"], 0, "not overdue on its day");
    assert_eq!(today["unavailable_files"].as_array().unwrap().len(), 2);
    clock.advance(std::time::Duration::from_secs(3 * 24 * 3600));
    // The daily settler, due once the clock passes its minute, may raise it first:
    // whichever run comes first raises it, and none raises it again.
    run(&app).await;
    assert_eq!(run(&app).await["overdue_alerts"], 0, "raised once");
    let alerts = app.operator_get("/v1/operator/alerts").await;
    let overdue: Vec<&Value> = alerts["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "hand_off_overdue")
        .collect();
    assert_eq!(overdue.len(), 1);
    let message = overdue[0]["message"].as_str().unwrap();
    assert!(
        message.contains("bank_clearing:ICBC") && message.contains("118.00"),
        "{message}"
    );
}

#[tokio::test]
async fn bad_settlement_and_payout_requests_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let post = |path: &str, key: &str, body: Value| {
        app.client
            .post(app.url(path))
            .bearer_auth(key)
            .json(&body)
            .send()
    };
    for (body, code) in [
        (json!({"date": "2026-02-30"}), "invalid_field"),
        (json!({"date": 20261206}), "invalid_json"),
        (json!({"day": "2026-12-06"}), "invalid_json"),
    ] {
        let response = post("/v1/operator/settlement_runs", OPERATOR_KEY, body)
            .await
            .unwrap();
        let status = if code == "invalid_json" { 400 } else { 422 };
        assert_error(response, status, code).await;
    }
    for (body, status, code) in [
        (
            json!({"amount": "1.00", "currency": "XXX"}),
            422,
            "currency_unknown",
        ),
        (
            json!({"amount": "-1.00", "currency": "CNY"}),
            422,
            "amount_invalid",
        ),
        (
            json!({"amount": "0.00", "currency": "CNY"}),
            422,
            "amount_invalid",
        ),
        (
            json!({"amount": "1.001", "currency": "CNY"}),
            422,
            "amount_invalid",
        ),
        (json!({"amount": "1.00"}), 400, "invalid_json"),
        // The test merchant has no settlement account.
        (
            json!({"amount": "1.00", "currency": "CNY"}),
            422,
            "payout_unavailable",
        ),
    ] {
        let response = post("/v1/payouts", SECRET_KEY, body).await.unwrap();
        assert_error(response, status, code).await;
    }
    for path in ["/v1/payouts/po_nope", "/v1/settlements/stl_nope"] {
        assert_error(app.get_as(SECRET_KEY, path).await, 404, "not_found").await;
    }
    for path in [
        "/v1/operator/reconciliation/2026-13-01",
        "/v1/operator/reconciliation/yesterday",
    ] {
        assert_error(app.get_as(OPERATOR_KEY, path).await, 422, "invalid_field").await;
    }
    let resolve = post(
        "/v1/operator/alerts/alr_nope/resolve",
        OPERATOR_KEY,
        json!({"reason": "checked"}),
    )
    .await
    .unwrap();
    assert_error(resolve, 404, "not_found").await;
    let blank = post(
        "/v1/operator/alerts/alr_nope/resolve",
        OPERATOR_KEY,
        json!({"reason": "  "}),
    )
    .await
    .unwrap();
    assert_error(blank, 422, "invalid_field").await;
    assert_eq!(app.snapshot().await, before);
}
