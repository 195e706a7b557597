//! `cargo xtask bench-notifications`: how fast the release gateway acknowledges signed
//! bank notifications, and how fast its applier then works off the backlog they leave.
//!
//! Setup (not measured): N orders with one ICBC attempt each. Measured: one signed
//! success notification per attempt on `CONNECTIONS` connections, each request's time
//! to its 200, then the operator API's bank inbox polled until nothing is left to
//! apply.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail, ensure};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, header};
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::bank_protocol::{PaymentNotification, PaymentOutcome, SIGNATURE_HEADER};
use paydesk_shared::currency::Currency;
use paydesk_shared::signing::Signer;
use serde_json::Value;
use tokio::time::{Instant, MissedTickBehavior};

use crate::bench::{
    BenchGateway, CONNECTIONS, Load, Phase, drive, exchange, order_request, parse_count,
    per_second_tenths, random_id, ready_connection, table, tenths,
};
use crate::http::Connection;
use crate::services::{OPERATOR_KEY_VAR, random_operator_key};
use crate::tools::Tools;

const DEFAULT_ORDERS: u64 = 10_000;
const BANK_CODE: &str = "ICBC";
const ATTEMPT_BODY: &str = r#"{"bank_code":"ICBC","card_kind":"debit"}"#;
const NOTIFY_PATH: &str = "/v1/bank/notifications/sandbox";
const INBOX_PATH: &str = "/v1/operator/bank-inbox";
const POLL_INTERVAL: Duration = Duration::from_millis(10);
/// How long the applier gets to empty the backlog before the benchmark gives up.
const APPLY_TIMEOUT: Duration = Duration::from_secs(300);
/// No bank runs here, so the gateway's status queries (30 s after an attempt by
/// default) would only fail; an hour keeps them out of the measurement.
const QUERY_FIRST_SECS: &str = "3600";
/// No shop runs here either: every paid order's webhook fails at once (its URL is on
/// 127.0.0.1, which this gateway is not allowed to send to) and is retried with backoff.
/// One warning per order would drown the report.
const RUST_LOG: &str = "warn,paydesk_gateway::webhooks=error";

pub(crate) fn run(root: &Path, args: &[String]) -> Result<()> {
    let orders = parse_count(args, "--orders", DEFAULT_ORDERS, "bench-notifications")?;
    let orders = usize::try_from(orders).context("--orders is too large for this machine")?;
    let tools = Tools::locate()?;
    let mut gateway = BenchGateway::build(root, &tools)?;
    let operator_key = random_operator_key();
    gateway
        .env(OPERATOR_KEY_VAR, &operator_key)
        .env("PAYDESK_BANK_QUERY_FIRST_SECS", QUERY_FIRST_SECS)
        .env("RUST_LOG", RUST_LOG);
    let key_path = gateway.data.path().join("keys/bank.key");
    let key_text = std::fs::read_to_string(&key_path)
        .with_context(|| format!("could not read {}", key_path.display()))?;
    let bank = Signer::from_text(key_text.trim())
        .map_err(|e| anyhow::anyhow!("{}: {e}", key_path.display()))?;
    let bench = Bench {
        orders,
        run_id: random_id().into(),
        merchant_authorization: format!("Bearer {}", gateway.merchant.secret_key).into(),
        operator_authorization: format!("Bearer {operator_key}"),
        bank: Arc::new(bank),
    };
    gateway.run(async |addr| bench.run(addr).await)
}

/// What the benchmark needs to know besides the gateway's address.
struct Bench {
    orders: usize,
    /// Keeps idempotency keys and bank transaction ids unique across runs.
    run_id: Arc<str>,
    merchant_authorization: Arc<str>,
    operator_authorization: String,
    /// Signs as the sandbox bank.
    bank: Arc<Signer>,
}

