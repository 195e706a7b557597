//! Faults on demand through the sandbox control API: dropped, delayed, duplicated
//! and reordered notifications, slow status queries, banks in maintenance.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use paydesk_sandbox_bank::Faults;
use paydesk_shared::Currency;
use paydesk_shared::bank_protocol::{
    BANK_STATUS_PATH, BankStatusList, PaymentRequest, QUERY_PATH, QueryAnswer, StatusQuery,
};
use paydesk_shared::signing::Verifier;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    PASSWORD, RICH_DEBIT, TestApp, assert_error, now, page, payment_request, see_other, spawn_app,
    spawn_app_with, spawn_receiver,
};

impl TestApp {
    pub(crate) async fn put_faults(&self, body: &str) -> reqwest::Response {
        self.client
            .put(format!("{}/sandbox/faults", self.address))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("PUT /sandbox/faults")
    }

    pub(crate) async fn set_faults(&self, faults: Value) -> Value {
        let response = self.put_faults(&faults.to_string()).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("faults JSON")
    }

    async fn faults(&self) -> Value {
        self.get("/sandbox/faults")
            .await
            .json()
            .await
            .expect("faults JSON")
    }

    /// Opens the request's bank page and cancels: the quickest decision.
    async fn decide(&self, request: &PaymentRequest) {
        let session = self.open(request).await.session();
        let response = self.cancel(&session).await;
        assert_eq!(see_other(&response), request.return_url);
    }

    async fn ask(&self, request: &PaymentRequest) -> QueryAnswer {
        let query = StatusQuery {
            attempt_id: request.attempt_id.clone(),
            order_id: request.order_id.clone(),
            bank_code: request.bank_code.clone(),
        };
        let response = self.post_signed(QUERY_PATH, &query).await;
        self.signed_answer(response).await
    }
}

fn no_faults() -> Value {
    json!({
        "seed": 0, "drop_percent": 0, "delay_ms": 0, "duplicate": 1, "reorder": false,
        "reorder_window": 2, "processing_queries": 0, "lose_transfer_answers": 0,
        "maintenance": [],
        "settlement_file": {
            "omit": [], "amount_off": [], "currency_off": [], "duplicate": [], "unknown_lines": 0
        }
    })
}

