//! Several gateway replicas on one PostgreSQL database (whatever store the rest of the
//! suite runs on): any replica answers any request, and what one does the others see.

use std::collections::HashSet;
use std::time::Duration;

use paydesk_gateway::store::Signal;
use paydesk_shared::bank_protocol::PaymentOutcome;

use crate::helpers::*;

fn pair(mut replicas: Vec<TestApp>) -> (TestApp, TestApp) {
    let b = replicas.pop().unwrap();
    let a = replicas.pop().unwrap();
    (a, b)
}

#[tokio::test]
async fn status_streams_on_every_replica_see_a_payment_stored_on_one() {
    let (a, b) = pair(spawn_replicas(2).await);
    let (order, attempt) = a.order_at_bank().await;
    let mut on_a = StatusEvents::open(&a, &order.client_token).await;
    let mut on_b = StatusEvents::open(&b, &order.client_token).await;
    assert_eq!(on_a.next(Duration::from_secs(5)).await["status"], "pending");
    assert_eq!(on_b.next(Duration::from_secs(5)).await["status"], "pending");

    // Stored by b; applied by whichever replica holds the applier's lease.
    let body = b.notification(&order, &attempt, &order.total, PaymentOutcome::Succeeded);
    assert_eq!(b.notify(body, &b.bank).await.status(), 200);
    assert_eq!(on_a.next(Duration::from_secs(10)).await["status"], "paid");
    assert_eq!(on_b.next(Duration::from_secs(10)).await["status"], "paid");
    assert_eq!(a.get_order(&order.id).await.status.as_str(), "paid");
}

#[tokio::test]
async fn an_event_stream_on_one_replica_carries_events_stored_by_another() {
    let (a, b) = pair(spawn_replicas(2).await);
    let (order, attempt) = a.order_at_bank().await;
    let mut on_a = SseReader::new(a.merchant_get("/v1/events/stream").await);

    // Stored by b; applied by whichever replica holds the applier's lease.
    let body = b.notification(&order, &attempt, &order.total, PaymentOutcome::Succeeded);
    assert_eq!(b.notify(body, &b.bank).await.status(), 200);
    let message = on_a
        .next_within(Duration::from_secs(10))
        .await
        .expect("no event on replica a's stream");
    assert_eq!(message.event, "order.paid");
    let event: serde_json::Value = serde_json::from_str(&message.data).unwrap();
    assert_eq!(event["data"]["order"]["id"], order.id.as_str());
}

#[tokio::test]
async fn idempotency_keys_hold_across_replicas() {
    let (a, b) = pair(spawn_replicas(2).await);
    let body = serde_json::to_vec(&order_body()).unwrap();
    let first = a
        .post_order_raw(Some(SECRET_KEY), Some("key-1"), body.clone())
        .await;
    assert_eq!(first.status(), 201);
    let created: serde_json::Value = first.json().await.unwrap();

    let replay = b
        .post_order_raw(Some(SECRET_KEY), Some("key-1"), body.clone())
        .await;
    assert_eq!(replay.status(), 201);
    assert!(replay.headers().contains_key("idempotent-replayed"));
    let replayed: serde_json::Value = replay.json().await.unwrap();
    assert_eq!(replayed["id"], created["id"]);

    let mut other = order_body();
    other["merchant_reference"] = "another".into();
    let reused = b
        .post_order_raw(
            Some(SECRET_KEY),
            Some("key-1"),
            serde_json::to_vec(&other).unwrap(),
        )
        .await;
    assert_error(reused, 422, "idempotency_key_reused").await;

    // A request under way on one replica (its claim taken through that replica's
    // store) turns the same key away on the other with 409, until it is released.
    let claim = a
        .store
        .claim_idempotency_key(&"mer_alpha".into(), "key-2", "some request", 0)
        .await
        .unwrap();
    assert_eq!(
        claim,
        paydesk_gateway::domain::idempotency::KeyClaim::Claimed
    );
    let busy = b
        .post_order_raw(Some(SECRET_KEY), Some("key-2"), body.clone())
        .await;
    assert_error(busy, 409, "idempotency_key_in_use").await;
    a.store
        .release_idempotency_key(&"mer_alpha".into(), "key-2")
        .await;
    let freed = b
        .post_order_raw(Some(SECRET_KEY), Some("key-2"), body)
        .await;
    assert_eq!(freed.status(), 201);
}

#[tokio::test]
async fn a_key_revoked_on_one_replica_is_refused_by_the_others() {
    let (a, b) = pair(spawn_replicas(2).await);
    // b has the merchant cached by its key.
    b.create_order().await;
    let revoked = a
        .client
        .delete(a.url("/v1/operator/merchants/mer_alpha/keys/key_mer_alpha"))
        .bearer_auth(OPERATOR_KEY)
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success(), "{}", revoked.status());
    let body = serde_json::to_vec(&order_body()).unwrap();
    // The signal reaches b within milliseconds; a request may overtake it.
    let mut refused = false;
    for _ in 0..50 {
        let response = b.post_order_raw(Some(SECRET_KEY), None, body.clone()).await;
        if response.status() == 401 {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused, "the revoked key still works on the other replica");
}

#[tokio::test]
async fn each_worker_runs_on_one_replica_and_work_stored_on_any_is_done() {
    let replicas = spawn_replicas(3).await;
    for r in &replicas {
        r.workers.drain().await;
    }
    let TestDatabase::Postgres(db) = &*replicas[0].database else {
        unreachable!("replicas share PostgreSQL")
    };
    let pool = sqlx::PgPool::connect(db.url()).await.unwrap();
    let leases: Vec<(String, String)> =
        sqlx::query_as("SELECT worker, holder FROM worker_leases ORDER BY worker")
            .fetch_all(&pool)
            .await
            .unwrap();
    let workers: Vec<&str> = leases.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(
        workers,
        [
            "applier",
            "dispatcher",
            "expirer",
            "payouter",
            "querier",
            "refunder",
            "settler"
        ]
    );
    let holders: HashSet<&str> = leases.iter().map(|(_, h)| h.as_str()).collect();
    assert!(!holders.is_empty() && holders.len() <= 3, "{holders:?}");

    // A wake-up announced by one replica reaches the others' workers, and work stored
    // through any replica is done: a payment stored on the last replica is applied.
    let last = &replicas[2];
    let (order, attempt) = last.order_at_bank().await;
    let body = last.notification(&order, &attempt, &order.total, PaymentOutcome::Succeeded);
    assert_eq!(last.notify(body, &last.bank).await.status(), 200);
    last.store.announce(Signal::Wake("applier".into()));
    let mut paid = false;
    for _ in 0..100 {
        if replicas[0].get_order(&order.id).await.status.as_str() == "paid" {
            paid = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(paid, "the payment was not applied");
}