impl Bench {
    async fn run(&self, addr: SocketAddr) -> Result<()> {
        let n = self.orders;
        println!(
            "\nsetting up: {n} orders with one {BANK_CODE} attempt each on {CONNECTIONS} connections"
        );
        let payments = self.set_up(addr).await?;

        println!(
            "measuring: {n} signed success notifications on {CONNECTIONS} connections, then the backlog until it is empty"
        );
        let first_send = Instant::now();
        let notifiers = (0..CONNECTIONS).map(|_| Notifier {
            payments: Arc::clone(&payments),
            bank: Arc::clone(&self.bank),
            run_id: Arc::clone(&self.run_id),
        });
        let (acks, _) = drive(addr, notifiers).await?;
        let (counts, drained_at) = self.wait_for_empty_backlog(addr).await?;
        let applied_in = drained_at.duration_since(first_send);

        println!("\n{}", report(&acks, n, applied_in, &counts));
        if let Some(sample) = &acks.first_failure {
            eprintln!("first failure: {sample}");
        }
        check(&acks, n, &counts)
    }

    /// `orders` orders, each with one attempt at the bank, ready to be notified.
    async fn set_up(&self, addr: SocketAddr) -> Result<Arc<Payments>> {
        let claims = Claims::new(self.orders);
        let checkouts = (0..CONNECTIONS).map(|_| Checkout {
            claims: claims.clone(),
            authorization: Arc::clone(&self.merchant_authorization),
            run_id: Arc::clone(&self.run_id),
            step: Step::Idle,
            ready: Vec::new(),
        });
        let (phase, checkouts) = drive(addr, checkouts).await?;
        if let Some(sample) = &phase.first_failure {
            bail!(
                "{} setup requests failed; first: {sample}",
                phase.failures()
            );
        }
        let list: Vec<Payment> = checkouts.into_iter().flat_map(|c| c.ready).collect();
        ensure!(
            list.len() == self.orders,
            "setup made {} payments out of {}",
            list.len(),
            self.orders
        );
        println!(
            "set up in {} ({} requests)",
            seconds(phase.elapsed),
            phase.requests()
        );
        Ok(Arc::new(Payments {
            claims: Claims::new(list.len()),
            list,
        }))
    }

    /// Polls the bank inbox every `POLL_INTERVAL` until nothing waits to be applied;
    /// answers the last counts and when they arrived.
    async fn wait_for_empty_backlog(&self, addr: SocketAddr) -> Result<(InboxCounts, Instant)> {
        let deadline = Instant::now() + APPLY_TIMEOUT;
        let mut ticks = tokio::time::interval(POLL_INTERVAL);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut kept: Option<Connection> = None;
        loop {
            ticks.tick().await;
            let mut open = ready_connection(addr, kept.take()).await?;
            let request = Request::get(INBOX_PATH)
                .header(header::HOST, addr.to_string())
                .header(header::AUTHORIZATION, &self.operator_authorization)
                .body(Full::new(Bytes::new()))?;
            let (status, body) = exchange(&mut open, request).await?;
            let at = Instant::now();
            kept = Some(open);
            ensure!(
                status.is_success(),
                "GET {INBOX_PATH} answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
            let counts = InboxCounts::parse(&body)?;
            if counts.received == 0 {
                return Ok((counts, at));
            }
            if at >= deadline {
                bail!(
                    "the backlog was not empty {}s after the last acknowledgement ({counts})",
                    APPLY_TIMEOUT.as_secs()
                );
            }
        }
    }
}

/// One order with its attempt, as the bank would know it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Payment {
    order_id: String,
    attempt_id: String,
    /// The order's total, a decimal string.
    amount: String,
    currency: Currency,
}

/// The payments to notify and which of them are taken.
struct Payments {
    list: Vec<Payment>,
    claims: Claims,
}

/// Hands out `0..end`, each index once, across connections.
#[derive(Clone)]
struct Claims {
    next: Arc<AtomicUsize>,
    end: usize,
}

impl Claims {
    fn new(end: usize) -> Self {
        Claims {
            next: Arc::new(AtomicUsize::new(0)),
            end,
        }
    }

    fn claim(&self) -> Option<usize> {
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        (index < self.end).then_some(index)
    }
}

