//! The money after the payment, against the real sandbox bank: reconciliation of its
//! signed settlement file, settlement runs, payouts credited to the merchant's account
//! at the bank exactly once, and each class of settlement-file fault found.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use paydesk_e2e::{Network, NetworkOptions, RICH_CARD, eventually};
use paydesk_gateway::domain::merchant::SettlementAccount;
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use reqwest::Method;
use serde_json::{Value, json};

async fn paid_order(net: &Network) -> OrderResponse {
    let order = net.create_order().await.unwrap();
    let response = net.start_attempt(&order, "ICBC").await.unwrap();
    assert_eq!(response.status(), 201);
    let attempt: CreateAttemptResponse = response.json().await.unwrap();
    net.pay_at_bank(&attempt, RICH_CARD).await.unwrap();
    eventually("the order paid", || async {
        let o = net.order(&order.id).await.unwrap();
        (o.status.as_str() == "paid").then_some(o)
    })
    .await
}

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let code = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(code, status, "{body}");
    body
}

async fn run_settlement(net: &Network) -> Value {
    let response = net
        .operator(
            Method::POST,
            "/v1/operator/settlement_runs",
            Some(&json!({})),
        )
        .await
        .unwrap();
    json_of(response, 200).await
}

async fn merchant_get(net: &Network, path: &str) -> Value {
    json_of(net.merchant(Method::GET, path, None).await.unwrap(), 200).await
}

async fn bank_account(net: &Network, number: &str) -> Value {
    let response = net
        .client
        .get(format!("{}/merchant_accounts/{number}", net.bank_url))
        .send()
        .await
        .unwrap();
    json_of(response, 200).await
}

async fn payout_settled(net: &Network, id: &str) -> Value {
    eventually("the payout's final word", || async {
        let p = merchant_get(net, &format!("/v1/payouts/{id}")).await;
        matches!(p["status"].as_str(), Some("paid" | "failed")).then_some(p)
    })
    .await
}

