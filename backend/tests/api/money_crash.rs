//! The books under load and faults: 1,000 orders paid at the real sandbox bank, 300
//! partly refunded at the same time, two settlement runs with their payouts, while the
//! gateway binary is SIGKILLed ten times. After every restart the books balance; at
//! the end every cause is posted once, the merchant's balance is the sum of its lines,
//! paid − refunds − fees = available + pending + paid out, and every hand-off account
//! is back to zero.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use paydesk_gateway::domain::balance::{BalanceFilter, BalanceKind};
use paydesk_gateway::domain::ledger::Account;
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::signing::Signer;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::crash::{
    Gateway, InProcess, REQUEST_TIMEOUT, SECRET, data_dir, free_port, pay_at_bank_page, start_with,
};

const ORDERS: usize = 1000;
const REFUNDS: usize = 300;
const KILLS: usize = 10;
const OPERATOR: &str = "op_money_crash_0123456789";

/// Sends a request until the gateway answers it (it may be down between a kill and its
/// restart); `Idempotency-Key`s make the retries safe.
async fn until_answered(request: impl Fn() -> reqwest::RequestBuilder) -> reqwest::Response {
    loop {
        match request().send().await {
            Ok(r) if !r.status().is_server_error() => return r,
            _ => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
}

async fn pay(client: &reqwest::Client, gateway: &str, bank: &str, i: usize) -> OrderResponse {
    let order: OrderResponse = until_answered(|| {
        client
            .post(format!("{gateway}/v1/orders"))
            .bearer_auth(SECRET)
            .header("idempotency-key", format!("order-{i}"))
            .json(&json!({
                "currency": "CNY",
                "items": [{"name": "Longjing tea", "quantity": 1, "unit_price": "25.00"}],
                "merchant_reference": format!("MC-{i}"),
                "return_url": "http://127.0.0.1:9/checkout/complete",
            }))
    })
    .await
    .json()
    .await
    .unwrap();
    let attempt: CreateAttemptResponse = until_answered(|| {
        client
            .post(format!("{gateway}/v1/widget/attempts"))
            .bearer_auth(&order.client_token)
            .header("idempotency-key", "click-1")
            .json(&json!({"bank_code": "ICBC", "card_kind": "debit"}))
    })
    .await
    .json()
    .await
    .unwrap();
    pay_at_bank_page(client, &attempt.redirect_url, bank).await;
    order
}

async fn refund(client: &reqwest::Client, gateway: &str, order: &OrderResponse) {
    loop {
        let response = until_answered(|| {
            client
                .post(format!("{gateway}/v1/orders/{}/refunds", order.id))
                .bearer_auth(SECRET)
                .header("idempotency-key", format!("refund-{}", order.id))
                .json(&json!({"amount": "10.00"}))
        })
        .await;
        match response.status().as_u16() {
            201 => return,
            // Not paid at the gateway yet: the bank's notification is on its way.
            409 => tokio::time::sleep(Duration::from_millis(50)).await,
            other => panic!("refund answered {other}"),
        }
    }
}

async fn settlement_run(client: &reqwest::Client, gateway: &str) -> Value {
    until_answered(|| {
        client
            .post(format!("{gateway}/v1/operator/settlement_runs"))
            .bearer_auth(OPERATOR)
            .json(&json!({}))
    })
    .await
    .json()
    .await
    .unwrap()
}

async fn books_balance(client: &reqwest::Client, gateway: &str) -> bool {
    let books: Value = until_answered(|| {
        client
            .get(format!("{gateway}/v1/operator/ledger/trial_balance"))
            .bearer_auth(OPERATOR)
    })
    .await
    .json()
    .await
    .unwrap();
    books["balanced"] == true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkills_during_payments_refunds_settlements_and_payouts_leave_the_books_right() {
    let (dir, bank_key) = data_dir();
    let gateway_key =
        Signer::from_text(&std::fs::read_to_string(dir.path().join("keys/gateway.key")).unwrap())
            .unwrap();
    let bank_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bank_port = bank_listener.local_addr().unwrap().port().to_string();
    let bank = format!("http://127.0.0.1:{bank_port}");
    let sandbox = paydesk_sandbox_bank::Application::build(
        paydesk_sandbox_bank::Config::new(
            bank_key,
            vec![gateway_key.public_key()],
            bank.clone(),
            dir.path().join("bank.sqlite"),
        ),
        bank_listener,
    )
    .await
    .unwrap();
    tokio::spawn(sandbox.run_until_stopped(std::future::pending()));

    let env = [
        ("PAYDESK_BANK_PORT", bank_port.as_str()),
        ("PAYDESK_OPERATOR_KEY", OPERATOR),
        ("PAYDESK_RECONCILE_GRACE_SECS", "0"),
        ("PAYDESK_BANK_QUERY_FIRST_SECS", "1"),
        ("PAYDESK_BANK_QUERY_MAX_SECS", "2"),
    ];
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap();
    let port = free_port();
    let mut gateway: Gateway = start_with(dir.path(), port, &client, &env).await;
    let url = gateway.url.clone();

    // The shoppers pay, the merchant refunds and the operator runs settlement, all at
    // once, while the gateway is killed and restarted.
    let progress = Arc::new(AtomicUsize::new(0));
    let work = {
        let (client, url, bank, progress) =
            (client.clone(), url.clone(), bank.clone(), progress.clone());
        tokio::spawn(async move {
            let orders: Vec<OrderResponse> = futures::stream::iter(0..ORDERS)
                .map(|i| {
                    let (client, url, bank, progress) = (&client, &url, &bank, &progress);
                    async move {
                        let order = pay(client, url, bank, i).await;
                        progress.fetch_add(1, Ordering::Relaxed);
                        order
                    }
                })
                .buffer_unordered(16)
                .collect()
                .await;
            let first_run = settlement_run(&client, &url).await;
            futures::stream::iter(orders.iter().take(REFUNDS))
                .for_each_concurrent(16, |order| {
                    let (client, url, progress) = (&client, &url, &progress);
                    async move {
                        refund(client, url, order).await;
                        progress.fetch_add(1, Ordering::Relaxed);
                    }
                })
                .await;
            let second_run = settlement_run(&client, &url).await;
            (orders, first_run, second_run)
        })
    };
    let mut kills = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
    while kills < KILLS {
        assert!(
            tokio::time::Instant::now() < deadline,
            "stuck after {kills} kills: {} of {} payments and refunds done",
            progress.load(Ordering::Relaxed),
            ORDERS + REFUNDS
        );
        let target = (kills + 1) * (ORDERS + REFUNDS) / (KILLS + 1);
        if work.is_finished() {
            break;
        }
        if progress.load(Ordering::Relaxed) < target {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        gateway.kill();
        gateway = start_with(dir.path(), port, &client, &env).await;
        kills += 1;
        assert!(books_balance(&client, &url).await, "after restart {kills}");
    }
    let (orders, _, _) = tokio::time::timeout(Duration::from_secs(300), work)
        .await
        .expect("payments, refunds and runs still not done 300 s after the last kill")
        .unwrap();
    assert_eq!(orders.len(), ORDERS);
    assert!(kills >= KILLS, "only {kills} kills happened");

    // The last gateway, in this process: everything applied, refunds and payouts
    // decided; a last run settles what the bank confirmed since and pays it out.
    gateway.kill();
    let last = InProcess::start_at_bank(
        dir.path(),
        "http://127.0.0.1:9",
        false,
        &bank,
        Some(OPERATOR),
    )
    .await;
    last.settled().await;
    settlement_run(&client, &last.url).await;
    last.settled().await;

    let store = &last.store;
    let merchant = "mer_demo".into();
    let books: HashMap<(String, paydesk_shared::Currency), i64> = store
        .trial_balance()
        .await
        .unwrap()
        .into_iter()
        .map(|b| ((b.account.to_string(), b.currency), b.minor))
        .collect();
    let total: i64 = books.values().sum();
    assert_eq!(total, 0, "the books balance: {books:?}");
    for ((account, _), minor) in &books {
        let hand_off = Account::parse(account).unwrap().is_hand_off();
        assert!(!hand_off || *minor == 0, "{account} holds {minor}");
    }
    let lines = store
        .balance_transactions(
            &merchant,
            &BalanceFilter {
                limit: 100_000,
                ..BalanceFilter::default()
            },
        )
        .await
        .unwrap();
    let count = |kind| lines.iter().filter(|l| l.kind == kind).count();
    assert_eq!(
        count(BalanceKind::Payment),
        ORDERS,
        "each payment posted once"
    );
    assert_eq!(
        count(BalanceKind::Refund),
        REFUNDS,
        "each refund posted once"
    );
    let sum = |kind| -> i64 {
        lines
            .iter()
            .filter(|l| l.kind == kind)
            .map(|l| l.amount)
            .sum()
    };
    let fees: i64 = lines.iter().map(|l| l.fee).sum();
    let paid_out = -sum(BalanceKind::Payout) - sum(BalanceKind::PayoutFailure);
    let balance = &store.balances(&merchant).await.unwrap()[0];
    let net: i64 = lines.iter().map(|l| l.net).sum();
    assert_eq!(
        balance.available + balance.pending,
        net,
        "balance = its lines"
    );
    assert_eq!(
        sum(BalanceKind::Payment) + sum(BalanceKind::Refund) - fees,
        balance.available + balance.pending + paid_out,
        "paid − refunds − fees = available + pending + paid out"
    );
    assert_eq!(sum(BalanceKind::Payment), ORDERS as i64 * 2500);
    assert!(paid_out > 0, "payouts were made");
    eprintln!(
        "{kills} kills: {ORDERS} payments, {REFUNDS} refunds, {} payouts; available {} pending {}",
        count(BalanceKind::Payout),
        balance.available,
        balance.pending
    );
    last.stop().await;
}
