use std::time::Duration;

use paydesk_shared::Currency;
use paydesk_shared::bank::CardKind;
use paydesk_shared::bank_protocol::{DeclineReason, PaymentOutcome};
use reqwest::StatusCode;

use crate::helpers::{
    CREDIT, PASSWORD, POOR_DEBIT, RICH_DEBIT, now, page, payment_request, see_other, spawn_app,
    spawn_receiver,
};

#[tokio::test]
async fn correct_payment_debits_once_notifies_and_returns() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();

    let response = app.pay(&session, RICH_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&response), request.return_url);

    let received = receiver.next().await;
    let notification = app.verify(&received);
    assert_eq!(notification.outcome, PaymentOutcome::Succeeded);
    assert_eq!(notification.attempt_id, request.attempt_id);
    assert_eq!(notification.order_id, request.order_id);
    assert_eq!(notification.bank_code, "ICBC");
    assert_eq!(notification.amount, "25.00");
    assert_eq!(notification.currency, Currency::Cny);
    assert!((now() - notification.decided_at).abs() < 60);
    let id = &notification.bank_transaction_id;
    assert!(id.len() == 23 && id.starts_with("SBX"), "{id}");
    assert!(id[3..].bytes().all(|b| b.is_ascii_digit()), "{id}");
    // The card's last four digits, and nothing more of it.
    assert_eq!(notification.card_last4.as_deref(), Some("0001"));
    let body = String::from_utf8(received.body.clone()).unwrap();
    assert!(body.contains(r#""card_last4":"0001""#), "{body}");
    assert!(!body.contains("6222000000000001"), "{body}");

    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99975.00");
    // Other currencies keep their own balance.
    assert_eq!(app.balance(RICH_DEBIT, Currency::Usd).await, "100000.00");

    let log: serde_json::Value = app.get("/transactions").await.json().await.unwrap();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["id"], id.as_str());
    assert_eq!(log[0]["card"], "**** 0001");
    assert_eq!(log[0]["outcome"]["status"], "succeeded");
}

#[tokio::test]
async fn resubmitting_a_paid_session_does_not_debit_twice() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();
    // A second tab with the same signed link.
    let other_tab = app.open(&request).await.session();

    let first = app.pay(&session, RICH_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&first), request.return_url);
    receiver.next().await;

    let again = app.pay(&session, RICH_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&again), request.return_url);
    let from_other_tab = app.pay(&other_tab, RICH_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&from_other_tab), request.return_url);

    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99975.00");
    receiver.assert_quiet(Duration::from_millis(500)).await;

    // Opening the link again after payment explains instead of offering to pay.
    let reopened = app.open(&request).await;
    assert_eq!(reopened.status, StatusCode::CONFLICT);
    assert!(reopened.body.contains("already processed"));
    assert!(!reopened.body.contains(r#"id="bank-pay""#));
}

#[tokio::test]
async fn wrong_password_shows_the_error_and_three_lock_the_card() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();

    for tries_left in ["2 tries left", "1 try left"] {
        let retry = page(app.pay(&session, RICH_DEBIT, "654321").await).await;
        assert_eq!(retry.status, StatusCode::OK);
        assert!(
            retry
                .body
                .contains(r#"<p class="bank-error" role="alert">"#)
        );
        assert!(
            retry.body.contains("Incorrect payment password"),
            "{}",
            retry.body
        );
        assert!(retry.body.contains(tries_left));
        // The card number stays, the password does not, the session is the same.
        assert!(retry.body.contains(r#"value="6222 0000 0000 0001""#));
        assert!(!retry.body.contains("654321"));
        assert_eq!(retry.session(), session);
    }
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "100000.00");

    let locked = app.pay(&session, RICH_DEBIT, "000000").await;
    assert_eq!(see_other(&locked), request.return_url);
    let notification = app.verify(&receiver.next().await);
    assert_eq!(
        notification.outcome,
        PaymentOutcome::Failed {
            reason: DeclineReason::CardLocked
        }
    );
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "100000.00");
}

#[tokio::test]
async fn unknown_or_mismatched_cards_ask_again() {
    let app = spawn_app().await;
    let request = payment_request("http://127.0.0.1:9/notify");
    let session = app.open(&request).await.session();

    let retry = page(app.pay(&session, "6222 0000 0000 0009", PASSWORD).await).await;
    assert_eq!(retry.status, StatusCode::OK);
    assert!(retry.body.contains("class=\"bank-error\""));
    assert!(retry.body.contains("card number is not recognised"));

    let retry = page(app.pay(&session, CREDIT, PASSWORD).await).await;
    assert!(retry.body.contains("This payment needs a debit card"));

    let retry = page(app.pay(&session, "<b>oops</b>", PASSWORD).await).await;
    assert!(retry.body.contains("&lt;b&gt;oops&lt;/b&gt;"));
    assert!(!retry.body.contains("<b>oops"));
}

#[tokio::test]
async fn credit_cards_pay_credit_requests() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let mut request = payment_request(&receiver.url);
    request.bank_code = "CMB".into();
    request.card_kind = CardKind::Credit;
    request.amount = "1999.99".into();
    let session = app.open(&request).await.session();

    let response = app.pay(&session, "6250000000000003", PASSWORD).await;
    assert_eq!(see_other(&response), request.return_url);
    assert_eq!(
        app.verify(&receiver.next().await).outcome,
        PaymentOutcome::Succeeded
    );
    assert_eq!(app.balance(CREDIT, Currency::Cny).await, "48000.01");
}

#[tokio::test]
async fn insufficient_funds_sends_a_failed_notification() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();

    let response = app.pay(&session, POOR_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&response), request.return_url);

    let notification = app.verify(&receiver.next().await);
    assert_eq!(
        notification.outcome,
        PaymentOutcome::Failed {
            reason: DeclineReason::InsufficientFunds
        }
    );
    assert_eq!(notification.attempt_id, request.attempt_id);
    assert!(notification.bank_transaction_id.starts_with("SBX"));
    assert_eq!(notification.card_last4.as_deref(), Some("0002"));
    assert_eq!(app.balance(POOR_DEBIT, Currency::Cny).await, "10.00");
}

#[tokio::test]
async fn cancel_sends_cancelled_by_shopper_and_returns() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();

    let response = app.cancel(&session).await;
    assert_eq!(see_other(&response), request.return_url);
    let received = receiver.next().await;
    let notification = app.verify(&received);
    // No card was named: the field is left out.
    assert_eq!(notification.card_last4, None);
    assert!(!String::from_utf8_lossy(&received.body).contains("card_last4"));
    assert_eq!(
        notification.outcome,
        PaymentOutcome::Failed {
            reason: DeclineReason::CancelledByShopper
        }
    );

    // Paying after cancelling changes nothing.
    let late = app.pay(&session, RICH_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&late), request.return_url);
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "100000.00");
    receiver.assert_quiet(Duration::from_millis(300)).await;
}