#[tokio::test]
async fn faults_are_set_shown_and_reset() {
    let app = spawn_app().await;
    assert_eq!(app.faults().await, no_faults());
    let set = app
        .set_faults(json!({"seed": 9, "duplicate": 2, "maintenance": ["CMB"]}))
        .await;
    let mut expected = no_faults();
    expected["seed"] = 9.into();
    expected["duplicate"] = 2.into();
    expected["maintenance"] = json!(["CMB"]);
    assert_eq!(set, expected);
    assert_eq!(app.faults().await, expected);

    let reset = app
        .client
        .delete(format!("{}/sandbox/faults", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::OK);
    assert_eq!(reset.json::<Value>().await.unwrap(), no_faults());
    assert_eq!(app.faults().await, no_faults());
}

#[tokio::test]
async fn invalid_fault_json_is_400_and_changes_nothing() {
    let app = spawn_app().await;
    app.set_faults(json!({"delay_ms": 5})).await;
    let before = app.faults().await;
    for body in [
        "not json",
        "[]",
        r#"{"drop_percent": 101}"#,
        r#"{"duplicate": 0}"#,
        r#"{"reorder_window": 1}"#,
        r#"{"delay_ms": -5}"#,
        r#"{"lose_transfer_answers": 11}"#,
        r#"{"maintenance": ["NOPE"]}"#,
        r#"{"maintenance": "ICBC"}"#,
        r#"{"unknown": true}"#,
        r#"{"settlement_file": {"unknown_lines": 101}}"#,
        r#"{"settlement_file": {"omit": [""]}}"#,
        r#"{"settlement_file": {"duplicate": "att_1"}}"#,
        r#"{"settlement_file": {"nope": []}}"#,
    ] {
        assert_error(
            app.put_faults(body).await,
            StatusCode::BAD_REQUEST,
            "invalid_faults",
        )
        .await;
    }
    assert_eq!(app.faults().await, before);
}

/// The attempts whose notification arrived, out of twelve decided with `faults`.
async fn delivered_of_twelve(faults: Value) -> BTreeSet<String> {
    let app = spawn_app().await;
    app.set_faults(faults).await;
    let mut receiver = spawn_receiver(vec![]).await;
    let mut requests = Vec::new();
    for i in 0..12 {
        let mut request = payment_request(&receiver.url);
        request.attempt_id = format!("att_drop_{i}");
        app.decide(&request).await;
        requests.push(request);
    }
    let delivered: BTreeSet<String> = receiver
        .until_quiet(Duration::from_millis(800))
        .await
        .iter()
        .map(|received| app.verify(received).attempt_id)
        .collect();
    // Dropped or not, every attempt is decided and a status query says so.
    for request in &requests {
        assert!(matches!(
            app.ask(request).await,
            QueryAnswer::Decided { .. }
        ));
    }
    delivered
}

#[tokio::test]
async fn drops_hit_the_same_attempts_on_every_run() {
    let half = json!({"seed": 7, "drop_percent": 50});
    let first = delivered_of_twelve(half.clone()).await;
    let second = delivered_of_twelve(half).await;
    assert_eq!(first, second);
    assert!(!first.is_empty() && first.len() < 12, "{first:?}");
    let other_seed = delivered_of_twelve(json!({"seed": 8, "drop_percent": 50})).await;
    assert_ne!(first, other_seed);
    assert!(
        delivered_of_twelve(json!({"drop_percent": 100}))
            .await
            .is_empty()
    );
    assert_eq!(
        delivered_of_twelve(json!({"drop_percent": 0})).await.len(),
        12
    );
}

#[tokio::test]
async fn the_first_delivery_waits_delay_ms() {
    let app = spawn_app().await;
    app.set_faults(json!({"delay_ms": 800})).await;
    let mut receiver = spawn_receiver(vec![]).await;
    let request = payment_request(&receiver.url);
    let decided_at = Instant::now();
    app.decide(&request).await;
    let received = receiver.next().await;
    assert!(decided_at.elapsed() >= Duration::from_millis(800));
    assert_eq!(app.verify(&received).attempt_id, request.attempt_id);
}

#[tokio::test]
async fn duplicates_are_each_signed_with_their_own_nonce() {
    let app = spawn_app().await;
    app.set_faults(json!({"duplicate": 3})).await;
    let mut receiver = spawn_receiver(vec![]).await;
    let request = payment_request(&receiver.url);
    app.decide(&request).await;
    let copies = [
        receiver.next().await,
        receiver.next().await,
        receiver.next().await,
    ];
    let verifier = Verifier::new(vec![app.bank_key.clone()]);
    let nonces: BTreeSet<String> = copies
        .iter()
        .map(|copy| {
            verifier
                .verify(&copy.signature, &copy.body, now())
                .expect("each copy verifies")
                .nonce
        })
        .collect();
    assert_eq!(nonces.len(), 3);
    assert!(copies.iter().all(|copy| copy.body == copies[0].body));
    receiver.assert_quiet(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn reordered_deliveries_arrive_newest_first_in_groups() {
    let app = spawn_app().await;
    app.set_faults(json!({"reorder": true, "reorder_window": 3}))
        .await;
    let mut receiver = spawn_receiver(vec![]).await;
    let requests: Vec<PaymentRequest> = (0..4).map(|_| payment_request(&receiver.url)).collect();
    app.decide(&requests[0]).await;
    app.decide(&requests[1]).await;
    // Held until the group of three is complete.
    receiver.assert_quiet(Duration::from_millis(400)).await;
    app.decide(&requests[2]).await;
    let mut order = Vec::new();
    for _ in 0..3 {
        order.push(app.verify(&receiver.next().await).attempt_id);
    }
    let expected: Vec<String> = requests[..3]
        .iter()
        .rev()
        .map(|r| r.attempt_id.clone())
        .collect();
    assert_eq!(order, expected);

    // A lone held delivery goes out when the faults change.
    app.decide(&requests[3]).await;
    receiver.assert_quiet(Duration::from_millis(400)).await;
    app.set_faults(json!({})).await;
    assert_eq!(
        app.verify(&receiver.next().await).attempt_id,
        requests[3].attempt_id
    );
}

#[tokio::test]
async fn the_first_status_queries_answer_processing() {
    let app = spawn_app().await;
    app.set_faults(json!({"processing_queries": 2})).await;
    let request = payment_request("http://127.0.0.1:9/notify");
    app.decide(&request).await;
    assert_eq!(app.ask(&request).await, QueryAnswer::Processing);
    assert_eq!(app.ask(&request).await, QueryAnswer::Processing);
    assert!(matches!(
        app.ask(&request).await,
        QueryAnswer::Decided { .. }
    ));
    // Counted per attempt.
    let other = payment_request("http://127.0.0.1:9/notify");
    assert_eq!(app.ask(&other).await, QueryAnswer::Processing);
}

#[tokio::test]
async fn a_bank_in_maintenance_refuses_payments_and_says_so() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let before = payment_request(&receiver.url);
    let session = app.open(&before).await.session();
    app.set_faults(json!({"maintenance": ["ICBC"]})).await;

    let request = payment_request(&receiver.url);
    let refused = app.open(&request).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.body.contains("maintenance"), "{}", refused.body);
    assert!(!refused.body.contains(r#"id="bank-pay""#));
    let mut elsewhere = payment_request(&receiver.url);
    elsewhere.bank_code = "CMB".into();
    assert_eq!(app.open(&elsewhere).await.status, StatusCode::OK);

    // A page opened before cannot pay either; nothing is decided.
    let paying = page(app.pay(&session, RICH_DEBIT, PASSWORD).await).await;
    assert_eq!(paying.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "100000.00");
    assert_eq!(app.ask(&before).await, QueryAnswer::Processing);
    assert_eq!(app.ask(&request).await, QueryAnswer::NotFound);

    let list: BankStatusList = app.signed_answer(app.get(BANK_STATUS_PATH).await).await;
    for bank in &list.banks {
        assert_eq!(bank.maintenance, bank.code == "ICBC", "{}", bank.code);
    }

    // Maintenance over: the same page pays.
    app.set_faults(json!({})).await;
    let paid = app.pay(&session, RICH_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&paid), before.return_url);
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99975.00");
    receiver.next().await;
}

#[tokio::test]
async fn faults_given_at_start_up_are_in_force() {
    let faults = Faults::from_json(br#"{"maintenance": ["BOC"], "duplicate": 2}"#).unwrap();
    let app = spawn_app_with(faults).await;
    let shown = app.faults().await;
    assert_eq!(shown["maintenance"], json!(["BOC"]));
    assert_eq!(shown["duplicate"], 2);
    let mut request = payment_request("http://127.0.0.1:9/notify");
    request.bank_code = "BOC".into();
    assert_eq!(
        app.open(&request).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn a_locked_card_can_be_unlocked() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let session = app.open(&payment_request(&receiver.url)).await.session();
    for _ in 0..3 {
        app.pay(&session, RICH_DEBIT, "000000").await;
    }
    receiver.next().await;
    let unlock = |number: &str| {
        app.client
            .delete(format!("{}/sandbox/cards/{number}/lock", app.address))
            .send()
    };
    let response = unlock("6222000000000001").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"card": "**** 0001", "unlocked": true})
    );
    let again = unlock("6222000000000001").await.unwrap();
    assert_eq!(again.json::<Value>().await.unwrap()["unlocked"], false);

    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();
    app.pay(&session, RICH_DEBIT, PASSWORD).await;
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99975.00");

    assert_error(
        unlock("6222000000000009").await.unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        unlock("not-a-card").await.unwrap(),
        StatusCode::BAD_REQUEST,
        "invalid_field",
    )
    .await;
}
