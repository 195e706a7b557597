//! The books live in SQLite: a restarted bank keeps balances, decisions and history,
//! and delivers what it had not delivered yet.

use std::time::Duration;

use paydesk_shared::Currency;
use paydesk_shared::bank_protocol::{DeclineReason, PaymentOutcome};
use reqwest::StatusCode;

use crate::helpers::{
    PASSWORD, POOR_DEBIT, RICH_DEBIT, payment_request, see_other, spawn_app, spawn_receiver,
};

#[tokio::test]
async fn a_restarted_bank_keeps_balances_decisions_and_history() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let paid_request = payment_request(&receiver.url);
    let paid_session = app.open(&paid_request).await.session();
    app.pay(&paid_session, RICH_DEBIT, PASSWORD).await;
    let paid = app.verify(&receiver.next().await);
    assert_eq!(paid.outcome, PaymentOutcome::Succeeded);
    let declined_request = payment_request(&receiver.url);
    let declined_session = app.open(&declined_request).await.session();
    app.pay(&declined_session, POOR_DEBIT, PASSWORD).await;
    receiver.next().await;
    let history: serde_json::Value = app.get("/transactions").await.json().await.unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2);

    let app = app.restart().await;

    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99975.00");
    assert_eq!(app.balance(POOR_DEBIT, Currency::Cny).await, "10.00");
    let after: serde_json::Value = app.get("/transactions").await.json().await.unwrap();
    assert_eq!(after, history);
    assert_eq!(after[0]["id"], paid.bank_transaction_id.as_str());
    assert_eq!(after[1]["kind"], "decline");
    assert_eq!(after[1]["outcome"]["reason"], "insufficient_funds");

    // The decisions stand: the link explains, the old session cannot pay again.
    let reopened = app.open(&paid_request).await;
    assert_eq!(reopened.status, StatusCode::CONFLICT);
    assert!(reopened.body.contains(&paid.bank_transaction_id));
    let again = app.pay(&paid_session, RICH_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&again), paid_request.return_url);
    let retried = app.pay(&declined_session, RICH_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&retried), declined_request.return_url);
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99975.00");
    receiver.assert_quiet(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn a_restarted_bank_resumes_undelivered_notifications() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    receiver.answer_from_now_on(StatusCode::SERVICE_UNAVAILABLE);
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();
    app.pay(&session, POOR_DEBIT, PASSWORD).await;
    let refused = receiver.next().await;
    assert_eq!(refused.answered, StatusCode::SERVICE_UNAVAILABLE);

    let app = app.restart().await;
    // Only now can a delivery succeed: whatever arrives acknowledged came from the
    // restarted bank.
    receiver.answer_from_now_on(StatusCode::OK);
    let delivered = loop {
        let received = receiver.next().await;
        if received.answered == StatusCode::OK {
            break received;
        }
    };
    assert_eq!(delivered.body, refused.body);
    let notification = app.verify(&delivered);
    assert_eq!(notification.attempt_id, request.attempt_id);
    assert_eq!(
        notification.outcome,
        PaymentOutcome::Failed {
            reason: DeclineReason::InsufficientFunds
        }
    );
    // Delivered means done: a further restart sends nothing.
    let app = app.restart().await;
    receiver.assert_quiet(Duration::from_millis(600)).await;
    app.stop().await;
}
