//! Every decline reason the bank plays: a locked card, insufficient funds (see
//! payments.rs), over the card kind's single-payment limit, an expired card.

use std::time::Duration;

use paydesk_shared::Currency;
use paydesk_shared::bank_protocol::{DeclineReason, PaymentOutcome};
use reqwest::StatusCode;

use crate::helpers::{
    PASSWORD, RICH_DEBIT, TestApp, page, payment_request, see_other, spawn_app, spawn_receiver,
};

pub(crate) const EXPIRED_DEBIT: &str = "6222 0000 0000 0004";

fn failed(reason: DeclineReason) -> PaymentOutcome {
    PaymentOutcome::Failed { reason }
}

async fn locked(app: &TestApp, card: &str) -> bool {
    let cards: serde_json::Value = app.get("/cards").await.json().await.expect("cards JSON");
    let digits = card.replace(' ', "");
    cards
        .as_array()
        .and_then(|cards| cards.iter().find(|c| c["number"] == digits.as_str()))
        .and_then(|c| c["locked"].as_bool())
        .expect("the card is listed with its lock")
}

#[tokio::test]
async fn a_card_locked_by_three_wrong_passwords_declines_later_payments() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let first = payment_request(&receiver.url);
    let session = app.open(&first).await.session();
    for _ in 0..2 {
        let retry = page(app.pay(&session, RICH_DEBIT, "000000").await).await;
        assert!(retry.body.contains("Incorrect payment password"));
    }
    assert!(!locked(&app, RICH_DEBIT).await);
    app.pay(&session, RICH_DEBIT, "000000").await;
    assert_eq!(
        app.verify(&receiver.next().await).outcome,
        failed(DeclineReason::CardLocked)
    );
    assert!(locked(&app, RICH_DEBIT).await);

    // The right password on a new payment does not help, and the lock survives a
    // restart.
    let app = app.restart().await;
    let later = payment_request(&receiver.url);
    let session = app.open(&later).await.session();
    let response = app.pay(&session, RICH_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&response), later.return_url);
    let notification = app.verify(&receiver.next().await);
    assert_eq!(notification.attempt_id, later.attempt_id);
    assert_eq!(notification.outcome, failed(DeclineReason::CardLocked));
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "100000.00");
    assert!(locked(&app, RICH_DEBIT).await);
}

#[tokio::test]
async fn wrong_passwords_count_per_card_across_payments() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let first = app.open(&payment_request(&receiver.url)).await.session();
    app.pay(&first, RICH_DEBIT, "000000").await;
    app.pay(&first, RICH_DEBIT, "000000").await;
    // The shopper gives up and starts another payment: the run continues there.
    let request = payment_request(&receiver.url);
    let second = app.open(&request).await.session();
    app.pay(&second, RICH_DEBIT, "000000").await;
    let notification = app.verify(&receiver.next().await);
    assert_eq!(notification.attempt_id, request.attempt_id);
    assert_eq!(notification.outcome, failed(DeclineReason::CardLocked));
}

#[tokio::test]
async fn an_expired_card_is_declined_card_expired() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();
    let response = app.pay(&session, EXPIRED_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&response), request.return_url);
    let notification = app.verify(&receiver.next().await);
    assert_eq!(notification.outcome, failed(DeclineReason::CardExpired));
    assert_eq!(app.balance(EXPIRED_DEBIT, Currency::Cny).await, "100000.00");

    let log: serde_json::Value = app.get("/transactions").await.json().await.unwrap();
    assert_eq!(log[0]["kind"], "decline");
    assert_eq!(log[0]["card"], "**** 0004");
    assert_eq!(log[0]["outcome"]["reason"], "card_expired");
}

#[tokio::test]
async fn over_the_single_payment_limit_is_declined_over_limit() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let mut request = payment_request(&receiver.url);
    // ICBC debit cards pay at most 50000.00 CNY at once.
    request.amount = "50000.01".into();
    let declined = app.open(&request).await;
    assert_eq!(declined.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        declined
            .body
            .contains("single-payment limit of CNY 50000.00")
    );
    assert!(
        declined
            .body
            .contains(&request.return_url.replace('&', "&amp;"))
    );
    assert!(!declined.body.contains(r#"id="bank-pay""#));

    let notification = app.verify(&receiver.next().await);
    assert_eq!(notification.attempt_id, request.attempt_id);
    assert_eq!(notification.amount, "50000.01");
    assert_eq!(notification.outcome, failed(DeclineReason::OverLimit));
    let log: serde_json::Value = app.get("/transactions").await.json().await.unwrap();
    assert_eq!(log[0]["outcome"]["reason"], "over_limit");
    assert!(log[0].get("card").is_none());

    // Opening the link again explains the decision and notifies nothing more.
    let reopened = app.open(&request).await;
    assert_eq!(reopened.status, StatusCode::CONFLICT);
    assert!(reopened.body.contains("declined (over_limit)"));
    receiver.assert_quiet(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn a_later_request_for_the_same_attempt_with_another_amount_conflicts() {
    let app = spawn_app().await;
    let mut request = payment_request("http://127.0.0.1:9/notify");
    assert_eq!(app.open(&request).await.status, StatusCode::OK);
    request.amount = "1.00".into();
    let conflict = app.open(&request).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(conflict.body.contains("Conflicting payment request"));
    assert!(!conflict.body.contains(r#"id="bank-pay""#));
}
