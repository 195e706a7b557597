//! `POST /api/v1/transfers`: payouts credited to merchant accounts, at most once per
//! payout id, and refusals that are as final as credits.

use futures::future::join_all;
use paydesk_shared::Currency;
use paydesk_shared::bank_protocol::{
    TRANSFER_PATH, TransferAnswer, TransferFailure, TransferOutcome, TransferRequest,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, now, spawn_app};

/// Sets one text field of a request.
type Setter = fn(&mut TransferRequest, String);

pub(crate) const ACCOUNT: &str = "6228480012345678";

/// A payout of `amount` CNY to `account` at ICBC.
pub(crate) fn transfer_request(payout_id: &str, account: &str, amount: &str) -> TransferRequest {
    TransferRequest {
        payout_id: payout_id.into(),
        bank_code: "ICBC".into(),
        account_number: account.into(),
        account_name: "Demo <Shop> & Co".into(),
        amount: amount.into(),
        currency: Currency::Cny,
        reference: format!("Paydesk payout {payout_id}"),
    }
}

impl TestApp {
    pub(crate) async fn transfer(&self, request: &TransferRequest) -> TransferAnswer {
        let response = self.post_signed(TRANSFER_PATH, request).await;
        self.signed_answer(response).await
    }

    /// `GET /merchant_accounts/{number}`: its status and JSON body.
    pub(crate) async fn merchant_account(&self, number: &str) -> (StatusCode, Value) {
        let response = self.get(&format!("/merchant_accounts/{number}")).await;
        let status = response.status();
        (status, response.json().await.expect("account JSON"))
    }
}

pub(crate) fn bank_transfer_id(answer: &TransferAnswer) -> String {
    match &answer.outcome {
        TransferOutcome::Completed { bank_transfer_id } => bank_transfer_id.clone(),
        TransferOutcome::Refused { reason } => panic!("expected a credit, refused {reason:?}"),
    }
}

fn refusal(answer: &TransferAnswer) -> TransferFailure {
    match answer.outcome {
        TransferOutcome::Refused { reason } => reason,
        TransferOutcome::Completed { .. } => panic!("expected a refusal: {answer:?}"),
    }
}

#[tokio::test]
async fn a_transfer_opens_and_credits_the_merchant_account() {
    let app = spawn_app().await;
    let (status, _) = app.merchant_account(ACCOUNT).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let answer = app
        .transfer(&transfer_request("po_1", ACCOUNT, "120.50"))
        .await;
    assert_eq!(answer.payout_id, "po_1");
    assert!((now() - answer.decided_at).abs() < 60);
    let id = bank_transfer_id(&answer);
    assert!(id.starts_with("SBT") && id.len() == 23, "{id}");
    let second = app
        .transfer(&transfer_request("po_2", ACCOUNT, "0.50"))
        .await;

    let (status, account) = app.merchant_account(ACCOUNT).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        account,
        json!({
            "account_number": ACCOUNT,
            "bank_codes": ["ICBC"],
            "balances": [{"bank_code": "ICBC", "currency": "CNY", "amount": "121.00"}],
            "transfers": [
                {
                    "bank_transfer_id": bank_transfer_id(&second),
                    "payout_id": "po_2",
                    "bank_code": "ICBC",
                    "amount": "0.50",
                    "currency": "CNY",
                    "reference": "Paydesk payout po_2",
                    "at": second.decided_at,
                },
                {
                    "bank_transfer_id": id,
                    "payout_id": "po_1",
                    "bank_code": "ICBC",
                    "amount": "120.50",
                    "currency": "CNY",
                    "reference": "Paydesk payout po_1",
                    "at": answer.decided_at,
                },
            ],
        })
    );
}

