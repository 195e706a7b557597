use paydesk_gateway::{BankSelection, ConnectorConfig, Protocol};
use paydesk_shared::api::CreateAttemptResponse;
use paydesk_shared::bank_protocol::{PaymentNotification, PaymentOutcome, SIGNATURE_HEADER};
use paydesk_shared::signing::Signer;

use crate::helpers::*;

#[tokio::test]
async fn each_bank_goes_to_its_configured_connector_and_only_its_keys_speak_for_it() {
    let cmb_bank = Signer::generate("cmb-bank");
    let cmb_public = cmb_bank.public_key();
    let app = spawn_app_with(move |config| {
        let signer = config.connectors[0].signer.clone();
        config.connectors.push(ConnectorConfig {
            name: "cmb-direct".into(),
            protocol: Protocol::Sandbox,
            url: "http://127.0.0.1:10".into(),
            banks: BankSelection::Only(vec!["CMB".into()]),
            signer,
            bank_keys: vec![cmb_public],
        });
    })
    .await;
    let order = app.create_order().await;
    let attempt = |bank: &'static str, key: &'static str| {
        let app = &app;
        let order = &order;
        async move {
            let response = app.start_attempt(order, bank, key).await;
            assert_eq!(response.status(), 201);
            response.json::<CreateAttemptResponse>().await.unwrap()
        }
    };
    let icbc = attempt("ICBC", "click-1").await;
    assert!(
        icbc.redirect_url.starts_with("http://127.0.0.1:9/pay?"),
        "{}",
        icbc.redirect_url
    );
    let cmb = attempt("CMB", "click-2").await;
    assert!(
        cmb.redirect_url.starts_with("http://127.0.0.1:10/pay?"),
        "{}",
        cmb.redirect_url
    );

    let body = serde_json::to_vec(&PaymentNotification {
        attempt_id: cmb.attempt_id.clone(),
        order_id: order.id.clone(),
        bank_code: "CMB".into(),
        bank_transaction_id: "CMB-1".into(),
        amount: "118.00".into(),
        currency: order.currency,
        outcome: PaymentOutcome::Succeeded,
        decided_at: now_secs(),
        card_last4: None,
    })
    .unwrap();
    let send = |path: &'static str, signer: Signer| {
        let app = &app;
        let body = body.clone();
        async move {
            app.client
                .post(app.url(path))
                .header(SIGNATURE_HEADER, signer.sign(now_secs(), &body))
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    // The other connector's bank key, on its own URL or on this one: refused.
    let other = send("/v1/bank/notifications/sandbox", app.bank.clone()).await;
    assert_error(other, 404, "not_found").await;
    let wrong_key = send("/v1/bank/notifications/cmb-direct", app.bank.clone()).await;
    assert_error(wrong_key, 401, "signature_invalid").await;
    app.settled().await;
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "pending");

    let right = send("/v1/bank/notifications/cmb-direct", cmb_bank).await;
    assert_eq!(right.status(), 200);
    app.settled().await;
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "paid");
}
