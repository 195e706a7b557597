//! The gateway binary killed with SIGKILL: right after it acknowledged a notification
//! (after a restart on the same files the payment is there), and twenty times while
//! 2,000 orders are paid (no event lost, no order paid twice).

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::bank_protocol::{PaymentNotification, PaymentOutcome, SIGNATURE_HEADER};
use paydesk_shared::signing::Signer;
use serde_json::json;

use crate::helpers::{now_secs, order_body};
use crate::receiver::Receiver;

const SECRET: &str = "sk_test_crash_0123456789abcdef";

struct Gateway {
    child: Child,
    url: String,
}

impl Gateway {
    /// SIGKILL: no shutdown code runs.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(dir: &Path, port: u16, client: &reqwest::Client) -> Gateway {
    start_with(dir, port, client, &[]).await
}

/// Starts the binary with `env` on top of the test's settings and waits for `/health`.
async fn start_with(
    dir: &Path,
    port: u16,
    client: &reqwest::Client,
    env: &[(&str, &str)],
) -> Gateway {
    let child = Command::new(env!("CARGO_BIN_EXE_paydesk-gateway"))
        .env("PAYDESK_DATA_DIR", dir)
        .env("PAYDESK_GATEWAY_PORT", port.to_string())
        .env("PAYDESK_BANK_PORT", "9")
        .env("PAYDESK_SHOP_PORT", "9")
        .env("PAYDESK_WIDGET_DIR", dir.join("widget"))
        .env("PAYDESK_DEMO_SECRET_KEY", SECRET)
        .env("PAYDESK_DEMO_WEBHOOK_SECRET", "whsec_crash")
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let gateway = Gateway {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client.get(format!("{}/health", gateway.url)).send().await
            && r.status() == 200
        {
            return gateway;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "gateway did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A new order of the demo merchant (whose shop is at `shop`) with an attempt at ICBC,
/// and the bank's notification that it succeeded.
async fn order_with_success(
    client: &reqwest::Client,
    gateway: &str,
    shop: &str,
) -> (OrderResponse, Vec<u8>) {
    let mut body = order_body();
    body["return_url"] = json!(format!("{shop}/checkout/complete"));
    let order: OrderResponse = client
        .post(format!("{gateway}/v1/orders"))
        .bearer_auth(SECRET)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let attempt: CreateAttemptResponse = client
        .post(format!("{gateway}/v1/widget/attempts"))
        .bearer_auth(&order.client_token)
        .header("idempotency-key", "click-1")
        .json(&json!({"bank_code": "ICBC", "card_kind": "debit"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let notification = serde_json::to_vec(&PaymentNotification {
        attempt_id: attempt.attempt_id.clone(),
        order_id: order.id.clone(),
        bank_code: "ICBC".into(),
        bank_transaction_id: format!("SBX-{}", attempt.attempt_id),
        amount: order.total.clone(),
        currency: order.currency,
        outcome: PaymentOutcome::Succeeded,
        decided_at: now_secs(),
    })
    .unwrap();
    (order, notification)
}

/// A data directory with the gateway's key and the bank's public key; the bank's signer.
fn data_dir() -> (tempfile::TempDir, Signer) {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let bank = Signer::generate("bank-1");
    std::fs::write(keys.join("gateway.key"), Signer::generate("gw-1").to_text()).unwrap();
    std::fs::write(keys.join("bank.pub"), bank.public_key().to_text()).unwrap();
    (dir, bank)
}

#[tokio::test]
async fn a_payment_acknowledged_just_before_sigkill_is_there_after_restart() {
    let (dir, bank) = data_dir();
    let client = reqwest::Client::new();
    let port = free_port();

    for round in 0..5 {
        let mut gateway = start(dir.path(), port, &client).await;
        // The demo merchant's registered return URL, with the shop on port 9.
        let (order, body) = order_with_success(&client, &gateway.url, "http://127.0.0.1:9").await;
        let ack = client
            .post(format!("{}/v1/bank/notifications/sandbox", gateway.url))
            .header(SIGNATURE_HEADER, bank.sign(now_secs(), &body))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(ack.status(), 200);
        gateway.kill();

        let mut gateway = start(dir.path(), port, &client).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let now: OrderResponse = client
                .get(format!("{}/v1/orders/{}", gateway.url, order.id))
                .bearer_auth(SECRET)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if now.status.as_str() == "paid" {
                assert_eq!(now.attempts.len(), 1);
                assert_eq!(now.attempts[0].status.as_str(), "succeeded");
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "round {round}: order {} is {}",
                order.id,
                now.status.as_str()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        gateway.kill();
    }
}

const ORDERS: usize = 2_000;
const KILLS: usize = 20;

/// A bank that sends `body` until the gateway acknowledges it, signing each try afresh
/// (a new nonce), as a real bank retries an unanswered notification.
async fn notify_until_acknowledged(
    client: &reqwest::Client,
    url: &str,
    bank: &Signer,
    body: &[u8],
) {
    loop {
        let sent = client
            .post(format!("{url}/v1/bank/notifications/sandbox"))
            .header(SIGNATURE_HEADER, bank.sign(now_secs(), body))
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await;
        match sent {
            Ok(r) if r.status() == 200 => return,
            Ok(r) => assert!(r.status().is_server_error(), "refused: {}", r.status()),
            // The gateway is down: the bank tries again, a little later.
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_sigkills_while_two_thousand_orders_are_paid_lose_no_event_and_pay_none_twice() {
    let (dir, bank) = data_dir();
    let receiver = Receiver::spawn().await;
    let env = [
        ("PAYDESK_DEMO_SHOP_URL", receiver.origin()),
        ("PAYDESK_WEBHOOK_ALLOW_PRIVATE_URLS", "1"),
    ];
    let client = reqwest::Client::new();
    let port = free_port();
    let mut gateway = start_with(dir.path(), port, &client, &env).await;
    let url = gateway.url.clone();

    // Orders and their attempts at the bank first; then the bank confirms them all
    // while the gateway is killed and restarted.
    let shop = receiver.origin();
    let notifications: Vec<(OrderResponse, Vec<u8>)> = futures::stream::iter(0..ORDERS)
        .map(|_| order_with_success(&client, &url, shop))
        .buffer_unordered(32)
        .collect()
        .await;

    let acknowledged = Arc::new(AtomicUsize::new(0));
    let bank_side = {
        let (client, url, bank, acknowledged) = (
            client.clone(),
            url.clone(),
            bank.clone(),
            acknowledged.clone(),
        );
        tokio::spawn(async move {
            futures::stream::iter(notifications)
                .for_each_concurrent(16, |(_, body)| {
                    let (client, url, bank, acknowledged) = (&client, &url, &bank, &acknowledged);
                    async move {
                        notify_until_acknowledged(client, url, bank, &body).await;
                        acknowledged.fetch_add(1, Ordering::SeqCst);
                    }
                })
                .await;
        })
    };
    for kill in 1..=KILLS {
        // Spread the kills over the run: the next one once enough more were acknowledged.
        let target = kill * ORDERS / (KILLS + 1);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        while acknowledged.load(Ordering::SeqCst) < target {
            assert!(
                tokio::time::Instant::now() < deadline,
                "kill {kill}: the bank is stuck"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        gateway.kill();
        gateway = start_with(dir.path(), port, &client, &env).await;
    }
    bank_side.await.unwrap();

    // The last gateway applies and delivers everything.
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}?mode=ro",
        dir.path().join("gateway.sqlite").display()
    ))
    .await
    .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (unapplied, undelivered): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM bank_inbox WHERE state = 'received'),
                    (SELECT COUNT(*) FROM webhook_deliveries WHERE state <> 'delivered')",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        let paid: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox_events WHERE type = 'order.paid'")
                .fetch_one(&db)
                .await
                .unwrap();
        if unapplied == 0 && undelivered == 0 && paid == ORDERS as i64 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{unapplied} verdicts unapplied, {undelivered} deliveries open, {paid} paid events"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // No order paid twice: one order.paid event each, one succeeded attempt, no refund.
    let (orders_paid, paid_events, distinct, refunds): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM orders WHERE status = 'paid'),
                (SELECT COUNT(*) FROM outbox_events WHERE type = 'order.paid'),
                (SELECT COUNT(DISTINCT order_id) FROM outbox_events WHERE type = 'order.paid'),
                (SELECT COUNT(*) FROM refunds)",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        (orders_paid, paid_events, distinct, refunds),
        (2000, 2000, 2000, 0)
    );

    // No event lost: every stored event reached the merchant (some more than once,
    // when a kill fell between sending and recording).
    let stored: HashSet<String> = sqlx::query_scalar("SELECT id FROM outbox_events")
        .fetch_all(&db)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let hits = receiver.hits();
    let received: HashSet<String> = hits.iter().map(|h| h.event().id).collect();
    assert_eq!(stored.len(), ORDERS);
    assert_eq!(received, stored);
    let paid_orders: HashSet<String> = hits.iter().map(|h| h.event().data.order.id).collect();
    assert_eq!(paid_orders.len(), ORDERS);
    let duplicates: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM bank_inbox WHERE state = 'duplicate'")
            .fetch_one(&db)
            .await
            .unwrap();
    eprintln!(
        "{KILLS} kills: {} webhook requests for {} events; {duplicates} notifications stored twice (acknowledgement lost to a kill)",
        hits.len(),
        stored.len()
    );
    gateway.kill();
}
