//! `POST /api/v1/refunds`: money back to the card, at most once per refund id.

use futures::future::join_all;
use paydesk_shared::Currency;
use paydesk_shared::bank_protocol::{
    PaymentNotification, PaymentOutcome, REFUND_PATH, RefundAnswer, RefundFailure, RefundOutcome,
    RefundRequest,
};
use reqwest::StatusCode;

use crate::helpers::{
    PASSWORD, POOR_DEBIT, RICH_DEBIT, Receiver, TestApp, assert_error, now, payment_request,
    spawn_app, spawn_receiver,
};

/// Pays 25.00 CNY at ICBC with `card` and returns the notification.
async fn pay(app: &TestApp, receiver: &mut Receiver, card: &str) -> PaymentNotification {
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();
    app.pay(&session, card, PASSWORD).await;
    app.verify(&receiver.next().await)
}

fn refund_of(payment: &PaymentNotification, refund_id: &str, amount: &str) -> RefundRequest {
    RefundRequest {
        refund_id: refund_id.into(),
        attempt_id: payment.attempt_id.clone(),
        bank_code: payment.bank_code.clone(),
        bank_transaction_id: payment.bank_transaction_id.clone(),
        amount: amount.into(),
        currency: payment.currency,
        reason: "order_cancelled".into(),
    }
}

impl TestApp {
    async fn refund(&self, request: &RefundRequest) -> RefundAnswer {
        let response = self.post_signed(REFUND_PATH, request).await;
        self.signed_answer(response).await
    }
}

fn failure(answer: &RefundAnswer) -> RefundFailure {
    match answer.outcome {
        RefundOutcome::Failed { reason } => reason,
        RefundOutcome::Succeeded { .. } => panic!("expected a refused refund: {answer:?}"),
    }
}

#[tokio::test]
async fn a_refund_credits_the_card_and_is_logged() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let payment = pay(&app, &mut receiver, RICH_DEBIT).await;
    assert_eq!(payment.outcome, PaymentOutcome::Succeeded);
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99975.00");

    let answer = app.refund(&refund_of(&payment, "rf_1", "10.00")).await;
    assert_eq!(answer.refund_id, "rf_1");
    assert!((now() - answer.decided_at).abs() < 60);
    let RefundOutcome::Succeeded { bank_refund_id } = &answer.outcome else {
        panic!("expected a refund: {answer:?}");
    };
    assert!(bank_refund_id.starts_with("SBR") && bank_refund_id.len() == 23);
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99985.00");

    let log: serde_json::Value = app.get("/transactions").await.json().await.unwrap();
    let refund = &log[1];
    assert_eq!(refund["kind"], "refund");
    assert_eq!(refund["id"], bank_refund_id.as_str());
    assert_eq!(refund["refund_id"], "rf_1");
    assert_eq!(refund["attempt_id"], payment.attempt_id.as_str());
    assert_eq!(refund["card"], "**** 0001");
    assert_eq!(refund["amount"], "10.00");
    assert_eq!(refund["merchant_id"], "mer_test");
}

#[tokio::test]
async fn asking_again_returns_the_first_answer_and_moves_nothing() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let payment = pay(&app, &mut receiver, RICH_DEBIT).await;
    let first = app.refund(&refund_of(&payment, "rf_1", "10.00")).await;
    let again = app.refund(&refund_of(&payment, "rf_1", "10.00")).await;
    assert_eq!(again, first);
    // Even a different body under the same refund id gets the first answer.
    let changed = app.refund(&refund_of(&payment, "rf_1", "15.00")).await;
    assert_eq!(changed, first);
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99985.00");

    // A refused refund's answer is final too.
    let refused = app.refund(&refund_of(&payment, "rf_2", "99.00")).await;
    assert_eq!(failure(&refused), RefundFailure::ExceedsPayment);
    let app = app.restart().await;
    assert_eq!(
        app.refund(&refund_of(&payment, "rf_2", "1.00")).await,
        refused
    );
    assert_eq!(
        app.refund(&refund_of(&payment, "rf_1", "10.00")).await,
        first
    );
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99985.00");
}

#[tokio::test]
async fn refunds_may_not_exceed_the_payment_in_total() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let payment = pay(&app, &mut receiver, RICH_DEBIT).await;
    let partial = app.refund(&refund_of(&payment, "rf_1", "20.00")).await;
    assert!(matches!(partial.outcome, RefundOutcome::Succeeded { .. }));
    let too_much = app.refund(&refund_of(&payment, "rf_2", "5.01")).await;
    assert_eq!(failure(&too_much), RefundFailure::ExceedsPayment);
    let rest = app.refund(&refund_of(&payment, "rf_3", "5.00")).await;
    assert!(matches!(rest.outcome, RefundOutcome::Succeeded { .. }));
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "100000.00");
    let nothing_left = app.refund(&refund_of(&payment, "rf_4", "0.01")).await;
    assert_eq!(failure(&nothing_left), RefundFailure::ExceedsPayment);
}

#[tokio::test]
async fn refunds_to_a_closed_account_fail_and_move_nothing() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let card = paydesk_shared::sandbox_cards::REFUND_REFUSED_DEBIT.number;
    let payment = pay(&app, &mut receiver, card).await;
    assert_eq!(payment.outcome, PaymentOutcome::Succeeded);
    assert_eq!(app.balance(card, Currency::Cny).await, "99975.00");
    let refused = app.refund(&refund_of(&payment, "rf_1", "10.00")).await;
    assert_eq!(failure(&refused), RefundFailure::AccountClosed);
    assert_eq!(app.balance(card, Currency::Cny).await, "99975.00");
}

