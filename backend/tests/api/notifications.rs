use paydesk_shared::api::WebhookEvent;
use paydesk_shared::bank_protocol::{DeclineReason, PaymentOutcome};
use paydesk_shared::signing::Signer;
use paydesk_shared::webhook;

use paydesk_gateway::store::Totals;

use crate::helpers::*;

#[tokio::test]
async fn a_verified_success_pays_the_order_and_sends_a_signed_webhook() {
    let mut app = spawn_app().await;
    let (order, attempt_id) = app.order_at_bank().await;
    let body = app.notification(&order, &attempt_id, "118.00", PaymentOutcome::Succeeded);
    let response = app.notify(body, &app.bank.clone()).await;
    assert_eq!(response.status(), 200);
    app.settled().await;

    let paid = app.get_order(&order.id).await;
    assert_eq!(paid.status.as_str(), "paid");
    assert_eq!(paid.attempts[0].status.as_str(), "succeeded");
    assert_eq!(
        paid.attempts[0].bank_transaction_id.as_deref(),
        Some(format!("SBX-{attempt_id}").as_str())
    );

    let hook = app.next_webhook().await;
    webhook::verify(WEBHOOK_SECRET, &hook.signature, &hook.body, now_secs(), 300)
        .expect("signature verifies");
    let event: WebhookEvent = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(event.kind, "order.paid");
    assert_eq!(event.data.order.as_ref().unwrap().id, order.id);
    assert_eq!(event.data.order.as_ref().unwrap().status.as_str(), "paid");
}

#[tokio::test]
async fn a_forged_signature_is_rejected_and_changes_nothing() {
    let app = spawn_app().await;
    let (order, attempt_id) = app.order_at_bank().await;
    let before = app.snapshot().await;
    let body = app.notification(&order, &attempt_id, "118.00", PaymentOutcome::Succeeded);

    let impostor = Signer::generate("bank-test");
    assert_error(
        app.notify(body.clone(), &impostor).await,
        401,
        "signature_invalid",
    )
    .await;
    let unknown_kid = Signer::generate("bank-other");
    assert_error(
        app.notify(body.clone(), &unknown_kid).await,
        401,
        "signature_invalid",
    )
    .await;

    let signature = app.bank.sign(now_secs(), &body);
    let mut tampered = body.clone();
    let pos = tampered.iter().position(|&b| b == b'1').unwrap();
    tampered[pos] = b'9';
    let response = app
        .client
        .post(app.url("/v1/bank/notifications/sandbox"))
        .header("paydesk-bank-signature", signature)
        .header("content-type", "application/json")
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_error(response, 401, "signature_invalid").await;

    let stale = app.bank.sign(now_secs() - 600, &body);
    let response = app
        .client
        .post(app.url("/v1/bank/notifications/sandbox"))
        .header("paydesk-bank-signature", stale)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_error(response, 401, "signature_invalid").await;

    let unsigned = app
        .client
        .post(app.url("/v1/bank/notifications/sandbox"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_error(unsigned, 400, "invalid_json").await;

    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "pending");
}

#[tokio::test]
async fn a_notification_with_the_wrong_amount_is_quarantined_with_an_alert() {
    let app = spawn_app().await;
    let (order, attempt_id) = app.order_at_bank().await;
    let before = app.snapshot().await;
    let mut bodies: Vec<Vec<u8>> = ["1.00", "118.01", "118.1", "-118.00", "abc"]
        .into_iter()
        .map(|amount| app.notification(&order, &attempt_id, amount, PaymentOutcome::Succeeded))
        .collect();
    let mut other_currency: serde_json::Value = serde_json::from_slice(&app.notification(
        &order,
        &attempt_id,
        "118.00",
        PaymentOutcome::Succeeded,
    ))
    .unwrap();
    other_currency["currency"] = "USD".into();
    bodies.push(serde_json::to_vec(&other_currency).unwrap());
    for body in bodies {
        // Stored and acknowledged: the bank signed it, so it must not resend it.
        assert_eq!(app.notify(body, &app.bank.clone()).await.status(), 200);
    }
    app.settled().await;
    assert_eq!(app.inbox("quarantined").await, 6);
    assert_eq!(app.snapshot().await.alerts, 6);
    let alerts = app.store.open_alerts(100).await.unwrap();
    assert!(alerts.iter().all(|a| a.kind == "notification_mismatch"));
    // Stored, remembered and raised; the order side untouched.
    let expected = Totals {
        bank_verdicts: before.bank_verdicts + 6,
        nonces: before.nonces + 6,
        alerts: before.alerts + 6,
        ..before
    };
    assert_eq!(app.snapshot().await, expected);
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "pending");
}

