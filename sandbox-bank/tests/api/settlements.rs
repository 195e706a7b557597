//! `GET /api/v1/banks/status` and `GET /api/v1/settlements/{merchant}/{day}`: signed
//! answers the gateway polls, and the settlement file as its faults misstate it.

use paydesk_shared::bank_protocol::{
    BANK_STATUS_PATH, BankStatusList, PaymentNotification, REFUND_PATH, RefundAnswer,
    RefundOutcome, RefundRequest, SETTLEMENT_CSV_HEADER, SETTLEMENT_PATH, SIGNATURE_HEADER,
};
use paydesk_shared::signing::Verifier;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    PASSWORD, POOR_DEBIT, RICH_DEBIT, Receiver, TestApp, assert_error, now, payment_request,
    spawn_app, spawn_receiver,
};

/// `YYYY-MM-DD` (UTC) of a Unix time (Howard Hinnant's `civil_from_days`).
fn utc_date(unix: i64) -> String {
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

async fn pay(
    app: &TestApp,
    receiver: &mut Receiver,
    merchant_id: &str,
    card: &str,
) -> PaymentNotification {
    let mut request = payment_request(&receiver.url);
    request.merchant_id = merchant_id.into();
    let session = app.open(&request).await.session();
    app.pay(&session, card, PASSWORD).await;
    app.verify(&receiver.next().await)
}

impl TestApp {
    /// The settlement file's status, content type and (verified) body.
    async fn settlement(&self, merchant_id: &str, date: &str) -> (StatusCode, String, String) {
        let response = self
            .get(&format!("{SETTLEMENT_PATH}/{merchant_id}/{date}"))
            .await;
        let status = response.status();
        let content_type = response.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .expect("ASCII content type")
            .to_owned();
        let signature = response.headers()[SIGNATURE_HEADER]
            .to_str()
            .expect("ASCII signature")
            .to_owned();
        let body = response.text().await.expect("settlement body");
        Verifier::new(vec![self.bank_key.clone()])
            .verify(&signature, body.as_bytes(), now())
            .expect("the file is signed by the bank");
        (status, content_type, body)
    }
}

#[tokio::test]
async fn bank_status_lists_every_bank_signed() {
    let app = spawn_app().await;
    let list: BankStatusList = app.signed_answer(app.get(BANK_STATUS_PATH).await).await;
    let directory = paydesk_shared::bank::directory();
    assert_eq!(list.banks.len(), directory.len());
    for (status, bank) in list.banks.iter().zip(&directory) {
        assert_eq!(status.code, bank.code);
        assert!(!status.maintenance);
    }
}

#[tokio::test]
async fn the_settlement_file_lists_the_days_payments_and_refunds() {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let paid = pay(&app, &mut receiver, "mer_a", RICH_DEBIT).await;
    let declined = pay(&app, &mut receiver, "mer_a", POOR_DEBIT).await;
    let elsewhere = pay(&app, &mut receiver, "mer_b", RICH_DEBIT).await;
    let refund = RefundRequest {
        refund_id: "rf_1".into(),
        attempt_id: paid.attempt_id.clone(),
        bank_code: paid.bank_code.clone(),
        bank_transaction_id: paid.bank_transaction_id.clone(),
        amount: "5.00".into(),
        currency: paid.currency,
        reason: "order_cancelled".into(),
    };
    let answer: RefundAnswer = app
        .signed_answer(app.post_signed(REFUND_PATH, &refund).await)
        .await;
    let RefundOutcome::Succeeded { bank_refund_id } = answer.outcome else {
        panic!("the refund goes through");
    };

    let log: serde_json::Value = app.get("/transactions").await.json().await.unwrap();
    let at = |i: usize| log[i]["at"].as_i64().unwrap();
    let day = utc_date(at(0));
    let (status, content_type, body) = app.settlement("mer_a", &day).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], SETTLEMENT_CSV_HEADER);
    assert_eq!(
        lines[1],
        format!(
            "payment,{},{},{},,ICBC,25.00,CNY,{}",
            paid.bank_transaction_id,
            paid.attempt_id,
            paid.order_id,
            at(0)
        )
    );
    assert_eq!(
        lines[2],
        format!(
            "refund,{bank_refund_id},{},{},rf_1,ICBC,5.00,CNY,{}",
            paid.attempt_id,
            paid.order_id,
            at(3)
        )
    );
    assert_eq!(lines.len(), 3, "no decline, no other merchant: {body}");
    assert!(!body.contains(&declined.bank_transaction_id));
    assert!(!body.contains(&elsewhere.bank_transaction_id));

    let (_, _, other) = app.settlement("mer_b", &day).await;
    assert_eq!(other.lines().count(), 2);
    assert!(other.contains(&elsewhere.bank_transaction_id));
    let (status, _, yesterday) = app.settlement("mer_a", &utc_date(at(0) - 86_400)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(yesterday, format!("{SETTLEMENT_CSV_HEADER}\n"));
}