#[tokio::test]
async fn unknown_transactions_and_other_currencies_are_refused() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let payment = pay(&app, &mut receiver, RICH_DEBIT).await;
    let decline = pay(&app, &mut receiver, POOR_DEBIT).await;
    assert!(matches!(decline.outcome, PaymentOutcome::Failed { .. }));

    let mut unknown = refund_of(&payment, "rf_1", "1.00");
    unknown.bank_transaction_id = "SBX00000000000000000000".into();
    let mut other_attempt = refund_of(&payment, "rf_2", "1.00");
    other_attempt.attempt_id = decline.attempt_id.clone();
    let mut other_bank = refund_of(&payment, "rf_3", "1.00");
    other_bank.bank_code = "CMB".into();
    let of_a_decline = refund_of(&decline, "rf_4", "1.00");
    for request in [unknown, other_attempt, other_bank, of_a_decline] {
        assert_eq!(
            failure(&app.refund(&request).await),
            RefundFailure::UnknownTransaction,
            "{request:?}"
        );
    }
    let mut dollars = refund_of(&payment, "rf_5", "1.00");
    dollars.currency = Currency::Usd;
    assert_eq!(
        failure(&app.refund(&dollars).await),
        RefundFailure::CurrencyMismatch
    );
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99975.00");
    assert_eq!(app.balance(RICH_DEBIT, Currency::Usd).await, "100000.00");
    assert_eq!(app.balance(POOR_DEBIT, Currency::Cny).await, "10.00");
}

#[tokio::test]
async fn concurrent_refunds_never_exceed_the_payment_or_run_twice() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let payment = pay(&app, &mut receiver, RICH_DEBIT).await;

    // Eight refunds of 5.00 against 25.00: exactly five fit.
    let requests: Vec<RefundRequest> = (0..8)
        .map(|i| refund_of(&payment, &format!("rf_{i}"), "5.00"))
        .collect();
    let answers = join_all(requests.iter().map(|r| app.refund(r))).await;
    let succeeded = answers
        .iter()
        .filter(|a| matches!(a.outcome, RefundOutcome::Succeeded { .. }))
        .count();
    assert_eq!(succeeded, 5);
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "100000.00");

    // One refund id asked six times at once: executed once, one answer.
    let second = pay(&app, &mut receiver, RICH_DEBIT).await;
    let same = refund_of(&second, "rf_same", "7.00");
    let answers = join_all((0..6).map(|_| app.refund(&same))).await;
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert!(matches!(
        answers[0].outcome,
        RefundOutcome::Succeeded { .. }
    ));
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99982.00");
}

#[tokio::test]
async fn bad_refund_requests_are_4xx_and_change_nothing() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let payment = pay(&app, &mut receiver, RICH_DEBIT).await;
    let good = refund_of(&payment, "rf_1", "10.00");
    let body = serde_json::to_vec(&good).unwrap();

    let unsigned = app.post_raw(REFUND_PATH, body.clone(), None).await;
    assert_error(unsigned, StatusCode::UNAUTHORIZED, "signature_invalid").await;
    let stale = app.gateway.sign(now() - 400, &body);
    let response = app.post_raw(REFUND_PATH, body.clone(), Some(&stale)).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "signature_invalid").await;

    let mut cases: Vec<(serde_json::Value, &str)> = Vec::new();
    for amount in ["1.001", "0.00", "-1.00", "1e3", ""] {
        let mut bad = good.clone();
        bad.amount = amount.into();
        cases.push((serde_json::to_value(&bad).unwrap(), "amount_invalid"));
    }
    let mut blank_id = good.clone();
    blank_id.refund_id = "  ".into();
    cases.push((serde_json::to_value(&blank_id).unwrap(), "invalid_field"));
    let mut long_reason = good.clone();
    long_reason.reason = "x".repeat(201);
    cases.push((serde_json::to_value(&long_reason).unwrap(), "invalid_field"));
    let mut unknown_currency = serde_json::to_value(&good).unwrap();
    unknown_currency["currency"] = "XXX".into();
    cases.push((unknown_currency, "invalid_json"));
    let mut extra = serde_json::to_value(&good).unwrap();
    extra["extra"] = 1.into();
    cases.push((extra, "invalid_json"));
    for (value, code) in cases {
        let body = serde_json::to_vec(&value).unwrap();
        let signature = app.gateway.sign(now(), &body);
        let response = app.post_raw(REFUND_PATH, body, Some(&signature)).await;
        assert_error(response, StatusCode::BAD_REQUEST, code).await;
    }
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99975.00");

    // A replay of a signed refund is refused even though the refund itself would
    // only be answered again.
    let signature = app.gateway.sign(now(), &body);
    let first = app
        .post_raw(REFUND_PATH, body.clone(), Some(&signature))
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let replay = app.post_raw(REFUND_PATH, body, Some(&signature)).await;
    assert_error(replay, StatusCode::CONFLICT, "replayed").await;
    assert_eq!(app.balance(RICH_DEBIT, Currency::Cny).await, "99985.00");
}