/// One setup connection: creates an order, then its attempt, then the next order.
struct Checkout {
    claims: Claims,
    authorization: Arc<str>,
    run_id: Arc<str>,
    step: Step,
    ready: Vec<Payment>,
}

/// Where a [`Checkout`] is. A request that failed leaves its step behind; the next
/// request starts a new order (the failure already fails the setup).
enum Step {
    Idle,
    OrderSent,
    OrderCreated(Box<OrderResponse>),
    AttemptSent(Box<OrderResponse>),
}

impl Load for Checkout {
    fn next_request(&mut self, addr: SocketAddr) -> Option<Result<Request<Full<Bytes>>>> {
        match std::mem::replace(&mut self.step, Step::Idle) {
            Step::OrderCreated(order) => {
                let request = attempt_request(addr, &order);
                self.step = Step::AttemptSent(order);
                Some(request)
            }
            Step::Idle | Step::OrderSent | Step::AttemptSent(_) => {
                let index = self.claims.claim()?;
                self.step = Step::OrderSent;
                let key = format!("notify-{}-{index}", self.run_id);
                Some(order_request(addr, &self.authorization, &key))
            }
        }
    }

    fn answered(&mut self, body: &Bytes) -> Result<()> {
        match std::mem::replace(&mut self.step, Step::Idle) {
            Step::OrderSent => {
                let order: OrderResponse =
                    serde_json::from_slice(body).context("the answer is no order")?;
                self.step = Step::OrderCreated(Box::new(order));
            }
            Step::AttemptSent(order) => {
                let attempt: CreateAttemptResponse =
                    serde_json::from_slice(body).context("the answer is no attempt")?;
                self.ready.push(Payment {
                    order_id: order.id,
                    attempt_id: attempt.attempt_id,
                    amount: order.total,
                    currency: order.currency,
                });
            }
            Step::Idle | Step::OrderCreated(_) => bail!("an answer to no request"),
        }
        Ok(())
    }
}

/// `POST /v1/widget/attempts` as the widget sends it when the shopper presses Pay.
fn attempt_request(addr: SocketAddr, order: &OrderResponse) -> Result<Request<Full<Bytes>>> {
    Ok(Request::post("/v1/widget/attempts")
        .header(header::HOST, addr.to_string())
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", order.client_token),
        )
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", format!("pay-{}", order.id))
        .body(Full::new(Bytes::from_static(ATTEMPT_BODY.as_bytes())))?)
}

/// One measured connection: the bank notifying payments until none are left.
struct Notifier {
    payments: Arc<Payments>,
    bank: Arc<Signer>,
    run_id: Arc<str>,
}

impl Load for Notifier {
    fn next_request(&mut self, addr: SocketAddr) -> Option<Result<Request<Full<Bytes>>>> {
        let index = self.payments.claims.claim()?;
        let payment = self.payments.list.get(index)?;
        let transaction = format!("BENCH-{}-{index}", self.run_id);
        Some(notification_request(
            addr,
            payment,
            &transaction,
            &self.bank,
        ))
    }

    fn answered(&mut self, body: &Bytes) -> Result<()> {
        let answer: Value = serde_json::from_slice(body).context("the answer is not JSON")?;
        ensure!(
            answer["received"] == Value::Bool(true),
            "the answer does not say received: {answer}"
        );
        Ok(())
    }
}

/// The bank's success verdict for `payment`, signed afresh (a fresh nonce) as every
/// delivery must be.
fn notification_request(
    addr: SocketAddr,
    payment: &Payment,
    bank_transaction_id: &str,
    bank: &Signer,
) -> Result<Request<Full<Bytes>>> {
    let now = unix_now()?;
    let body = serde_json::to_vec(&PaymentNotification {
        attempt_id: payment.attempt_id.clone(),
        order_id: payment.order_id.clone(),
        bank_code: BANK_CODE.to_owned(),
        bank_transaction_id: bank_transaction_id.to_owned(),
        amount: payment.amount.clone(),
        currency: payment.currency,
        outcome: PaymentOutcome::Succeeded,
        decided_at: now,
    })?;
    Ok(Request::post(NOTIFY_PATH)
        .header(header::HOST, addr.to_string())
        .header(SIGNATURE_HEADER, bank.sign(now, &body))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))?)
}