async fn account_balance(books: &Value, account: &str) -> Option<String> {
    books["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == account)
        .map(|a| a["balance"].as_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_day_reconciles_settles_and_pays_out_exactly_once() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let mut orders = Vec::new();
    for _ in 0..3 {
        orders.push(paid_order(&net).await);
    }
    let refund = net
        .merchant(
            Method::POST,
            &format!("/v1/orders/{}/refunds", orders[0].id),
            Some(&json!({"amount": "10.00"})),
        )
        .await
        .unwrap();
    let refund = json_of(refund, 201).await;
    let refund_id = refund["id"].as_str().unwrap().to_owned();
    eventually("the refund to succeed", || async {
        let r = merchant_get(&net, &format!("/v1/refunds/{refund_id}")).await;
        (r["status"] == "succeeded").then_some(())
    })
    .await;

    let run = run_settlement(&net).await;
    assert_eq!(run["reconciliation"]["match_rate"], "100.00", "{run}");
    assert_eq!(
        run["reconciliation"]["total"], 4,
        "three payments and a refund"
    );
    assert_eq!(run["alerts_raised"], 0);
    // 3 × 25.00 at 0.6% (0.15 each) less the 10.00 refund.
    let settlements = run["settlements"].as_array().unwrap();
    assert_eq!(settlements.len(), 1, "{run}");
    assert_eq!(settlements[0]["net"], "64.55");
    assert_eq!(settlements[0]["count"], 4);
    let payouts = run["payouts"].as_array().unwrap();
    assert_eq!(payouts.len(), 1);
    assert_eq!(payouts[0]["amount"], "64.55");
    let payout = payout_settled(&net, payouts[0]["id"].as_str().unwrap()).await;
    assert_eq!(payout["status"], "paid", "{payout}");
    let transfer_id = payout["bank_transfer_id"].as_str().unwrap().to_owned();

    let account = bank_account(&net, "6222020000001001").await;
    let transfers = account["transfers"].as_array().unwrap();
    assert_eq!(transfers.len(), 1, "{account}");
    assert_eq!(transfers[0]["bank_transfer_id"], transfer_id.as_str());
    assert_eq!(transfers[0]["amount"], "64.55");

    let balance = merchant_get(&net, "/v1/balance").await;
    assert_eq!(
        balance["available"],
        json!([{"currency": "CNY", "amount": "0.00"}])
    );
    assert_eq!(
        balance["pending"],
        json!([{"currency": "CNY", "amount": "0.00"}])
    );
    let lines = merchant_get(
        &net,
        &format!(
            "/v1/balance_transactions?settlement={}",
            settlements[0]["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(lines["data"].as_array().unwrap().len(), 4);
    assert!(
        lines["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["status"] == "available")
    );

    let books = json_of(
        net.operator(Method::GET, "/v1/operator/ledger/trial_balance", None)
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(books["balanced"], true, "{books}");
    for hand_off in ["bank_clearing:ICBC", "payouts_in_transit"] {
        let balance = account_balance(&books, hand_off).await;
        assert_eq!(balance.as_deref(), Some("0.00"), "{hand_off}: {books}");
    }
    assert_eq!(
        account_balance(&books, "fee_revenue").await.as_deref(),
        Some("-0.45")
    );

    let events = merchant_get(&net, "/v1/events?type=payout.paid").await;
    assert_eq!(events["data"].as_array().unwrap().len(), 1);
    let settled = merchant_get(&net, "/v1/events?type=settlement.created").await;
    assert_eq!(settled["data"][0]["data"]["settlement"]["net"], "64.55");

    // A second run the same day finds everything settled and paid: nothing moves.
    let again = run_settlement(&net).await;
    assert_eq!(again["settlements"], json!([]));
    assert_eq!(again["payouts"], json!([]));
    assert_eq!(again["reconciliation"]["match_rate"], "100.00");
    let account = bank_account(&net, "6222020000001001").await;
    assert_eq!(account["transfers"].as_array().unwrap().len(), 1);
    let report = json_of(
        net.operator(
            Method::GET,
            &format!(
                "/v1/operator/reconciliation/{}",
                again["date"].as_str().unwrap()
            ),
            None,
        )
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(report["counts"]["matched"], 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_settlement_file_fault_is_found_as_its_class() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let mut attempts = Vec::new();
    for _ in 0..5 {
        let order = paid_order(&net).await;
        attempts.push(order.attempts[0].id.clone());
    }
    net.set_faults(json!({"settlement_file": {
        "omit": [attempts[0]],
        "amount_off": [attempts[1]],
        "currency_off": [attempts[2]],
        "duplicate": [attempts[3]],
        "unknown_lines": 1
    }}))
    .await
    .unwrap();
    let run = run_settlement(&net).await;
    let by_class = &run["reconciliation"]["by_class"];
    assert_eq!(
        by_class,
        &json!({
            "matched": 2,
            "missing_at_bank": 1,
            "unknown_to_gateway": 1,
            "amount_mismatch": 1,
            "currency_mismatch": 1,
            "duplicate": 1
        }),
        "{run}"
    );
    assert_eq!(run["alerts_raised"], 5);
    let report = json_of(
        net.operator(
            Method::GET,
            &format!(
                "/v1/operator/reconciliation/{}",
                run["date"].as_str().unwrap()
            ),
            None,
        )
        .await
        .unwrap(),
        200,
    )
    .await;
    let class_of = |key: &str| -> Vec<String> {
        report["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["key"] == key)
            .map(|l| l["class"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(class_of(&attempts[0]), ["missing_at_bank"]);
    assert_eq!(class_of(&attempts[1]), ["amount_mismatch"]);
    assert_eq!(class_of(&attempts[2]), ["currency_mismatch"]);
    assert_eq!(class_of(&attempts[3]), ["matched", "duplicate"]);
    assert_eq!(class_of(&attempts[4]), ["matched"]);
    // Only what the bank confirmed is settled: two payments.
    assert_eq!(run["settlements"][0]["count"], 2, "{run}");

    let alerts = json_of(
        net.operator(Method::GET, "/v1/operator/alerts", None)
            .await
            .unwrap(),
        200,
    )
    .await;
    let breaks: Vec<&Value> = alerts["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "reconciliation_break")
        .collect();
    assert_eq!(breaks.len(), 5);
    let mismatch = breaks
        .iter()
        .find(|a| a["message"].as_str().unwrap().contains("amount_mismatch"))
        .unwrap();
    let message = mismatch["message"].as_str().unwrap();
    assert!(
        message.contains("26.00") && message.contains("25.00"),
        "both sides: {message}"
    );

    // Reconciling the day again raises nothing new; an operator closes one with a reason.
    let again = run_settlement(&net).await;
    assert_eq!(again["alerts_raised"], 0);
    let id = mismatch["id"].as_str().unwrap();
    let resolved = net
        .operator(
            Method::POST,
            &format!("/v1/operator/alerts/{id}/resolve"),
            Some(&json!({"reason": "bank confirmed 25.00 by phone; their file is wrong"})),
        )
        .await
        .unwrap();
    assert_eq!(resolved.status(), 200);
    let open = json_of(
        net.operator(Method::GET, "/v1/operator/alerts", None)
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        open["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != id)
    );
    let twice = net
        .operator(
            Method::POST,
            &format!("/v1/operator/alerts/{id}/resolve"),
            Some(&json!({"reason": "again"})),
        )
        .await
        .unwrap();
    assert_eq!(twice.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_transfer_puts_the_money_back_with_payout_failed() {
    let options = NetworkOptions {
        // The sandbox bank's closed accounts end in 0000.
        settlement_account: SettlementAccount {
            bank: "ICBC".into(),
            account_number: "6222020000000000".into(),
        },
        ..NetworkOptions::default()
    };
    let net = Network::start(options).await.unwrap();
    paid_order(&net).await;
    let run = run_settlement(&net).await;
    let payout_id = run["payouts"][0]["id"].as_str().unwrap().to_owned();
    let payout = payout_settled(&net, &payout_id).await;
    assert_eq!(payout["status"], "failed", "{payout}");
    assert_eq!(payout["failure_reason"], "account_closed");
    let balance = merchant_get(&net, "/v1/balance").await;
    assert_eq!(
        balance["available"],
        json!([{"currency": "CNY", "amount": "24.85"}])
    );
    let kinds: Vec<String> = merchant_get(&net, "/v1/balance_transactions").await["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["payout_failure", "payout", "payment"]);
    let failed = merchant_get(&net, "/v1/events?type=payout.failed").await;
    assert_eq!(
        failed["data"][0]["data"]["payout"]["id"],
        payout_id.as_str()
    );
    let refused = net
        .merchant(
            Method::POST,
            "/v1/payouts",
            Some(&json!({"amount": "24.86", "currency": "CNY"})),
        )
        .await
        .unwrap();
    let body = json_of(refused, 422).await;
    assert_eq!(body["error"]["code"], "balance_insufficient");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payout_whose_answers_are_lost_credits_the_account_once() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    // The bank executes the transfer but its first two answers never arrive.
    net.set_faults(json!({"lose_transfer_answers": 2}))
        .await
        .unwrap();
    paid_order(&net).await;
    let run = run_settlement(&net).await;
    let payout_id = run["payouts"][0]["id"].as_str().unwrap().to_owned();
    let payout = payout_settled(&net, &payout_id).await;
    assert_eq!(payout["status"], "paid", "{payout}");
    let account = bank_account(&net, "6222020000001001").await;
    let transfers = account["transfers"].as_array().unwrap();
    assert_eq!(transfers.len(), 1, "credited once: {account}");
    assert_eq!(transfers[0]["payout_id"], payout_id.as_str());
    assert_eq!(transfers[0]["bank_transfer_id"], payout["bank_transfer_id"]);
    assert_eq!(transfers[0]["amount"], "24.85");
    let paid = merchant_get(&net, "/v1/events?type=payout.paid").await;
    assert_eq!(paid["data"].as_array().unwrap().len(), 1);
}