#[tokio::test]
async fn bad_dates_and_merchant_ids_are_400() {
    let app = spawn_app().await;
    for date in [
        "2026-13-01",
        "2026-02-30",
        "26-11-26",
        "yesterday",
        "2026-11-26x",
    ] {
        let response = app.get(&format!("{SETTLEMENT_PATH}/mer_a/{date}")).await;
        assert_error(response, StatusCode::BAD_REQUEST, "invalid_date").await;
    }
    let response = app
        .get(&format!("{SETTLEMENT_PATH}/mer%0Aa/2026-11-26"))
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_field").await;
    let response = app.get(&format!("{SETTLEMENT_PATH}/%20/2026-11-26")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_field").await;
}

/// A bank where `mer_a` paid twice today (25.00 CNY each) and got 5.00 back on the
/// first payment: the payments, the refund's bank id, and today's date.
async fn settled_day() -> (TestApp, [PaymentNotification; 2], String, String) {
    let app = spawn_app().await;
    let mut receiver = spawn_receiver(vec![]).await;
    let first = pay(&app, &mut receiver, "mer_a", RICH_DEBIT).await;
    let second = pay(&app, &mut receiver, "mer_a", RICH_DEBIT).await;
    let refund = RefundRequest {
        refund_id: "rf_1".into(),
        attempt_id: first.attempt_id.clone(),
        bank_code: first.bank_code.clone(),
        bank_transaction_id: first.bank_transaction_id.clone(),
        amount: "5.00".into(),
        currency: first.currency,
        reason: "order_cancelled".into(),
    };
    let answer: RefundAnswer = app
        .signed_answer(app.post_signed(REFUND_PATH, &refund).await)
        .await;
    let RefundOutcome::Succeeded { bank_refund_id } = answer.outcome else {
        panic!("the refund goes through");
    };
    let day = utc_date(first.decided_at);
    (app, [first, second], bank_refund_id, day)
}

impl TestApp {
    /// The day's lines for `mer_a` after the header, with the file's signature checked.
    async fn settled_lines(&self, day: &str) -> Vec<String> {
        let (status, _, body) = self.settlement("mer_a", day).await;
        assert_eq!(status, StatusCode::OK);
        let mut lines = body.lines();
        assert_eq!(lines.next(), Some(SETTLEMENT_CSV_HEADER));
        lines.map(str::to_owned).collect()
    }
}

/// The line the books say for a payment.
fn payment_line(paid: &PaymentNotification, amount: &str, currency: &str) -> String {
    format!(
        "payment,{},{},{},,ICBC,{amount},{currency},{}",
        paid.bank_transaction_id, paid.attempt_id, paid.order_id, paid.decided_at
    )
}

fn refund_line(
    paid: &PaymentNotification,
    bank_refund_id: &str,
    amount: &str,
    currency: &str,
) -> String {
    format!(
        "refund,{bank_refund_id},{},{},rf_1,ICBC,{amount},{currency},",
        paid.attempt_id, paid.order_id
    )
}

#[tokio::test]
async fn an_omitted_attempt_is_missing_from_the_file_until_the_fault_is_reset() {
    let (app, [first, second], _, day) = settled_day().await;
    let honest = app.settled_lines(&day).await;
    assert_eq!(honest.len(), 3);
    app.set_faults(json!({"settlement_file": {"omit": [first.attempt_id]}}))
        .await;
    assert_eq!(
        app.settled_lines(&day).await,
        [payment_line(&second, "25.00", "CNY")]
    );
    app.set_faults(json!({})).await;
    assert_eq!(app.settled_lines(&day).await, honest);
}

#[tokio::test]
async fn an_amount_off_is_one_major_unit_too_high() {
    let (app, [first, second], bank_refund_id, day) = settled_day().await;
    app.set_faults(json!({"settlement_file": {"amount_off": [first.attempt_id]}}))
        .await;
    let lines = app.settled_lines(&day).await;
    assert_eq!(lines[0], payment_line(&first, "26.00", "CNY"));
    assert_eq!(lines[1], payment_line(&second, "25.00", "CNY"));
    assert!(lines[2].starts_with(&refund_line(&first, &bank_refund_id, "6.00", "CNY")));
    // The books are untouched.
    let log: serde_json::Value = app.get("/transactions").await.json().await.unwrap();
    assert_eq!(log[0]["amount"], "25.00");
}

#[tokio::test]
async fn a_currency_off_names_another_currency() {
    let (app, [first, second], bank_refund_id, day) = settled_day().await;
    app.set_faults(
        json!({"settlement_file": {"currency_off": [second.attempt_id, first.attempt_id]}}),
    )
    .await;
    let lines = app.settled_lines(&day).await;
    assert_eq!(lines[0], payment_line(&first, "25.00", "USD"));
    assert_eq!(lines[1], payment_line(&second, "25.00", "USD"));
    assert!(lines[2].starts_with(&refund_line(&first, &bank_refund_id, "5.00", "USD")));
}

#[tokio::test]
async fn a_duplicated_line_appears_twice() {
    let (app, [first, second], _, day) = settled_day().await;
    app.set_faults(json!({"settlement_file": {"duplicate": [second.attempt_id]}}))
        .await;
    let lines = app.settled_lines(&day).await;
    let paid = payment_line(&second, "25.00", "CNY");
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0], payment_line(&first, "25.00", "CNY"));
    assert_eq!(lines[1], paid);
    assert_eq!(lines[2], paid);
}

