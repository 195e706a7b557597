//! The `paydesk` binary against a live gateway and sandbox bank: `listen` forwards a
//! real `order.paid` that a local receiver verifies, `trigger` produces every event
//! type it names, and `orders create` / `events list` show what the API holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use paydesk_e2e::{Network, NetworkOptions};
use paydesk_shared::api::OrderResponse;
use paydesk_shared::webhook::{self, standard};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const LIMIT: Duration = Duration::from_secs(60);

fn paydesk(net: &Network, key: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paydesk"));
    command
        .env("PAYDESK_API_URL", &net.gateway_url)
        .env("PAYDESK_SECRET_KEY", key)
        .env_remove("PAYDESK_LISTEN_SECRET")
        .kill_on_drop(true);
    command
}

/// Runs a command to its end: (success, stdout, stderr).
async fn finish(mut command: Command) -> (bool, String, String) {
    let output = tokio::time::timeout(LIMIT, command.output())
        .await
        .expect("the command did not finish")
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// What a local webhook handler received: headers and raw body.
type Received = (HeaderMap, Bytes);

async fn receiver() -> (String, mpsc::UnboundedReceiver<Received>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

/// Reads the child's output until a line contains `needle`; returns every line read.
async fn until_line(
    lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    needle: &str,
) -> Vec<String> {
    let mut seen = Vec::new();
    tokio::time::timeout(LIMIT, async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let done = line.contains(needle);
            seen.push(line);
            if done {
                return;
            }
        }
        panic!("output ended before {needle:?}: {seen:?}");
    })
    .await
    .unwrap_or_else(|_| panic!("no {needle:?} within {LIMIT:?}"));
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_forwards_a_real_order_paid_that_the_receiver_verifies() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let (url, mut received) = receiver().await;
    let mut listen: Child = paydesk(&net, net.secret_key())
        .args(["listen", "--forward-to", &url, "--secret", SECRET])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(listen.stdout.take().unwrap()).lines();
    let ready = until_line(&mut lines, "Ready!").await;
    assert!(ready.last().unwrap().contains(&url), "{ready:?}");

    let order = net.create_order().await.unwrap();
    let paid = net
        .merchant(
            Method::POST,
            &format!("/v1/test_helpers/orders/{}/pay", order.id),
            Some(&json!({})),
        )
        .await
        .unwrap();
    assert_eq!(paid.status(), 200);

    let (headers, body) = tokio::time::timeout(LIMIT, received.recv())
        .await
        .expect("nothing forwarded")
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    webhook::verify(SECRET, &header(webhook::SIGNATURE_HEADER), &body, now, 300)
        .expect("Paydesk-Signature verifies");
    let standard_headers = [
        (standard::ID_HEADER, header(standard::ID_HEADER)),
        (
            standard::TIMESTAMP_HEADER,
            header(standard::TIMESTAMP_HEADER),
        ),
        (
            standard::SIGNATURE_HEADER,
            header(standard::SIGNATURE_HEADER),
        ),
    ];
    standard::verify(
        SECRET,
        &standard_headers[0].1,
        &standard_headers[1].1,
        &standard_headers[2].1,
        &body,
        now,
        300,
    )
    .expect("the Standard Webhooks signature verifies");
    let event: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["type"], "order.paid");
    assert_eq!(event["data"]["order"]["id"], order.id.as_str());
    assert_eq!(standard_headers[0].1, event["id"].as_str().unwrap());
    let stored: Value = net
        .merchant(
            Method::GET,
            &format!("/v1/events/{}", event["id"].as_str().unwrap()),
            None,
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(event, stored, "forwarded exactly as stored");

    let shown = until_line(&mut lines, "<-- [204]").await;
    assert!(
        shown.iter().any(|l| l.contains("--> order.paid [evt_")),
        "{shown:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_produces_each_event_type() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    for event_type in [
        "order.paid",
        "order.failed",
        "order.cancelled",
        "order.expired",
        "refund.succeeded",
        "refund.failed",
        "settlement.created",
        "payout.paid",
        "payout.failed",
    ] {
        let mut command = paydesk(&net, net.secret_key());
        command.args(["trigger", event_type]);
        let (ok, out, err) = finish(command).await;
        assert!(ok, "{event_type}: {out}\n{err}");
        let line = out
            .lines()
            .find_map(|l| l.strip_prefix(&format!("Triggered {event_type}: ")))
            .unwrap_or_else(|| panic!("{event_type}: {out}"));
        let event_id = line.split_whitespace().next().unwrap();
        let stored: Value = net
            .merchant(Method::GET, &format!("/v1/events/{event_id}"), None)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(stored["type"], event_type, "{out}");
        match event_type {
            "settlement.created" => {
                assert_eq!(stored["data"]["settlement"]["count"], 1, "{stored}");
            }
            "payout.paid" => {
                assert_eq!(stored["data"]["payout"]["status"], "paid", "{stored}");
            }
            "payout.failed" => {
                let payout = &stored["data"]["payout"];
                assert_eq!(payout["status"], "failed", "{stored}");
                assert_eq!(payout["failure_reason"], "account_closed", "{stored}");
            }
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_create_and_events_list_show_what_the_api_holds() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let mut create = paydesk(&net, net.secret_key());
    create.args(["orders", "create", "--amount", "12.50", "--json"]);
    let (ok, out, err) = finish(create).await;
    assert!(ok, "{out}\n{err}");
    let order: OrderResponse = serde_json::from_str(&out).unwrap();
    assert_eq!(order.total, "12.50");
    assert_eq!(
        net.order(&order.id).await.unwrap().status.as_str(),
        "created"
    );

    let mut create = paydesk(&net, net.secret_key());
    create.args(["orders", "create", "--amount", "3.00", "--currency", "USD"]);
    let (ok, out, _) = finish(create).await;
    assert!(ok, "{out}");
    assert!(
        out.contains("3.00 USD") && out.contains("/pay/ct_"),
        "{out}"
    );

    let mut trigger = paydesk(&net, net.secret_key());
    trigger.args(["trigger", "order.paid"]);
    let (ok, triggered, _) = finish(trigger).await;
    assert!(ok, "{triggered}");
    let mut list = paydesk(&net, net.secret_key());
    list.args(["events", "list", "--type", "order.paid"]);
    let (ok, out, _) = finish(list).await;
    assert!(ok, "{out}");
    let id = triggered
        .lines()
        .find_map(|l| l.strip_prefix("Triggered order.paid: "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap();
    assert!(
        out.lines()
            .any(|l| l.starts_with(id) && l.contains("order.paid")),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_shown_with_their_code_and_fail_the_command() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let cases: [(&str, &[&str], &str); 6] = [
        (
            "sk_test_unknown",
            &["events", "list"],
            "401 unauthenticated",
        ),
        (
            net.secret_key(),
            &["trigger", "payout.sent"],
            "cannot trigger \"payout.sent\"",
        ),
        ("sk_live_x", &["trigger", "order.paid"], "use a test key"),
        (
            net.secret_key(),
            &["orders", "create", "--amount", "2500x"],
            "amount_invalid",
        ),
        (
            net.secret_key(),
            &["events", "list", "--limit", "0"],
            "query_invalid",
        ),
        (
            net.secret_key(),
            &[
                "listen",
                "--forward-to",
                "http://127.0.0.1:9/x",
                "--events",
                "order.payed",
            ],
            "\"order.payed\" is not an event type",
        ),
    ];
    for (key, args, expected) in cases {
        let mut command = paydesk(&net, key);
        command.args(args);
        let (ok, out, err) = finish(command).await;
        assert!(!ok, "{args:?} succeeded: {out}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let mut keyless = paydesk(&net, "");
    keyless
        .env_remove("PAYDESK_SECRET_KEY")
        .args(["events", "list"]);
    let (ok, _, err) = finish(keyless).await;
    assert!(!ok && err.contains("no secret key"), "{err}");
}