#[tokio::test]
async fn a_replayed_notification_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let (order, attempt_id) = app.order_at_bank().await;
    let body = app.notification(&order, &attempt_id, "118.00", PaymentOutcome::Succeeded);
    let signature = app.bank.sign(now_secs(), &body);
    let send = || {
        app.client
            .post(app.url("/v1/bank/notifications/sandbox"))
            .header("paydesk-bank-signature", signature.clone())
            .body(body.clone())
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 200);
    app.settled().await;
    let before = app.snapshot().await;
    assert_error(send().await.unwrap(), 409, "notification_replayed").await;
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn both_bank_keys_verify_during_a_rotation() {
    let next = Signer::generate("bank-next");
    let public = next.public_key();
    let app = spawn_app_with(move |config| config.connectors[0].bank_keys.push(public)).await;
    let (order, old_attempt) = app.order_at_bank().await;
    let failed = PaymentOutcome::Failed {
        reason: DeclineReason::InsufficientFunds,
    };
    let body = app.notification(&order, &old_attempt, "118.00", failed);
    assert_eq!(app.notify(body, &app.bank.clone()).await.status(), 200);
    app.settled().await;
    let attempt: paydesk_shared::api::CreateAttemptResponse = app
        .start_attempt(&order, "ICBC", "click-2")
        .await
        .json()
        .await
        .unwrap();
    let body = app.notification(
        &order,
        &attempt.attempt_id,
        "118.00",
        PaymentOutcome::Succeeded,
    );
    assert_eq!(app.notify(body, &next).await.status(), 200);
    app.settled().await;
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "paid");
    let kids: Vec<Option<String>> = app
        .store
        .verdicts_of_order(&order.id.as_str().into())
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.key_id)
        .collect();
    assert_eq!(kids, [Some("bank-test".into()), Some("bank-next".into())]);
}

#[tokio::test]
async fn a_notification_for_an_unknown_attempt_is_not_found() {
    let app = spawn_app().await;
    let order = app.create_order().await;
    let body = app.notification(&order, "att_unknown", "118.00", PaymentOutcome::Succeeded);
    assert_error(app.notify(body, &app.bank.clone()).await, 404, "not_found").await;
}

#[tokio::test]
async fn twenty_concurrent_duplicate_notifications_pay_exactly_once() {
    let mut app = spawn_app().await;
    let (order, attempt_id) = app.order_at_bank().await;
    let body = app.notification(&order, &attempt_id, "118.00", PaymentOutcome::Succeeded);
    let bank = app.bank.clone();
    let sends = (0..20).map(|_| app.notify(body.clone(), &bank));
    for response in futures::future::join_all(sends).await {
        assert_eq!(response.status(), 200);
    }
    app.settled().await;
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "paid");
    assert_eq!(app.snapshot().await.events, 1, "one order.paid event");
    assert_eq!(app.inbox("applied").await, 1);
    assert_eq!(app.inbox("duplicate").await, 19);
    let hook = app.next_webhook().await;
    let event: WebhookEvent = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(event.kind, "order.paid");
}

#[tokio::test]
async fn a_failure_after_a_success_changes_nothing() {
    let app = spawn_app().await;
    let (order, attempt_id) = app.order_at_bank().await;
    let ok = app.notification(&order, &attempt_id, "118.00", PaymentOutcome::Succeeded);
    assert_eq!(app.notify(ok, &app.bank.clone()).await.status(), 200);
    app.settled().await;
    let failed = app.notification(
        &order,
        &attempt_id,
        "118.00",
        PaymentOutcome::Failed {
            reason: DeclineReason::InsufficientFunds,
        },
    );
    assert_eq!(app.notify(failed, &app.bank.clone()).await.status(), 200);
    app.settled().await;
    let order = app.get_order(&order.id).await;
    assert_eq!(order.status.as_str(), "paid");
    assert_eq!(order.attempts[0].status.as_str(), "succeeded");
    assert_eq!(app.inbox("ignored").await, 1);
    assert_eq!(app.snapshot().await.events, 1, "only order.paid");
}

