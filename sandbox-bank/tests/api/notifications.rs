use paydesk_shared::bank_protocol::PaymentOutcome;
use paydesk_shared::signing::Verifier;
use reqwest::StatusCode;
use std::time::Duration;

use crate::helpers::{
    PASSWORD, RICH_DEBIT, now, payment_request, see_other, spawn_app, spawn_receiver,
};

#[tokio::test]
async fn notification_is_retried_until_acknowledged() {
    let app = spawn_app().await;
    let failing = StatusCode::INTERNAL_SERVER_ERROR;
    let mut receiver = spawn_receiver(vec![failing, failing]).await;
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();
    let response = app.pay(&session, RICH_DEBIT, PASSWORD).await;
    assert_eq!(see_other(&response), request.return_url);

    let first = receiver.next().await;
    let second = receiver.next().await;
    let third = receiver.next().await;
    assert_eq!(first.answered, failing);
    assert_eq!(second.answered, failing);
    assert_eq!(third.answered, StatusCode::OK);
    // The same notification every time, each try signed on its own.
    assert_eq!(first.body, third.body);
    assert_eq!(second.body, third.body);
    for received in [&first, &second, &third] {
        assert_eq!(app.verify(received).outcome, PaymentOutcome::Succeeded);
    }
    receiver.assert_quiet(Duration::from_millis(600)).await;
}

#[tokio::test]
async fn a_4xx_answer_stops_the_retries() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![StatusCode::BAD_REQUEST]).await;
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();
    app.pay(&session, RICH_DEBIT, PASSWORD).await;

    assert_eq!(receiver.next().await.answered, StatusCode::BAD_REQUEST);
    // The first retry would come after 250 ms.
    receiver.assert_quiet(Duration::from_millis(800)).await;
}

#[tokio::test]
async fn notifications_are_not_signed_by_the_gateway_key() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();
    app.pay(&session, RICH_DEBIT, PASSWORD).await;
    let received = receiver.next().await;
    assert!(received.signature.starts_with("kid=bank-test,"));
    assert!(
        Verifier::new(vec![app.gateway.public_key()])
            .verify(&received.signature, &received.body, now())
            .is_err()
    );
}

#[tokio::test]
async fn shutdown_stops_deliveries_that_are_still_retrying() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![StatusCode::SERVICE_UNAVAILABLE; 1000]).await;
    let request = payment_request(&receiver.url);
    let session = app.open(&request).await.session();
    app.pay(&session, RICH_DEBIT, PASSWORD).await;
    assert_eq!(
        receiver.next().await.answered,
        StatusCode::SERVICE_UNAVAILABLE
    );

    app.stop().await;
    // A retry may have landed before the stop; none may come after it.
    receiver.drain();
    receiver.assert_quiet(Duration::from_millis(800)).await;
}