#[tokio::test]
async fn unknown_lines_are_payments_nobody_made_the_same_on_every_fetch() {
    let (app, _, _, day) = settled_day().await;
    let honest = app.settled_lines(&day).await;
    app.set_faults(json!({"settlement_file": {"unknown_lines": 2}}))
        .await;
    let lines = app.settled_lines(&day).await;
    assert_eq!(lines[..3], honest[..]);
    let compact = day.replace('-', "");
    let noon = paydesk_day_start(&day) + 12 * 3600;
    assert_eq!(
        lines[3..],
        [
            format!(
                "payment,SBX99{compact}0000000000,att_unknown_{compact}_0,ord_unknown_{compact}_0,,ICBC,10.00,CNY,{noon}"
            ),
            format!(
                "payment,SBX99{compact}0000000001,att_unknown_{compact}_1,ord_unknown_{compact}_1,,ICBC,20.00,CNY,{}",
                noon + 1
            ),
        ]
    );
    assert_eq!(app.settled_lines(&day).await, lines);
    // Any day, even one without a real line.
    let (_, _, empty_day) = app.settlement("mer_nobody", "2020-02-29").await;
    assert_eq!(empty_day.lines().count(), 3);
    assert!(empty_day.contains("SBX99202002290000000001"));
}

/// Unix seconds at 00:00 UTC of a `YYYY-MM-DD` date (Hinnant's `days_from_civil`).
fn paydesk_day_start(date: &str) -> i64 {
    let year: i64 = date[0..4].parse().expect("a year");
    let month: i64 = date[5..7].parse().expect("a month");
    let day: i64 = date[8..10].parse().expect("a day");
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400
}