fn unix_now() -> Result<i64> {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the clock is before 1970")?;
    Ok(i64::try_from(since.as_secs())?)
}

/// `GET /v1/operator/bank-inbox`: stored bank verdicts by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct InboxCounts {
    received: u64,
    applied: u64,
    duplicate: u64,
    ignored: u64,
    quarantined: u64,
}

impl InboxCounts {
    fn parse(body: &[u8]) -> Result<Self> {
        let value: Value = serde_json::from_slice(body).context("the bank inbox is not JSON")?;
        let count = |name: &str| {
            value[name]
                .as_u64()
                .with_context(|| format!("the bank inbox has no `{name}` count: {value}"))
        };
        Ok(InboxCounts {
            received: count("received")?,
            applied: count("applied")?,
            duplicate: count("duplicate")?,
            ignored: count("ignored")?,
            quarantined: count("quarantined")?,
        })
    }
}

impl std::fmt::Display for InboxCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "received {}, applied {}, duplicate {}, ignored {}, quarantined {}",
            self.received, self.applied, self.duplicate, self.ignored, self.quarantined
        )
    }
}

fn report(acks: &Phase, orders: usize, applied_in: Duration, counts: &InboxCounts) -> String {
    let sent = acks.requests();
    let acknowledged = u64::try_from(acks.latencies_us.len()).unwrap_or(u64::MAX);
    let mut out = table(&[(&format!("POST {NOTIFY_PATH}"), acks)]);
    out += &format!(
        "acknowledged: {acknowledged} of {sent} notifications in {} = {}/s (latency above)\n",
        seconds(acks.elapsed),
        tenths(per_second_tenths(acknowledged, acks.elapsed)),
    );
    out += &format!(
        "applied:      {orders} orders in {} from the first send to an empty backlog = {}/s\n",
        seconds(applied_in),
        tenths(per_second_tenths(
            u64::try_from(orders).unwrap_or(u64::MAX),
            applied_in
        )),
    );
    out += &format!("bank inbox:   {counts}\n{CONNECTIONS} connections");
    out
}

/// The benchmark counts only if every notification was acknowledged and applied.
fn check(acks: &Phase, orders: usize, counts: &InboxCounts) -> Result<()> {
    ensure!(
        acks.failures() == 0,
        "{} of {orders} notifications were not acknowledged with a 2xx",
        acks.failures()
    );
    ensure!(
        counts.applied == u64::try_from(orders)?,
        "{} of {orders} notifications were applied ({counts})",
        counts.applied
    );
    Ok(())
}

