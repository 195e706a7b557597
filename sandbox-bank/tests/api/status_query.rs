//! `POST /api/v1/payments/query`: signed questions, signed answers, and the bank
//! deciding `payment_expired` for an attempt nobody paid in time.

use std::time::{Duration, Instant};

use paydesk_shared::Currency;
use paydesk_shared::bank_protocol::{
    DeclineReason, PaymentOutcome, PaymentRequest, QUERY_PATH, QueryAnswer, StatusQuery,
};
use paydesk_shared::signing::Signer;
use reqwest::StatusCode;

use crate::helpers::{
    PASSWORD, RICH_DEBIT, TestApp, assert_error, now, payment_request, see_other, spawn_app,
    spawn_receiver,
};

fn query_for(request: &PaymentRequest) -> StatusQuery {
    StatusQuery {
        attempt_id: request.attempt_id.clone(),
        order_id: request.order_id.clone(),
        bank_code: request.bank_code.clone(),
    }
}

impl TestApp {
    pub(crate) async fn query(&self, request: &PaymentRequest) -> QueryAnswer {
        let response = self.post_signed(QUERY_PATH, &query_for(request)).await;
        self.signed_answer(response).await
    }
}

#[tokio::test]
async fn an_attempt_the_bank_never_saw_is_not_found() {
    let app = spawn_app().await;
    let request = payment_request("http://127.0.0.1:9/notify");
    assert_eq!(app.query(&request).await, QueryAnswer::NotFound);
    // Seen, but asked about with another order or bank: not this attempt.
    app.open(&request).await;
    let mut other_order = query_for(&request);
    other_order.order_id = "ord_other".into();
    let mut other_bank = query_for(&request);
    other_bank.bank_code = "CMB".into();
    for query in [other_order, other_bank] {
        let response = app.post_signed(QUERY_PATH, &query).await;
        assert_eq!(
            app.signed_answer::<QueryAnswer>(response).await,
            QueryAnswer::NotFound
        );
    }
}

#[tokio::test]
async fn processing_while_the_shopper_may_pay_then_decided_as_notified() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();
    assert_eq!(app.query(&request).await, QueryAnswer::Processing);

    app.pay(&session, RICH_DEBIT, PASSWORD).await;
    let notification = app.verify(&receiver.next().await);
    // The paid answer names the card as the notification did.
    assert_eq!(notification.card_last4.as_deref(), Some("0001"));
    assert_eq!(
        app.query(&request).await,
        QueryAnswer::Decided { notification }
    );
}

