//! The card holder's site: balances and history after card number and password.

use paydesk_shared::bank_protocol::{REFUND_PATH, RefundAnswer, RefundOutcome, RefundRequest};
use reqwest::StatusCode;

use crate::helpers::{
    PASSWORD, POOR_DEBIT, Page, RICH_DEBIT, TestApp, page, payment_request, spawn_app,
    spawn_receiver,
};

impl TestApp {
    async fn account(&self, card: &str, password: &str) -> Page {
        let response = self
            .client
            .post(format!("{}/account", self.address))
            .form(&[("card_number", card), ("password", password)])
            .send()
            .await
            .expect("POST /account");
        page(response).await
    }
}

#[tokio::test]
async fn the_sign_in_form_asks_for_card_and_password() {
    let app = spawn_app().await;
    let form = page(app.get("/account").await).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.headers["cache-control"], "no-store");
    for expected in [
        r#"<form id="account-login" class="pay-form" method="post" action="/account">"#,
        r#"name="card_number""#,
        r#"name="password" type="password""#,
    ] {
        assert!(form.body.contains(expected), "{expected}");
    }
    assert!(!form.body.contains("style="));
    let index = page(app.get("/").await).await;
    assert!(index.body.contains(r#"href="/account""#));
}

#[tokio::test]
async fn the_statement_shows_balances_payments_declines_and_refunds() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let mut small = payment_request(&receiver.url);
    small.amount = "5.00".into();
    let session = app.open(&small).await.session();
    app.pay(&session, POOR_DEBIT, PASSWORD).await;
    let paid = app.verify(&receiver.next().await);
    let too_much = payment_request(&receiver.url);
    let session = app.open(&too_much).await.session();
    app.pay(&session, POOR_DEBIT, PASSWORD).await;
    let declined = app.verify(&receiver.next().await);

    let before = app.account(POOR_DEBIT, PASSWORD).await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(before.headers["cache-control"], "no-store");
    assert!(
        before.body.contains(r#"data-testid="balance-CNY">5.00<"#),
        "{}",
        before.body
    );
    assert!(before.body.contains(r#"data-testid="balance-USD">10.00<"#));
    assert!(before.body.contains("**** 0002"));
    assert!(!before.body.contains("6222 0000 0000 0002"));
    assert!(before.body.contains("Declined (insufficient_funds)"));
    assert!(before.body.contains("−CNY 5.00"));
    assert!(before.body.contains("Demo &lt;Shop&gt; &amp; Co"));
    assert!(
        !before.body.contains(PASSWORD),
        "the password is never shown"
    );

    let refund = RefundRequest {
        refund_id: "rf_1".into(),
        attempt_id: paid.attempt_id.clone(),
        bank_code: paid.bank_code.clone(),
        bank_transaction_id: paid.bank_transaction_id.clone(),
        amount: "2.00".into(),
        currency: paid.currency,
        reason: "order_cancelled".into(),
    };
    let answer: RefundAnswer = app
        .signed_answer(app.post_signed(REFUND_PATH, &refund).await)
        .await;
    let RefundOutcome::Succeeded { bank_refund_id } = answer.outcome else {
        panic!("the refund goes through");
    };

    // The refund visibly credits the account, newest first in the history.
    let after = app.account(POOR_DEBIT, PASSWORD).await;
    assert!(after.body.contains(r#"data-testid="balance-CNY">7.00<"#));
    assert!(after.body.contains("+CNY 2.00"));
    let position = |id: &str| {
        after
            .body
            .find(&format!(r#"data-transaction="{id}""#))
            .unwrap_or_else(|| panic!("{id} listed"))
    };
    assert!(position(&bank_refund_id) < position(&declined.bank_transaction_id));
    // Each line shows the bank's transaction id, so a card holder can name it.
    for id in [
        &bank_refund_id,
        &declined.bank_transaction_id,
        &paid.bank_transaction_id,
    ] {
        assert!(
            after
                .body
                .contains(&format!(r#"<td class="mono">{id}</td>"#)),
            "{id} shown"
        );
    }
    assert!(position(&declined.bank_transaction_id) < position(&paid.bank_transaction_id));

    // Another card's statement has none of it.
    let other = app.account(RICH_DEBIT, PASSWORD).await;
    assert!(other.body.contains(r#"data-testid="no-transactions""#));
    assert!(!other.body.contains(&paid.bank_transaction_id));
}

#[tokio::test]
async fn a_locked_card_still_shows_its_account_marked_locked() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let session = app.open(&payment_request(&receiver.url)).await.session();
    for _ in 0..3 {
        app.pay(&session, RICH_DEBIT, "000000").await;
    }
    receiver.next().await;
    let statement = app.account(RICH_DEBIT, PASSWORD).await;
    assert_eq!(statement.status, StatusCode::OK);
    assert!(statement.body.contains(r#"data-testid="card-locked""#));
    assert!(statement.body.contains("Declined (card_locked)"));
    let expired = app.account("6222 0000 0000 0004", PASSWORD).await;
    assert!(expired.body.contains(r#"data-testid="card-expired""#));
}

#[tokio::test]
async fn wrong_passwords_unknown_cards_and_bad_forms_are_refused() {
    let app = spawn_app().await;
    for (card, password) in [
        (RICH_DEBIT, "654321"),
        ("6222 0000 0000 0009", PASSWORD),
        ("<b>x</b>", PASSWORD),
        (RICH_DEBIT, ""),
    ] {
        let refused = app.account(card, password).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{card}");
        assert!(
            refused
                .body
                .contains("card number or payment password is not right")
        );
        assert!(!refused.body.contains("data-testid=\"balance-CNY\""));
        assert!(!refused.body.contains("<b>x</b>"));
    }
    // Refusals here do not count towards the card's lock.
    for _ in 0..3 {
        app.account(RICH_DEBIT, "000000").await;
    }
    let statement = app.account(RICH_DEBIT, PASSWORD).await;
    assert!(!statement.body.contains(r#"data-testid="card-locked""#));

    let response = app
        .client
        .post(format!("{}/account", app.address))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
