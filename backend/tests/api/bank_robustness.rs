//! The bank side under hostile and unlucky traffic: mutated and forged notifications,
//! many concurrent duplicates, late failures and wrong amounts.

use std::collections::HashMap;

use futures::StreamExt;
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::bank_protocol::{DeclineReason, PaymentOutcome, SIGNATURE_HEADER};
use paydesk_shared::signing::Signer;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use paydesk_gateway::domain::event::EventType;
use paydesk_gateway::store::Totals;

use crate::helpers::*;

/// Everything a refused notification must leave as it was: orders, attempts and their
/// decisions, stored verdicts, nonces, alerts, refunds, events.
async fn bank_state(app: &TestApp) -> Totals {
    app.snapshot().await
}

/// One mutated delivery: where it goes, its signature header (if any) and body.
struct Mutant {
    kind: &'static str,
    path: &'static str,
    signature: Option<String>,
    body: Vec<u8>,
}

const NOTIFY: &str = "/v1/bank/notifications/sandbox";

fn mutate(rng: &mut StdRng, bank: &Signer, valid: &[u8], replay: &(String, Vec<u8>)) -> Mutant {
    let now = now_secs();
    let signed = |body: Vec<u8>, t: i64, signer: &Signer| Mutant {
        kind: "",
        path: NOTIFY,
        signature: Some(signer.sign(t, &body)),
        body,
    };
    let kind = rng.gen_range(0..11);
    let mut m = match kind {
        0 => {
            // A flipped bit anywhere in a signed body.
            let mut body = valid.to_vec();
            let i = rng.gen_range(0..body.len());
            body[i] ^= 1 << rng.gen_range(0..8);
            Mutant {
                kind: "body bit flip",
                path: NOTIFY,
                signature: Some(bank.sign(now, valid)),
                body,
            }
        }
        1 => {
            // A flipped bit in the signature header, kept a printable header value.
            let header = bank.sign(now, valid).into_bytes();
            let mut flipped = header.clone();
            loop {
                let i = rng.gen_range(0..flipped.len());
                let b = header[i] ^ (1 << rng.gen_range(0..7));
                if b.is_ascii_graphic() {
                    flipped[i] = b;
                    break;
                }
            }
            Mutant {
                kind: "header bit flip",
                path: NOTIFY,
                signature: Some(String::from_utf8(flipped).unwrap()),
                body: valid.to_vec(),
            }
        }
        2 => signed(valid.to_vec(), now, &Signer::generate("bank-test")),
        3 => signed(
            valid.to_vec(),
            now,
            &Signer::generate(format!("bank-{}", rng.r#gen::<u32>())),
        ),
        4 => {
            let mut json: Value = serde_json::from_slice(valid).unwrap();
            let fields: Vec<String> = json.as_object().unwrap().keys().cloned().collect();
            let field = &fields[rng.gen_range(0..fields.len())];
            json.as_object_mut().unwrap().remove(field);
            signed(serde_json::to_vec(&json).unwrap(), now, bank)
        }
        5 => {
            let mut json: Value = serde_json::from_slice(valid).unwrap();
            json[format!("extra_{}", rng.gen_range(0..100))] = Value::from(rng.r#gen::<u16>());
            signed(serde_json::to_vec(&json).unwrap(), now, bank)
        }
        6 => signed(valid.to_vec(), now - rng.gen_range(301..100_000), bank),
        7 => signed(valid.to_vec(), now + rng.gen_range(301..100_000), bank),
        8 => Mutant {
            kind: "",
            path: NOTIFY,
            signature: Some(replay.0.clone()),
            body: replay.1.clone(),
        },
        9 => Mutant {
            kind: "",
            path: NOTIFY,
            signature: None,
            body: valid.to_vec(),
        },
        _ => Mutant {
            kind: "",
            path: "/v1/bank/notifications/nobank",
            signature: Some(bank.sign(now, valid)),
            body: valid.to_vec(),
        },
    };
    if m.kind.is_empty() {
        m.kind = [
            "",
            "",
            "wrong key",
            "unknown key id",
            "missing field",
            "extra field",
            "stale timestamp",
            "future timestamp",
            "replay",
            "unsigned",
            "unknown connector",
        ][kind];
    }
    m
}

#[tokio::test]
async fn ten_thousand_mutated_notifications_are_all_refused_and_change_nothing() {
    // The bank at full speed: its limit (rightly) refuses some of ten thousand requests
    // with 429 before they are judged, which is not what this test is about.
    let app = spawn_app_with(without_rate_limits).await;
    // A payment already accepted: its exact signed message is what replays resend.
    let (paid_order, paid_attempt) = app.order_at_bank().await;
    let paid = app.notification(
        &paid_order,
        &paid_attempt,
        "118.00",
        PaymentOutcome::Succeeded,
    );
    let replay = (app.bank.sign(now_secs(), &paid), paid);
    let first = app
        .client
        .post(app.url(NOTIFY))
        .header(SIGNATURE_HEADER, &replay.0)
        .body(replay.1.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    app.settled().await;

    // Mutations of a notification that would pay a second, pending order.
    let (order, attempt) = app.order_at_bank().await;
    let valid = app.notification(&order, &attempt, "118.00", PaymentOutcome::Succeeded);
    let before = bank_state(&app).await;

    let mut rng = StdRng::seed_from_u64(0x5eed_2026);
    let mutants: Vec<Mutant> = (0..10_000)
        .map(|_| mutate(&mut rng, &app.bank, &valid, &replay))
        .collect();
    let answers: Vec<(&'static str, u16, Value)> = futures::stream::iter(mutants)
        .map(|m| {
            let app = &app;
            async move {
                let mut request = app.client.post(app.url(m.path)).body(m.body);
                if let Some(signature) = m.signature {
                    request = request.header(SIGNATURE_HEADER, signature);
                }
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (m.kind, status, response.json().await.unwrap_or(Value::Null))
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;

    let mut by_kind: HashMap<&str, HashMap<u16, usize>> = HashMap::new();
    for (kind, status, body) in &answers {
        assert!(
            (400..500).contains(status),
            "{kind}: answered {status} {body}"
        );
        assert!(body["error"]["code"].is_string(), "{kind}: {body}");
        *by_kind.entry(kind).or_default().entry(*status).or_default() += 1;
    }
    // Every kind of mutation was tried, and each met the refusal it should.
    assert_eq!(by_kind.len(), 11, "{by_kind:?}");
    for (kind, statuses) in &by_kind {
        let expected: &[u16] = match *kind {
            "missing field" | "extra field" | "unsigned" => &[400],
            "replay" => &[409],
            "unknown connector" => &[404],
            _ => &[401],
        };
        assert!(
            statuses.keys().all(|s| expected.contains(s)),
            "{kind}: {statuses:?}"
        );
    }
    app.settled().await;
    assert_eq!(bank_state(&app).await, before);
    assert_eq!(app.get_order(&order.id).await.status.as_str(), "pending");
}

#[tokio::test]
async fn a_thousand_orders_with_twenty_concurrent_duplicates_each_are_paid_exactly_once() {
    const ORDERS: usize = 1000;
    const DUPLICATES: usize = 20;
    let app = spawn_app_with(without_rate_limits).await;
    let orders: Vec<(OrderResponse, String)> = futures::stream::iter(0..ORDERS)
        .map(|_| {
            let app = &app;
            async move {
                let order = app.create_order().await;
                let response = app.start_attempt(&order, "ICBC", "click-1").await;
                assert_eq!(response.status(), 201);
                let attempt: CreateAttemptResponse = response.json().await.unwrap();
                (order, attempt.attempt_id)
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;

    futures::stream::iter(&orders)
        .for_each_concurrent(8, |(order, attempt)| {
            let app = &app;
            async move {
                let success = app.notification(order, attempt, "118.00", PaymentOutcome::Succeeded);
                let sends = (0..DUPLICATES).map(|_| app.notify(success.clone(), &app.bank));
                for response in futures::future::join_all(sends).await {
                    assert_eq!(response.status(), 200);
                }
                let failure = PaymentOutcome::Failed {
                    reason: DeclineReason::InsufficientFunds,
                };
                let late_failure = app.notification(order, attempt, "118.00", failure);
                assert_eq!(app.notify(late_failure, &app.bank).await.status(), 200);
                let wrong_amount =
                    app.notification(order, attempt, "11.80", PaymentOutcome::Succeeded);
                assert_eq!(app.notify(wrong_amount, &app.bank).await.status(), 200);
            }
        })
        .await;
    app.settled().await;

    let totals = app.snapshot().await;
    assert_eq!(totals.orders_paid, ORDERS as i64);
    let paid_events = app.events_of_type(EventType::OrderPaid).await;
    let mut events_per_order: HashMap<String, i64> = HashMap::new();
    for event in &paid_events {
        *events_per_order.entry(event.subject.clone()).or_default() += 1;
    }
    assert_eq!(events_per_order.len(), ORDERS);
    assert!(events_per_order.values().all(|n| *n == 1));
    assert_eq!(app.snapshot().await.events, ORDERS as i64);
    assert_eq!(app.inbox("applied").await, ORDERS as i64);
    assert_eq!(
        app.inbox("duplicate").await,
        (ORDERS * (DUPLICATES - 1)) as i64
    );
    assert_eq!(app.inbox("ignored").await, ORDERS as i64, "late failures");
    assert_eq!(
        app.inbox("quarantined").await,
        ORDERS as i64,
        "wrong amounts"
    );
    assert_eq!(app.snapshot().await.alerts, ORDERS as i64);
    assert_eq!(app.snapshot().await.refunds, 0);
}