#[tokio::test]
async fn a_decline_lets_the_shopper_choose_another_bank() {
    let app = spawn_app().await;
    let (order, attempt_id) = app.order_at_bank().await;
    let failed = app.notification(
        &order,
        &attempt_id,
        "118.00",
        PaymentOutcome::Failed {
            reason: DeclineReason::InsufficientFunds,
        },
    );
    assert_eq!(app.notify(failed, &app.bank.clone()).await.status(), 200);
    app.settled().await;
    let after = app.get_order(&order.id).await;
    assert_eq!(after.status.as_str(), "failed");
    assert_eq!(
        after.attempts[0].failure_reason.as_deref(),
        Some("insufficient_funds")
    );
    assert_eq!(
        app.start_attempt(&order, "CCB", "click-2").await.status(),
        201
    );
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "pending");
}

#[tokio::test]
async fn a_replayed_create_answers_as_first_even_after_payment() {
    let app = spawn_app().await;
    let body = serde_json::to_vec(&order_body()).unwrap();
    let first = app
        .post_order_raw(Some(SECRET_KEY), Some("key-paid"), body.clone())
        .await
        .bytes()
        .await
        .unwrap();
    let order: paydesk_shared::api::OrderResponse = serde_json::from_slice(&first).unwrap();
    let attempt: paydesk_shared::api::CreateAttemptResponse = app
        .start_attempt(&order, "ICBC", "click-1")
        .await
        .json()
        .await
        .unwrap();
    let paid = app.notification(
        &order,
        &attempt.attempt_id,
        "118.00",
        PaymentOutcome::Succeeded,
    );
    assert_eq!(app.notify(paid, &app.bank.clone()).await.status(), 200);
    app.settled().await;
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "paid");

    let again = app
        .post_order_raw(Some(SECRET_KEY), Some("key-paid"), body)
        .await;
    assert_eq!(again.status(), 201);
    assert_eq!(
        again.bytes().await.unwrap(),
        first,
        "the first answer, byte for byte"
    );
}

#[tokio::test]
async fn a_bank_transaction_id_reused_for_another_attempt_is_quarantined() {
    let app = spawn_app().await;
    let (first_order, first_attempt) = app.order_at_bank().await;
    let (second_order, second_attempt) = app.order_at_bank().await;
    let first = app.notification(
        &first_order,
        &first_attempt,
        "118.00",
        PaymentOutcome::Succeeded,
    );
    assert_eq!(app.notify(first, &app.bank.clone()).await.status(), 200);
    app.settled().await;
    let mut reused: serde_json::Value = serde_json::from_slice(&app.notification(
        &second_order,
        &second_attempt,
        "118.00",
        PaymentOutcome::Succeeded,
    ))
    .unwrap();
    reused["bank_transaction_id"] = format!("SBX-{first_attempt}").into();
    let body = serde_json::to_vec(&reused).unwrap();
    assert_eq!(app.notify(body, &app.bank.clone()).await.status(), 200);
    app.settled().await;
    assert_eq!(app.inbox("quarantined").await, 1);
    assert_eq!(
        app.get_order(&second_order.id).await.status.as_str(),
        "pending"
    );
    let alerts = app.store.open_alerts(100).await.unwrap();
    let kinds: Vec<&str> = alerts.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(kinds, ["verdict_conflict"]);
    // The gateway keeps applying what comes next.
    let ok = app.notification(
        &second_order,
        &second_attempt,
        "118.00",
        PaymentOutcome::Succeeded,
    );
    assert_eq!(app.notify(ok, &app.bank.clone()).await.status(), 200);
    app.settled().await;
    assert_eq!(
        app.get_order(&second_order.id).await.status.as_str(),
        "paid"
    );
}