#[tokio::test]
async fn an_expired_attempt_is_decided_payment_expired_for_good() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let mut request = payment_request(&receiver.url);
    request.expires_at = now() + 2;
    let session = app.open(&request).await.session();

    // Processing until the request's expiry passes; then decided.
    let deadline = Instant::now() + Duration::from_secs(10);
    let notification = loop {
        match app.query(&request).await {
            QueryAnswer::Processing => {
                assert!(Instant::now() < deadline, "still processing after expiry");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            QueryAnswer::Decided { notification } => break notification,
            QueryAnswer::NotFound => panic!("the bank saw this attempt"),
        }
    };
    assert!(notification.decided_at >= request.expires_at);
    assert_eq!(
        notification.outcome,
        PaymentOutcome::Failed {
            reason: DeclineReason::PaymentExpired
        }
    );
    // The gateway is notified of it too, with the same content.
    assert_eq!(app.verify(&receiver.next().await), notification);

    // Final: a later form post is refused without a charge, the answer stays.
    let late = app.pay(&session, RICH_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&late), request.return_url);
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "100000.00");
    assert_eq!(
        app.query(&request).await,
        QueryAnswer::Decided {
            notification: notification.clone()
        }
    );
    let reopened = app.open(&request).await;
    assert_eq!(reopened.status, StatusCode::GONE);
    receiver.assert_quiet(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn unsigned_forged_and_stale_queries_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let mut request = payment_request("http://127.0.0.1:9/notify");
    request.expires_at = now() + 2;
    assert_eq!(app.open(&request).await.status, StatusCode::OK);
    let body = serde_json::to_vec(&query_for(&request)).unwrap();
    // Let the request expire, so a query that got through would decide it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while now() < request.expires_at {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let unsigned = app.post_raw(QUERY_PATH, body.clone(), None).await;
    assert_error(unsigned, StatusCode::UNAUTHORIZED, "signature_invalid").await;
    let stranger = Signer::generate("someone-else").sign(now(), &body);
    let response = app
        .post_raw(QUERY_PATH, body.clone(), Some(&stranger))
        .await;
    assert_error(response, StatusCode::UNAUTHORIZED, "signature_invalid").await;
    let impostor = Signer::generate("gateway-test").sign(now(), &body);
    let response = app
        .post_raw(QUERY_PATH, body.clone(), Some(&impostor))
        .await;
    assert_error(response, StatusCode::UNAUTHORIZED, "signature_invalid").await;
    let stale = app.gateway.sign(now() - 301, &body);
    let response = app.post_raw(QUERY_PATH, body.clone(), Some(&stale)).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "signature_invalid").await;
    let other_body = app.gateway.sign(now(), b"{}");
    let response = app
        .post_raw(QUERY_PATH, body.clone(), Some(&other_body))
        .await;
    assert_error(response, StatusCode::UNAUTHORIZED, "signature_invalid").await;
    let response = app.post_raw(QUERY_PATH, body.clone(), Some("kid=x")).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "signature_invalid").await;

    let log: serde_json::Value = app.get("/transactions").await.json().await.unwrap();
    assert_eq!(log.as_array().unwrap().len(), 0, "nothing was decided");
    // The same query, properly signed, does decide it.
    let decided = app.query(&request).await;
    assert!(
        matches!(decided, QueryAnswer::Decided { .. }),
        "{decided:?}"
    );
}

#[tokio::test]
async fn a_replayed_query_is_refused() {
    let app = spawn_app().await;
    let request = payment_request("http://127.0.0.1:9/notify");
    let body = serde_json::to_vec(&query_for(&request)).unwrap();
    let signature = app.gateway.sign(now(), &body);
    let first = app
        .post_raw(QUERY_PATH, body.clone(), Some(&signature))
        .await;
    assert_eq!(
        app.signed_answer::<QueryAnswer>(first).await,
        QueryAnswer::NotFound
    );
    let again = app
        .post_raw(QUERY_PATH, body.clone(), Some(&signature))
        .await;
    assert_error(again, StatusCode::CONFLICT, "replayed").await;
    // The same question signed afresh is answered.
    assert_eq!(app.query(&request).await, QueryAnswer::NotFound);
}

#[tokio::test]
async fn malformed_queries_are_400() {
    let app = spawn_app().await;
    let signed = |body: &[u8]| app.gateway.sign(now(), body);
    for (body, code) in [
        (&b"not json"[..], "invalid_json"),
        (br#"{"attempt_id":"a","order_id":"o"}"#, "invalid_json"),
        (
            br#"{"attempt_id":"a","order_id":"o","bank_code":"ICBC","extra":1}"#,
            "invalid_json",
        ),
        (
            br#"{"attempt_id":" ","order_id":"o","bank_code":"ICBC"}"#,
            "invalid_field",
        ),
        (
            br#"{"attempt_id":"a","order_id":"o\u0000","bank_code":"ICBC"}"#,
            "invalid_field",
        ),
    ] {
        let response = app
            .post_raw(QUERY_PATH, body.to_vec(), Some(&signed(body)))
            .await;
        assert_error(response, StatusCode::BAD_REQUEST, code).await;
    }
    let huge = vec![b' '; 64 * 1024];
    let response = app
        .post_raw(QUERY_PATH, huge.clone(), Some(&signed(&huge)))
        .await;
    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}