#[tokio::test]
async fn one_number_at_two_banks_is_two_accounts_in_every_currency() {
    let app = spawn_app().await;
    app.transfer(&transfer_request("po_1", ACCOUNT, "10.00"))
        .await;
    let mut at_cmb = transfer_request("po_2", ACCOUNT, "3.00");
    at_cmb.bank_code = "CMB".into();
    app.transfer(&at_cmb).await;
    let mut in_yen = transfer_request("po_3", ACCOUNT, "2500");
    in_yen.currency = Currency::Jpy;
    app.transfer(&in_yen).await;
    let (_, account) = app.merchant_account(ACCOUNT).await;
    assert_eq!(account["bank_codes"], json!(["CMB", "ICBC"]));
    assert_eq!(
        account["balances"],
        json!([
            {"bank_code": "CMB", "currency": "CNY", "amount": "3.00"},
            {"bank_code": "ICBC", "currency": "CNY", "amount": "10.00"},
            {"bank_code": "ICBC", "currency": "JPY", "amount": "2500"},
        ])
    );
    assert_eq!(account["transfers"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_same_request_again_answers_the_first_answer_even_after_a_restart() {
    let app = spawn_app().await;
    let request = transfer_request("po_1", ACCOUNT, "10.00");
    let first = app.transfer(&request).await;
    assert_eq!(app.transfer(&request).await, first);
    // The same amount written with fewer decimals is the same transfer.
    let mut shorter = request.clone();
    shorter.amount = "10.0".into();
    assert_eq!(app.transfer(&shorter).await, first);

    let refused = app
        .transfer(&transfer_request("po_2", "6228480000000000", "1.00"))
        .await;
    assert_eq!(refusal(&refused), TransferFailure::AccountClosed);

    let app = app.restart().await;
    assert_eq!(app.transfer(&request).await, first);
    assert_eq!(
        app.transfer(&transfer_request("po_2", "6228480000000000", "1.00"))
            .await,
        refused
    );
    let (_, account) = app.merchant_account(ACCOUNT).await;
    assert_eq!(account["balances"][0]["amount"], "10.00");
    assert_eq!(account["transfers"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_used_payout_id_with_another_request_is_409_and_moves_nothing() {
    let app = spawn_app().await;
    let request = transfer_request("po_1", ACCOUNT, "10.00");
    let first = app.transfer(&request).await;
    let mut changes: Vec<TransferRequest> = Vec::new();
    let mut amount = request.clone();
    amount.amount = "10.01".into();
    changes.push(amount);
    let mut currency = request.clone();
    currency.currency = Currency::Usd;
    changes.push(currency);
    let mut account = request.clone();
    account.account_number = "6228480012345679".into();
    changes.push(account);
    let mut bank = request.clone();
    bank.bank_code = "CMB".into();
    changes.push(bank);
    let mut name = request.clone();
    name.account_name = "Someone Else".into();
    changes.push(name);
    let mut reference = request.clone();
    reference.reference = "another payout".into();
    changes.push(reference);
    // A refused first request binds its payout id too.
    let mut unknown_bank = transfer_request("po_2", ACCOUNT, "1.00");
    unknown_bank.bank_code = "NOPE".into();
    app.transfer(&unknown_bank).await;
    changes.push(transfer_request("po_2", ACCOUNT, "1.00"));

    for changed in &changes {
        let response = app.post_signed(TRANSFER_PATH, changed).await;
        assert_error(response, StatusCode::CONFLICT, "payout_id_reused").await;
    }
    let app = app.restart().await;
    let response = app.post_signed(TRANSFER_PATH, &changes[0]).await;
    assert_error(response, StatusCode::CONFLICT, "payout_id_reused").await;
    assert_eq!(app.transfer(&request).await, first);
    let (_, account) = app.merchant_account(ACCOUNT).await;
    assert_eq!(account["bank_codes"], json!(["ICBC"]));
    assert_eq!(account["balances"][0]["amount"], "10.00");
    assert_eq!(account["transfers"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn unknown_banks_bad_account_numbers_and_closed_accounts_are_refused() {
    let app = spawn_app().await;
    let mut unknown_bank = transfer_request("po_1", ACCOUNT, "1.00");
    unknown_bank.bank_code = "NOPE".into();
    let answer = app.transfer(&unknown_bank).await;
    assert_eq!(refusal(&answer), TransferFailure::UnknownBank);

    for (i, number) in [
        "12345",
        "12345678901234567890",
        "6228 4800 1234",
        "62284800123456x",
    ]
    .into_iter()
    .enumerate()
    {
        let answer = app
            .transfer(&transfer_request(&format!("po_bad_{i}"), number, "1.00"))
            .await;
        assert_eq!(
            refusal(&answer),
            TransferFailure::InvalidAccount,
            "{number}"
        );
    }
    for (i, number) in ["6228480000000000", "100000"].into_iter().enumerate() {
        let answer = app
            .transfer(&transfer_request(&format!("po_closed_{i}"), number, "1.00"))
            .await;
        assert_eq!(refusal(&answer), TransferFailure::AccountClosed, "{number}");
        let (status, _) = app.merchant_account(number).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "no account opened");
    }
    // The edges of the rule are accounts.
    for (i, number) in ["123456", "1234567890123456789", "6228480000000001"]
        .into_iter()
        .enumerate()
    {
        let answer = app
            .transfer(&transfer_request(&format!("po_ok_{i}"), number, "1.00"))
            .await;
        bank_transfer_id(&answer);
    }
    let (status, _) = app.merchant_account(ACCOUNT).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_payout_id_sent_many_times_at_once_credits_once() {
    let app = spawn_app().await;
    let request = transfer_request("po_same", ACCOUNT, "7.00");
    let answers = join_all((0..6).map(|_| app.transfer(&request))).await;
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    bank_transfer_id(&answers[0]);
    let (_, account) = app.merchant_account(ACCOUNT).await;
    assert_eq!(account["balances"][0]["amount"], "7.00");
    assert_eq!(account["transfers"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_transfer_requests_are_4xx_and_change_nothing() {
    let app = spawn_app().await;
    let good = transfer_request("po_1", ACCOUNT, "10.00");
    let body = serde_json::to_vec(&good).unwrap();

    let unsigned = app.post_raw(TRANSFER_PATH, body.clone(), None).await;
    assert_error(unsigned, StatusCode::UNAUTHORIZED, "signature_invalid").await;
    let stale = app.gateway.sign(now() - 400, &body);
    let response = app
        .post_raw(TRANSFER_PATH, body.clone(), Some(&stale))
        .await;
    assert_error(response, StatusCode::UNAUTHORIZED, "signature_invalid").await;

    let mut cases: Vec<(Value, &str)> = Vec::new();
    for amount in [
        "1.001", "0.00", "0", "-1.00", "1e3", "", " 1.00", "1,000.00",
    ] {
        let mut bad = good.clone();
        bad.amount = amount.into();
        cases.push((serde_json::to_value(&bad).unwrap(), "amount_invalid"));
    }
    let mut fraction_of_a_yen = good.clone();
    fraction_of_a_yen.currency = Currency::Jpy;
    fraction_of_a_yen.amount = "1.5".into();
    cases.push((
        serde_json::to_value(&fraction_of_a_yen).unwrap(),
        "amount_invalid",
    ));
    let texts: [(&str, Setter); 5] = [
        ("payout_id", |r, v| r.payout_id = v),
        ("bank_code", |r, v| r.bank_code = v),
        ("account_number", |r, v| r.account_number = v),
        ("account_name", |r, v| r.account_name = v),
        ("reference", |r, v| r.reference = v),
    ];
    for (field, set) in texts {
        for value in [
            "".to_owned(),
            "  ".to_owned(),
            "x".repeat(201),
            "a\nb".to_owned(),
        ] {
            let mut bad = good.clone();
            set(&mut bad, value);
            let json = serde_json::to_value(&bad).unwrap();
            assert!(json.get(field).is_some());
            cases.push((json, "invalid_field"));
        }
    }
    let mut unknown_currency = serde_json::to_value(&good).unwrap();
    unknown_currency["currency"] = "XXX".into();
    cases.push((unknown_currency, "invalid_json"));
    let mut number_amount = serde_json::to_value(&good).unwrap();
    number_amount["amount"] = 10.into();
    cases.push((number_amount, "invalid_json"));
    let mut missing = serde_json::to_value(&good).unwrap();
    missing.as_object_mut().unwrap().remove("reference");
    cases.push((missing, "invalid_json"));
    let mut extra = serde_json::to_value(&good).unwrap();
    extra["extra"] = 1.into();
    cases.push((extra, "invalid_json"));
    cases.push((json!([1, 2]), "invalid_json"));
    for (value, code) in cases {
        let body = serde_json::to_vec(&value).unwrap();
        let signature = app.gateway.sign(now(), &body);
        let response = app.post_raw(TRANSFER_PATH, body, Some(&signature)).await;
        assert_error(response, StatusCode::BAD_REQUEST, code).await;
    }
    let not_json = b"payout please".to_vec();
    let signature = app.gateway.sign(now(), &not_json);
    let response = app
        .post_raw(TRANSFER_PATH, not_json, Some(&signature))
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_json").await;
    let huge = vec![b' '; 20 * 1024];
    let response = app.post_raw(TRANSFER_PATH, huge, None).await;
    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let (status, _) = app.merchant_account(ACCOUNT).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A replayed signature is refused even though the payout would only be
    // answered again.
    let signature = app.gateway.sign(now(), &body);
    let first = app
        .post_raw(TRANSFER_PATH, body.clone(), Some(&signature))
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let replay = app.post_raw(TRANSFER_PATH, body, Some(&signature)).await;
    assert_error(replay, StatusCode::CONFLICT, "replayed").await;
    let (_, account) = app.merchant_account(ACCOUNT).await;
    assert_eq!(account["balances"][0]["amount"], "10.00");
}

#[tokio::test]
async fn lost_answers_are_503_until_the_first_answer_comes_back_once_credited() {
    let app = spawn_app().await;
    app.set_faults(json!({"lose_transfer_answers": 2})).await;
    let request = transfer_request("po_1", ACCOUNT, "10.00");
    let response = app.post_signed(TRANSFER_PATH, &request).await;
    assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    // Executed all the same: the account is credited before any answer got through.
    let (status, account) = app.merchant_account(ACCOUNT).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(account["transfers"].as_array().unwrap().len(), 1);
    let credited = account["transfers"][0]["bank_transfer_id"].clone();
    let response = app.post_signed(TRANSFER_PATH, &request).await;
    assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;

    let answer = app.transfer(&request).await;
    assert_eq!(answer.payout_id, "po_1");
    assert_eq!(json!(bank_transfer_id(&answer)), credited);
    assert_eq!(app.transfer(&request).await, answer);
    let (_, account) = app.merchant_account(ACCOUNT).await;
    assert_eq!(account["balances"][0]["amount"], "10.00");
    assert_eq!(account["transfers"].as_array().unwrap().len(), 1);

    // Counted per payout id; a refusal is lost the same way, and decided once.
    let closed = transfer_request("po_2", "6228480000000000", "1.00");
    for _ in 0..2 {
        let response = app.post_signed(TRANSFER_PATH, &closed).await;
        assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    }
    let refused = app.transfer(&closed).await;
    assert_eq!(refusal(&refused), TransferFailure::AccountClosed);

    // Asks the books refuse are not counted: a reused payout id is still 409.
    let mut changed = request.clone();
    changed.amount = "10.01".into();
    let response = app.post_signed(TRANSFER_PATH, &changed).await;
    assert_error(response, StatusCode::CONFLICT, "payout_id_reused").await;

    // New faults count afresh; the answer, once it gets through, is still the first.
    app.set_faults(json!({"lose_transfer_answers": 1})).await;
    let response = app.post_signed(TRANSFER_PATH, &request).await;
    assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert_eq!(app.transfer(&request).await, answer);
    app.set_faults(json!({})).await;
    assert_eq!(app.transfer(&closed).await, refused);
    let fresh = app
        .transfer(&transfer_request("po_3", ACCOUNT, "2.00"))
        .await;
    bank_transfer_id(&fresh);
    let (_, account) = app.merchant_account(ACCOUNT).await;
    assert_eq!(account["balances"][0]["amount"], "12.00");
    assert_eq!(account["transfers"].as_array().unwrap().len(), 2);
}
