//! The merchant samples (`samples/<language>/`) run against a live gateway and sandbox
//! bank: each creates an order, has it paid through the test helper, verifies the
//! `order.paid` webhook, refunds part and verifies `refund.succeeded`. A sample passes
//! when it exits 0, printed every step, and the gateway agrees with what it printed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use paydesk_e2e::{Network, NetworkOptions};
use paydesk_shared::api::{OrderResponse, RefundList};
use reqwest::Method;

/// Longest a sample may take, from start to `done`.
const SAMPLE_LIMIT: Duration = Duration::from_secs(180);

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

/// Runs one sample's command in its folder and returns what it printed.
async fn run(net: &Network, folder: &str, program: &str, args: &[&str]) -> String {
    let child = tokio::process::Command::new(program)
        .args(args)
        .current_dir(samples_dir().join(folder))
        .env("PAYDESK_API_URL", &net.gateway_url)
        .env("PAYDESK_SECRET_KEY", net.secret_key())
        .env("PAYDESK_RETURN_URL", net.return_url())
        .env("PAYDESK_WEBHOOK_PORT", free_port().to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{folder}: cannot start {program}: {e}"));
    let output = tokio::time::timeout(SAMPLE_LIMIT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{folder}: still running after {SAMPLE_LIMIT:?}"))
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{folder} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    stdout
}

/// A port nobody listens on now, for a sample that cannot ask for any free one.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The word after `prefix` on the line that starts with it.
fn after<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .find_map(|line| line.strip_prefix(prefix))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no line starting `{prefix}` in:\n{out}"))
}

/// What every sample prints, checked against the gateway.
async fn check(net: &Network, folder: &str, out: &str) {
    let order_id = after(out, "order ");
    let checkout = after(out, "checkout URL: ");
    assert!(
        checkout.starts_with(&format!("{}/pay/ct_", net.gateway_url)),
        "{folder}: {checkout}"
    );
    for line in [
        "verified order.paid evt_".to_owned(),
        format!("order {order_id} is paid"),
        "refused as expected: refund_exceeds_payment".to_owned(),
        "verified refund.succeeded evt_".to_owned(),
        "done".to_owned(),
    ] {
        assert!(out.contains(&line), "{folder}: no `{line}` in:\n{out}");
    }
    let order: OrderResponse = net.order(order_id).await.unwrap();
    assert_eq!(order.status.as_str(), "paid", "{folder}");
    assert_eq!(order.total, "50.00", "{folder}");
    let refunds: RefundList = net
        .merchant(Method::GET, &format!("/v1/orders/{order_id}/refunds"), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let amounts: Vec<(&str, &str)> = refunds
        .data
        .iter()
        .map(|r| (r.amount.as_str(), r.status.as_str()))
        .collect();
    assert_eq!(amounts, [("10.00", "succeeded")], "{folder}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let out = run(&net, "curl", "bash", &["checkout.sh"]).await;
    check(&net, "curl", &out).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let out = run(&net, "python", "python3", &["checkout.py"]).await;
    check(&net, "python", &out).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let out = run(&net, "node", "node", &["checkout.mjs"]).await;
    check(&net, "node", &out).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let out = run(&net, "go", "go", &["run", "."]).await;
    check(&net, "go", &out).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn java() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let out = run(&net, "java", "java", &["Checkout.java"]).await;
    check(&net, "java", &out).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn php() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let out = run(&net, "php", "php", &["checkout.php"]).await;
    check(&net, "php", &out).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ruby() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let out = run(&net, "ruby", "ruby", &["checkout.rb"]).await;
    check(&net, "ruby", &out).await;
}
