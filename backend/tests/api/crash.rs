//! The gateway binary killed with SIGKILL: right after it acknowledged a notification
//! (after a restart on the same files the payment is there), and twenty times while
//! 2,000 orders are paid (no event lost, no order paid twice).

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use paydesk_gateway::domain::event::{EventFilter, EventType};
use paydesk_gateway::store::Store;
use paydesk_gateway::{Application, Config, MerchantSeed, Workers};
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::bank_protocol::{PaymentNotification, PaymentOutcome, SIGNATURE_HEADER};
use paydesk_shared::signing::{PublicKey, Signer};
use serde_json::json;
use tokio::sync::oneshot;

use crate::helpers::{now_secs, order_body};
use crate::receiver::Receiver;

pub(crate) const SECRET: &str = "sk_test_crash_0123456789abcdef";

pub(crate) struct Gateway {
    child: Child,
    pub(crate) url: String,
}

impl Gateway {
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown code runs.
    pub(crate) fn kill(&mut self) {
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

/// A port for a gateway that is killed and restarted on it. Taken below the kernel's
/// ephemeral range (32768 and up): a port from `bind(0)` lies inside it, and while the
/// gateway is down any outgoing connection on the machine (another test's, or the bank
/// retrying this one) may take it as its own source port, so the restart could not bind
/// it, or a retry could connect to itself.
pub(crate) fn free_port() -> u16 {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..1_000)
        .map(|_| rng.gen_range(20_000..32_000))
        .find(|port| std::net::TcpListener::bind(("127.0.0.1", *port)).is_ok())
        .expect("no free port below the ephemeral range")
}

/// How long a request to a gateway that may be killed under it is waited for: a
/// connection cut by a kill fails at once, this bounds one the test would otherwise
/// wait on forever.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

async fn start(dir: &Path, port: u16, client: &reqwest::Client) -> Gateway {
    start_with(dir, port, client, &[]).await
}

/// Starts the binary with `env` on top of the test's settings and waits for `/health`.
pub(crate) async fn start_with(
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
        // Thousands of shoppers and a bank at full speed from one address.
        .env("PAYDESK_RATE_LIMIT_CLIENT", "0")
        .env("PAYDESK_RATE_LIMIT_BANK", "0")
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
        if let Ok(r) = client
            .get(format!("{}/health", gateway.url))
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
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

/// The gateway on the same files, restarted in this process as `main` would configure
/// it, so the test can wait for its workers and read its store.
pub(crate) struct InProcess {
    pub(crate) store: Arc<dyn Store>,
    workers: Workers,
    pub(crate) url: String,
    stop: oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl InProcess {
    async fn start(dir: &Path, shop: &str, allow_private: bool) -> InProcess {
        Self::start_at_bank(dir, shop, allow_private, "http://127.0.0.1:9", None).await
    }

    /// With the bank at `bank` and, for the operator API, `operator_key`.
    pub(crate) async fn start_at_bank(
        dir: &Path,
        shop: &str,
        allow_private: bool,
        bank: &str,
        operator_key: Option<&str>,
    ) -> InProcess {
        let read = |name: &str| std::fs::read_to_string(dir.join("keys").join(name)).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut config = Config::new(
            dir.join("gateway.sqlite"),
            url.clone(),
            Signer::from_text(&read("gateway.key")).unwrap(),
            vec![PublicKey::from_text(&read("bank.pub")).unwrap()],
            bank.into(),
        );
        config.operator_key = operator_key.map(Into::into);
        config.books.reconcile_grace = Duration::ZERO;
        config.widget_dir = dir.join("widget");
        config.webhook_allow_private_urls = allow_private;
        // As `main` configures the demo merchant.
        config.merchants.push(MerchantSeed::demo(
            SECRET.into(),
            "whsec_crash".into(),
            shop,
        ));
        let app = Application::build(config, listener).await.unwrap();
        let (store, workers) = (app.store(), app.workers());
        let (stop, stopped) = oneshot::channel();
        let serving = tokio::spawn(app.run_until_stopped(async {
            let _ = stopped.await;
        }));
        InProcess {
            store,
            workers,
            url,
            stop,
            serving,
        }
    }

    /// Waits until the workers have applied and delivered everything.
    pub(crate) async fn settled(&self) {
        tokio::time::timeout(Duration::from_secs(120), self.workers.drain())
            .await
            .expect("the workers were still busy after 120 s");
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(60), self.serving)
            .await
            .expect("the gateway did not stop within 60 s")
            .unwrap()
            .unwrap();
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
        card_last4: None,
    })
    .unwrap();
    (order, notification)
}

/// The shopper at the sandbox bank (at `bank`): the payment page `redirect_url`, then
/// a debit card and its password; the bank takes the payment and sends them back.
pub(crate) async fn pay_at_bank_page(client: &reqwest::Client, redirect_url: &str, bank: &str) {
    let page = client
        .get(redirect_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = r#"name="session" value=""#;
    let start = page.find(marker).expect("a payment form") + marker.len();
    let session = &page[start..start + page[start..].find('"').unwrap()];
    let paid = client
        .post(format!("{bank}/pay"))
        .form(&[
            ("session", session),
            ("card_number", "6222000000000001"),
            ("password", "123456"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 303, "the bank took the payment");
}

/// A data directory with the gateway's key and the bank's public key; the bank's signer.
pub(crate) fn data_dir() -> (tempfile::TempDir, Signer) {
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

        let restarted = InProcess::start(dir.path(), "http://127.0.0.1:9", false).await;
        restarted.settled().await;
        let now = restarted
            .store
            .order_by_id(&order.id.as_str().into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            now.status.as_str(),
            "paid",
            "round {round}: order {}",
            order.id
        );
        assert_eq!(now.attempts.len(), 1);
        assert_eq!(now.attempts[0].status.as_str(), "succeeded");
        restarted.stop().await;
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
            .timeout(REQUEST_TIMEOUT)
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

    // How many the bank has had acknowledged so far.
    let (acknowledged, mut progress) = tokio::sync::watch::channel(0_usize);
    let bank_side = {
        let (client, url, bank) = (client.clone(), url.clone(), bank.clone());
        tokio::spawn(async move {
            futures::stream::iter(notifications)
                .for_each_concurrent(16, |(_, body)| {
                    let (client, url, bank, acknowledged) = (&client, &url, &bank, &acknowledged);
                    async move {
                        notify_until_acknowledged(client, url, bank, &body).await;
                        acknowledged.send_modify(|n| *n += 1);
                    }
                })
                .await;
        })
    };
    for kill in 1..=KILLS {
        // Spread the kills over the run: the next one once enough more were acknowledged.
        let target = kill * ORDERS / (KILLS + 1);
        let reached = progress.wait_for(|n| *n >= target);
        tokio::time::timeout(Duration::from_secs(120), reached)
            .await
            .unwrap_or_else(|_| panic!("kill {kill}: the bank is stuck"))
            .unwrap();
        gateway.kill();
        gateway = start_with(dir.path(), port, &client, &env).await;
    }
    tokio::time::timeout(Duration::from_secs(120), bank_side)
        .await
        .expect("the bank is stuck after the last kill")
        .unwrap();

    // The last gateway, restarted in this process, applies and delivers everything.
    gateway.kill();
    let last = InProcess::start(dir.path(), receiver.origin(), true).await;
    last.settled().await;
    let inbox = last.store.inbox_counts().await.unwrap();
    let deliveries = last.store.delivery_counts().await.unwrap();
    assert_eq!(inbox.received, 0, "verdicts unapplied");
    assert_eq!(
        (deliveries.pending, deliveries.failed, deliveries.cancelled),
        (0, 0, 0),
        "deliveries open"
    );

    // No order paid twice: one order.paid event each, no refund.
    let totals = last.store.totals().await.unwrap();
    let paid_filter = EventFilter {
        kind: Some(EventType::OrderPaid),
        ..EventFilter::default()
    };
    let paid_events = last
        .store
        .events(&"mer_demo".into(), &paid_filter, 100_000)
        .await
        .unwrap();
    let distinct: HashSet<&str> = paid_events.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(
        (
            totals.orders_paid,
            paid_events.len(),
            distinct.len(),
            totals.refunds
        ),
        (2000, 2000, 2000, 0)
    );

    // No event lost: every stored event reached the merchant (some more than once,
    // when a kill fell between sending and recording).
    let stored: HashSet<String> = last
        .store
        .events(&"mer_demo".into(), &EventFilter::default(), 100_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id.to_string())
        .collect();
    let hits = receiver.hits();
    let received: HashSet<String> = hits.iter().map(|h| h.event().id).collect();
    assert_eq!(stored.len(), ORDERS);
    assert_eq!(received, stored);
    let paid_orders: HashSet<String> = hits
        .iter()
        .map(|h| h.event().data.order.unwrap().id)
        .collect();
    assert_eq!(paid_orders.len(), ORDERS);
    eprintln!(
        "{KILLS} kills: {} webhook requests for {} events; {} notifications stored twice (acknowledgement lost to a kill)",
        hits.len(),
        stored.len(),
        inbox.duplicate
    );
    last.stop().await;
}