/// A duration as seconds with two decimals.
fn seconds(elapsed: Duration) -> String {
    let hundredths = elapsed.as_millis() / 10;
    format!("{}.{:02} s", hundredths / 100, hundredths % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use paydesk_shared::OrderStatus;
    use paydesk_shared::signing::Verifier;

    /// Requests are only built here, never sent.
    fn test_addr() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 8080))
    }

    fn cny() -> Currency {
        Currency::try_from("CNY".to_owned()).unwrap()
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn parse_orders(list: &[&str]) -> Result<u64> {
        parse_count(
            &args(list),
            "--orders",
            DEFAULT_ORDERS,
            "bench-notifications",
        )
    }

    #[test]
    fn parses_orders() {
        assert_eq!(parse_orders(&[]).unwrap(), 10_000);
        assert_eq!(parse_orders(&["--orders", "500"]).unwrap(), 500);
        assert_eq!(parse_orders(&["--orders=20"]).unwrap(), 20);
        assert!(parse_orders(&["--orders", "0"]).is_err());
        assert!(parse_orders(&["--orders", "ten"]).is_err());
        assert!(parse_orders(&["--orders"]).is_err());
        let wrong = parse_orders(&["--seconds", "3"]).unwrap_err().to_string();
        assert!(
            wrong.contains("bench-notifications takes `--orders N`"),
            "{wrong}"
        );
    }

    #[test]
    fn claims_hand_out_each_index_once() {
        let claims = Claims::new(3);
        let other = claims.clone();
        let taken = [claims.claim(), other.claim(), claims.claim(), other.claim()];
        assert_eq!(taken, [Some(0), Some(1), Some(2), None]);
    }

    async fn body_of(request: Request<Full<Bytes>>) -> (hyper::http::request::Parts, Bytes) {
        let (parts, body) = request.into_parts();
        (parts, body.collect().await.unwrap().to_bytes())
    }

    #[tokio::test]
    async fn a_notification_is_signed_by_the_bank_afresh_each_time() {
        let bank = Signer::generate("bank-1");
        let payment = Payment {
            order_id: "ord_1".into(),
            attempt_id: "att_1".into(),
            amount: "425.50".into(),
            currency: cny(),
        };
        let first = notification_request(test_addr(), &payment, "BENCH-x-0", &bank).unwrap();
        let second = notification_request(test_addr(), &payment, "BENCH-x-0", &bank).unwrap();
        let (parts, body) = body_of(first).await;
        assert_eq!(parts.uri.path(), "/v1/bank/notifications/sandbox");
        let header = parts.headers[SIGNATURE_HEADER].to_str().unwrap().to_owned();
        let verifier = Verifier::new(vec![bank.public_key()]);
        let verified = verifier
            .verify(&header, &body, unix_now().unwrap())
            .unwrap();
        let notification: PaymentNotification = serde_json::from_slice(&body).unwrap();
        assert_eq!(notification.attempt_id, "att_1");
        assert_eq!(notification.order_id, "ord_1");
        assert_eq!(notification.bank_code, "ICBC");
        assert_eq!(notification.amount, "425.50");
        assert_eq!(notification.outcome, PaymentOutcome::Succeeded);
        assert_eq!(notification.decided_at, verified.timestamp);

        let (parts, _) = body_of(second).await;
        let again = parts.headers[SIGNATURE_HEADER].to_str().unwrap();
        assert_ne!(
            again, header,
            "a resent signature would be refused as a replay"
        );
    }

    fn order_json(id: &str, total: &str) -> Bytes {
        let order = OrderResponse {
            id: id.into(),
            status: OrderStatus::Created,
            currency: cny(),
            items: Vec::new(),
            total: total.into(),
            merchant_reference: "notify-run-0".into(),
            return_url: "http://127.0.0.1:9/checkout/complete".into(),
            client_token: "ct_secret".into(),
            hosted_url: "http://127.0.0.1:8080/pay/ct_secret".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            expires_at: "2026-01-01T00:15:00Z".into(),
            attempts: Vec::new(),
        };
        Bytes::from(serde_json::to_vec(&order).unwrap())
    }

    #[tokio::test]
    async fn a_checkout_creates_an_order_then_its_attempt() {
        let mut checkout = Checkout {
            claims: Claims::new(1),
            authorization: "Bearer sk_test_x".into(),
            run_id: "run".into(),
            step: Step::Idle,
            ready: Vec::new(),
        };
        let (order, _) = body_of(checkout.next_request(test_addr()).unwrap().unwrap()).await;
        assert_eq!(order.uri.path(), "/v1/orders");
        assert_eq!(order.headers["Idempotency-Key"], "notify-run-0");
        checkout.answered(&order_json("ord_1", "425.50")).unwrap();

        let (attempt, body) = body_of(checkout.next_request(test_addr()).unwrap().unwrap()).await;
        assert_eq!(attempt.uri.path(), "/v1/widget/attempts");
        assert_eq!(attempt.headers[header::AUTHORIZATION], "Bearer ct_secret");
        assert_eq!(attempt.headers["Idempotency-Key"], "pay-ord_1");
        assert_eq!(body, ATTEMPT_BODY.as_bytes());
        checkout
            .answered(&Bytes::from_static(
                br#"{"attempt_id":"att_1","redirect_url":"http://bank/pay"}"#,
            ))
            .unwrap();
        assert_eq!(
            checkout.ready,
            [Payment {
                order_id: "ord_1".into(),
                attempt_id: "att_1".into(),
                amount: "425.50".into(),
                currency: cny(),
            }]
        );
        assert!(
            checkout.next_request(test_addr()).is_none(),
            "one order only"
        );
        assert!(checkout.answered(&Bytes::new()).is_err());
    }

    #[test]
    fn a_checkout_refuses_an_answer_that_is_no_order() {
        let mut checkout = Checkout {
            claims: Claims::new(1),
            authorization: "Bearer sk_test_x".into(),
            run_id: "run".into(),
            step: Step::Idle,
            ready: Vec::new(),
        };
        assert!(checkout.next_request(test_addr()).is_some());
        assert!(checkout.answered(&Bytes::from_static(b"{}")).is_err());
        assert!(checkout.ready.is_empty());
    }

    #[test]
    fn inbox_counts_parse_and_missing_counts_are_named() {
        let counts = InboxCounts::parse(
            br#"{"received":3,"applied":10,"duplicate":1,"ignored":0,"quarantined":2}"#,
        )
        .unwrap();
        assert_eq!(counts.received, 3);
        assert_eq!(counts.applied, 10);
        assert_eq!(
            counts.to_string(),
            "received 3, applied 10, duplicate 1, ignored 0, quarantined 2"
        );
        let missing = InboxCounts::parse(br#"{"received":0}"#).unwrap_err();
        assert!(missing.to_string().contains("`applied`"), "{missing}");
        assert!(InboxCounts::parse(b"<html>").is_err());
    }

    #[test]
    fn the_run_fails_unless_every_notification_was_acknowledged_and_applied() {
        let all_acked = Phase {
            latencies_us: vec![1_000; 3],
            ..Phase::default()
        };
        let counts = |applied, quarantined| InboxCounts {
            received: 0,
            applied,
            duplicate: 0,
            ignored: 0,
            quarantined,
        };
        assert!(check(&all_acked, 3, &counts(3, 0)).is_ok());
        let short = check(&all_acked, 3, &counts(2, 1)).unwrap_err().to_string();
        assert!(
            short.contains("2 of 3 notifications were applied"),
            "{short}"
        );
        assert!(short.contains("quarantined 1"), "{short}");
        let refused = Phase {
            latencies_us: vec![1_000; 2],
            non_2xx: 1,
            ..Phase::default()
        };
        let refused = check(&refused, 3, &counts(3, 0)).unwrap_err().to_string();
        assert!(refused.contains("1 of 3 notifications were not acknowledged"));
    }

    #[test]
    fn the_report_gives_both_rates_with_integer_arithmetic() {
        let acks = Phase {
            elapsed: Duration::from_millis(4_000),
            latencies_us: (1..=100).map(|n| n * 100).collect(),
            ..Phase::default()
        };
        let counts = InboxCounts {
            received: 0,
            applied: 100,
            duplicate: 0,
            ignored: 0,
            quarantined: 0,
        };
        let report = report(&acks, 100, Duration::from_millis(8_000), &counts);
        assert!(
            report.contains("acknowledged: 100 of 100 notifications in 4.00 s = 25.0/s"),
            "{report}"
        );
        let row = report.lines().nth(1).unwrap();
        assert!(
            row.starts_with("POST /v1/bank/notifications/sandbox "),
            "{report}"
        );
        for figure in ["25.0", "5.00 ms", "9.00 ms", "9.90 ms", "10.00 ms"] {
            assert!(row.contains(figure), "{figure} missing from {row}");
        }
        assert!(
            report.contains("applied:      100 orders in 8.00 s from the first send to an empty backlog = 12.5/s"),
            "{report}"
        );
        assert_eq!(seconds(Duration::from_micros(12_345_678)), "12.34 s");
    }
}
