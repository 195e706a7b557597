//! Three gateway binaries on one PostgreSQL database, one of them SIGKILLed and
//! restarted every few seconds, while 2,000 orders are paid at the real sandbox bank
//! (each bank notification sent twenty times more, over all three replicas) and then
//! partly refunded. At the end: every order paid once; every event delivered to the
//! merchant's endpoint, in its order's sequence; no two replicas ever ran the webhook
//! dispatcher at once (the attempt log names the replica of each attempt);
//! Idempotency-Keys replayed by another replica and turned away with 409 by every
//! replica while held; and status streams opened on all three replicas saw each watched
//! payment, which at most one of them applied.
//!
//! PostgreSQL only: it runs in `cargo xtask test`'s PostgreSQL stage
//! (`--include-ignored`), on a fresh database.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use paydesk_gateway::domain::event::{EventFilter, EventType};
use paydesk_gateway::domain::idempotency::KeyClaim;
use paydesk_gateway::store::Store;
use paydesk_gateway::store::postgres::PostgresStore;
use paydesk_gateway::store::postgres::test_database::TestDatabase;
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::bank_protocol::{QueryAnswer, SIGNATURE_HEADER, StatusQuery};
use paydesk_shared::signing::Signer;
use rand::Rng;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::crash::{
    Gateway, REQUEST_TIMEOUT, SECRET, data_dir, free_port, pay_at_bank_page, start_with,
};
use crate::helpers::now_secs;
use crate::receiver::Receiver;

const REPLICAS: usize = 3;
const ORDERS: usize = 2_000;
const DUPLICATES: usize = 20;
const KILL_EVERY: Duration = Duration::from_secs(5);
/// The work takes longer than this many kills apart.
const MIN_KILLS: usize = 10;
/// Orders whose status is streamed from every replica, spread over the run.
const WATCHED: usize = 20;
/// Keys held from outside the replicas while each replica is asked to use them.
const HELD: usize = 6;

/// The replicas' addresses: a killed replica restarts on its own port.
#[derive(Clone)]
struct Replicas(Arc<Vec<String>>);

impl Replicas {
    fn pick(&self, except: Option<&str>) -> &str {
        let choices: Vec<&String> = self
            .0
            .iter()
            .filter(|u| Some(u.as_str()) != except)
            .collect();
        choices[rand::thread_rng().gen_range(0..choices.len())]
    }
}

/// What the shoppers, the merchant and the bank share.
struct World {
    client: reqwest::Client,
    replicas: Replicas,
    bank: String,
    /// The bank's key, to send its notification again; the gateway's, to ask the bank.
    bank_key: Signer,
    gateway_key: Signer,
    shop: String,
    /// Units of work done: a payment confirmed, a refund accepted.
    progress: watch::Sender<usize>,
    /// `409 idempotency_key_in_use` answers: a key held by a request a kill cut off.
    held_by_killed: AtomicUsize,
    server_errors: AtomicUsize,
}

impl World {
    /// Sends a request to a replica (not `except`) until one answers it without a
    /// server error; a replica killed under it fails the connection and the request
    /// goes to another. Returns the replica that answered, and its answer.
    async fn answered(
        &self,
        except: Option<&str>,
        request: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> (String, reqwest::Response) {
        loop {
            let replica = self.replicas.pick(except);
            match request(replica).timeout(REQUEST_TIMEOUT).send().await {
                Ok(r) if !r.status().is_server_error() => return (replica.to_owned(), r),
                Ok(r) => {
                    // Counted and shown in the summary; a kill never causes one.
                    self.server_errors.fetch_add(1, Ordering::Relaxed);
                    let status = r.status();
                    eprintln!("{replica}: {status} {}", r.text().await.unwrap_or_default());
                }
                Err(_) => {}
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// As [`World::answered`], also past `409 idempotency_key_in_use`: the key's
    /// claim was taken by a request on a replica killed before it answered, and lapses.
    /// Gives the answer's status and JSON body.
    async fn answered_with_key(
        &self,
        except: Option<&str>,
        request: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> (String, Answer) {
        loop {
            let (replica, response) = self.answered(except, &request).await;
            let answer = Answer {
                status: response.status().as_u16(),
                replayed: response.headers().contains_key("idempotent-replayed"),
                body: response.json().await.unwrap(),
            };
            if answer.status != 409 || answer.body["error"]["code"] != "idempotency_key_in_use" {
                return (replica, answer);
            }
            self.held_by_killed.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    fn done_one(&self) {
        self.progress.send_modify(|n| *n += 1);
    }
}

/// A JSON answer to a request with an `Idempotency-Key`.
struct Answer {
    status: u16,
    replayed: bool,
    body: Value,
}

fn order_body(shop: &str, reference: &str) -> Value {
    json!({
        "currency": "CNY",
        "items": [{"name": "Longjing tea", "quantity": 1, "unit_price": "25.00"}],
        "merchant_reference": reference,
        "return_url": format!("{shop}/checkout/complete"),
    })
}

/// Creates an order with `key` on one replica and checks that another replays it.
async fn create_order(world: &World, key: &str, reference: &str) -> OrderResponse {
    let body = order_body(&world.shop, reference);
    let post = |replica: &str| {
        world
            .client
            .post(format!("{replica}/v1/orders"))
            .bearer_auth(SECRET)
            .header("idempotency-key", key)
            .json(&body)
    };
    let (first, created) = world.answered_with_key(None, post).await;
    assert_eq!(created.status, 201, "{key}: {}", created.body);
    let (_, replay) = world.answered_with_key(Some(&first), post).await;
    assert_eq!(
        (replay.status, replay.replayed),
        (201, true),
        "{key} replayed"
    );
    assert_eq!(
        replay.body["id"], created.body["id"],
        "{key}: another replica replays it"
    );
    serde_json::from_value(created.body).unwrap()
}

/// The shopper pays `order` at the bank's pages; the bank tells the gateway (the
/// replica that made the attempt) itself. Returns the bank's notification, asked of the
/// bank as the gateway's status query does.
async fn pay_at_bank(world: &World, order: &OrderResponse) -> Vec<u8> {
    let (_, attempt) = world
        .answered(None, |replica| {
            world
                .client
                .post(format!("{replica}/v1/widget/attempts"))
                .bearer_auth(&order.client_token)
                .header("idempotency-key", "click-1")
                .json(&json!({"bank_code": "ICBC", "card_kind": "debit"}))
        })
        .await;
    assert_eq!(attempt.status(), 201);
    let attempt: CreateAttemptResponse = attempt.json().await.unwrap();
    pay_at_bank_page(&world.client, &attempt.redirect_url, &world.bank).await;

    let query = serde_json::to_vec(&StatusQuery {
        attempt_id: attempt.attempt_id,
        order_id: order.id.clone(),
        bank_code: "ICBC".into(),
    })
    .unwrap();
    let answer: QueryAnswer = world
        .client
        .post(format!("{}/api/v1/payments/query", world.bank))
        .header(SIGNATURE_HEADER, world.gateway_key.sign(now_secs(), &query))
        .header("content-type", "application/json")
        .body(query)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let QueryAnswer::Decided { notification } = answer else {
        panic!("the bank has not decided {}: {answer:?}", order.id)
    };
    serde_json::to_vec(&notification).unwrap()
}

/// The bank's notification once more, to replica `first` or (while that one is down)
/// the next, signed afresh each try as a bank retrying does.
async fn notify(world: &World, first: usize, body: &[u8]) {
    for replica in world.replicas.0.iter().cycle().skip(first) {
        let sent = world
            .client
            .post(format!("{replica}/v1/bank/notifications/sandbox"))
            .header(SIGNATURE_HEADER, world.bank_key.sign(now_secs(), body))
            .header("content-type", "application/json")
            .body(body.to_vec())
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await;
        match sent {
            Ok(r) if r.status() == 200 => return,
            Ok(r) if r.status().is_server_error() => {
                world.server_errors.fetch_add(1, Ordering::Relaxed);
            }
            Ok(r) => panic!("notification refused: {}", r.status()),
            Err(_) => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
}

/// Refunds 10.00 of `order` once it is paid, and checks another replica replays it.
async fn refund(world: &World, order: &OrderResponse) {
    let key = format!("refund-{}", order.id);
    let post = |replica: &str| {
        world
            .client
            .post(format!("{replica}/v1/orders/{}/refunds", order.id))
            .bearer_auth(SECRET)
            .header("idempotency-key", &key)
            .json(&json!({"amount": "10.00"}))
    };
    let (first, refund) = loop {
        let (replica, answer) = world.answered_with_key(None, post).await;
        match answer.status {
            201 => break (replica, answer.body),
            // Not paid at the gateway yet: its notifications are being applied.
            409 if answer.body["error"]["code"] == "order_not_refundable" => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => panic!("refund answered {other}: {}", answer.body),
        }
    };
    let (_, replay) = world.answered_with_key(Some(&first), post).await;
    assert_eq!(
        (replay.status, replay.replayed),
        (201, true),
        "{key} replayed"
    );
    assert_eq!(replay.body["id"], refund["id"]);
}

/// Follows `token`'s status stream on `replica`, reconnecting while it is down, until
/// it shows `paid`. Returns how many connections that took.
async fn watch_until_paid(client: reqwest::Client, replica: String, token: String) -> usize {
    let mut connections = 0;
    loop {
        let opened = client
            .get(format!("{replica}/v1/widget/status/stream"))
            .query(&[("client_token", &token)])
            .send()
            .await;
        let Ok(mut stream) = opened else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        assert_eq!(stream.status(), 200);
        connections += 1;
        let mut buffer = String::new();
        // A kill ends the stream with an error: connect again.
        while let Ok(Some(chunk)) = stream.chunk().await {
            buffer.push_str(std::str::from_utf8(&chunk).unwrap());
            while let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                let data: String = event
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: "))
                    .collect();
                if event.lines().any(|l| l == "event: status")
                    && serde_json::from_str::<Value>(&data).unwrap()["status"] == "paid"
                {
                    return connections;
                }
            }
        }
    }
}

/// One order from creation to its refund; [`WATCHED`] of them are also streamed.
async fn order_lifecycle(world: &World, i: usize) -> Option<Vec<tokio::task::JoinHandle<usize>>> {
    let order = create_order(world, &format!("order-{i}"), &format!("RC-{i}")).await;
    let watchers = i.is_multiple_of(ORDERS / WATCHED).then(|| {
        world
            .replicas
            .0
            .iter()
            .map(|replica| {
                tokio::spawn(watch_until_paid(
                    world.client.clone(),
                    replica.clone(),
                    order.client_token.clone(),
                ))
            })
            .collect()
    });
    let notification = pay_at_bank(world, &order).await;
    futures::future::join_all(
        (0..DUPLICATES).map(|d| notify(world, (i + d) % REPLICAS, &notification)),
    )
    .await;
    world.done_one();
    refund(world, &order).await;
    world.done_one();
    watchers
}

/// Keys claimed from outside the replicas (as a request under way on another replica
/// holds them) are turned away by each replica with 409; once released, one replica
/// creates the order and another replays it.
async fn held_keys(world: &World, store: &dyn Store) -> usize {
    let mut refused = 0;
    for j in 0..HELD {
        let key = format!("held-{j}");
        let claimed = store
            .claim_idempotency_key(&"mer_demo".into(), &key, "a request elsewhere", 0)
            .await
            .unwrap();
        assert_eq!(claimed, KeyClaim::Claimed);
        for replica in world.replicas.0.iter() {
            let body = order_body(&world.shop, &key);
            // This replica, once it answers (it may be down for a restart).
            let response = loop {
                let sent = world
                    .client
                    .post(format!("{replica}/v1/orders"))
                    .bearer_auth(SECRET)
                    .header("idempotency-key", &key)
                    .json(&body)
                    .timeout(REQUEST_TIMEOUT)
                    .send()
                    .await;
                match sent {
                    Ok(r) => break r,
                    Err(_) => tokio::time::sleep(Duration::from_millis(25)).await,
                }
            };
            crate::helpers::assert_error(response, 409, "idempotency_key_in_use").await;
            refused += 1;
        }
        store
            .release_idempotency_key(&"mer_demo".into(), &key)
            .await;
        create_order(world, &key, &key).await;
    }
    refused
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PostgreSQL only: runs in the PostgreSQL stage of cargo xtask test"]
async fn three_replicas_with_one_killed_every_few_seconds_pay_each_order_once_and_deliver_in_order()
{
    let database = TestDatabase::create().await;
    let (dir, bank_key) = data_dir();
    let gateway_key =
        Signer::from_text(&std::fs::read_to_string(dir.path().join("keys/gateway.key")).unwrap())
            .unwrap();
    let bank_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bank_port = bank_listener.local_addr().unwrap().port().to_string();
    let bank = format!("http://127.0.0.1:{bank_port}");
    let sandbox = paydesk_sandbox_bank::Application::build(
        paydesk_sandbox_bank::Config::new(
            bank_key.clone(),
            vec![gateway_key.public_key()],
            bank.clone(),
            dir.path().join("bank.sqlite"),
        ),
        bank_listener,
    )
    .await
    .unwrap();
    tokio::spawn(sandbox.run_until_stopped(std::future::pending()));
    let receiver = Receiver::spawn().await;

    let env = [
        ("PAYDESK_DATABASE_URL", database.url()),
        ("PAYDESK_BANK_PORT", bank_port.as_str()),
        ("PAYDESK_DEMO_SHOP_URL", receiver.origin()),
        ("PAYDESK_WEBHOOK_ALLOW_PRIVATE_URLS", "1"),
        // A killed replica's work moves on within seconds, so kills every few seconds
        // leave time for work between them; long enough that a step on a starved
        // replica (2 cores, four processes) ends before its lease would lapse.
        ("PAYDESK_WORKER_LEASE_SECS", "5"),
    ];
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let ports: Vec<u16> = (0..REPLICAS).map(|_| free_port()).collect();
    let mut gateways: Vec<Gateway> = Vec::new();
    for port in &ports {
        gateways.push(start_with(dir.path(), *port, &client, &env).await);
    }
    let (progress, done) = watch::channel(0);
    let world = Arc::new(World {
        client: client.clone(),
        replicas: Replicas(Arc::new(gateways.iter().map(|g| g.url.clone()).collect())),
        bank,
        bank_key,
        gateway_key,
        shop: receiver.origin().to_owned(),
        progress,
        held_by_killed: AtomicUsize::new(0),
        server_errors: AtomicUsize::new(0),
    });
    // The test's own handle on the database: a fourth holder of claims, and the reader
    // of what the replicas did.
    let store: Arc<dyn Store> = Arc::new(PostgresStore::open(database.url()).await.unwrap());

    let started = Instant::now();
    let shoppers = {
        let world = world.clone();
        tokio::spawn(async move {
            futures::stream::iter(0..ORDERS)
                .map(|i| {
                    let world = &world;
                    async move { order_lifecycle(world, i).await }
                })
                .buffer_unordered(64)
                .filter_map(|watchers| async move { watchers })
                .collect::<Vec<_>>()
                .await
        })
    };
    let holder = {
        let (world, store) = (world.clone(), store.clone());
        tokio::spawn(async move { held_keys(&world, store.as_ref()).await })
    };

    // Every few seconds, until the work is done, one replica at random is killed and
    // started again.
    let mut kills = 0;
    while !shoppers.is_finished() {
        tokio::time::sleep(KILL_EVERY).await;
        let victim = rand::thread_rng().gen_range(0..REPLICAS);
        gateways[victim].kill();
        gateways[victim] = start_with(dir.path(), ports[victim], &client, &env).await;
        kills += 1;
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "stuck after {kills} kills: {} of {} done",
            *done.borrow(),
            2 * ORDERS
        );
    }
    assert!(kills >= MIN_KILLS, "only {kills} kills happened");
    let watchers: Vec<_> = shoppers.await.unwrap().into_iter().flatten().collect();
    let refused_while_held = holder.await.unwrap();
    let worked = started.elapsed();

    // Everything stored is applied, refunded at the bank and delivered.
    let deadline = Instant::now() + Duration::from_secs(180);
    let refunded = EventFilter {
        kind: Some(EventType::RefundSucceeded),
        ..EventFilter::default()
    };
    loop {
        let inbox = store.inbox_counts().await.unwrap();
        let deliveries = store.delivery_counts().await.unwrap();
        let refunds = store
            .events(&"mer_demo".into(), &refunded, 100_000)
            .await
            .unwrap();
        if inbox.received == 0 && deliveries.pending == 0 && refunds.len() == ORDERS {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not settled 180 s after the work: {inbox:?} {deliveries:?}, {} refunds",
            refunds.len()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    drop(gateways);

    // Every order paid once, its payment posted once.
    let totals = store.totals().await.unwrap();
    assert_eq!(totals.orders, (ORDERS + HELD) as i64);
    assert_eq!(totals.orders_paid, ORDERS as i64);
    let events = store
        .events(&"mer_demo".into(), &EventFilter::default(), 100_000)
        .await
        .unwrap();
    let count = |kind: EventType| events.iter().filter(|e| e.kind == kind).count();
    let paid_subjects: HashSet<&str> = events
        .iter()
        .filter(|e| e.kind == EventType::OrderPaid)
        .map(|e| e.subject.as_str())
        .collect();
    assert_eq!(
        (count(EventType::OrderPaid), paid_subjects.len()),
        (ORDERS, ORDERS),
        "one order.paid per order"
    );
    assert_eq!(count(EventType::RefundSucceeded), ORDERS);
    let inbox = store.inbox_counts().await.unwrap();
    assert!(
        inbox.duplicate >= (ORDERS * DUPLICATES) as i64,
        "every copy was stored as a duplicate: {inbox:?}"
    );
    let deliveries = store.delivery_counts().await.unwrap();
    assert_eq!(
        (
            deliveries.delivered,
            deliveries.failed,
            deliveries.cancelled
        ),
        (events.len() as i64, 0, 0),
        "one delivery per event, delivered"
    );

    // Every event reached the endpoint, in its subject's sequence: an event is never
    // received before the one before it (a repeat after a kill comes before the next).
    let subject_of: HashMap<String, &str> = events
        .iter()
        .map(|e| (e.id.to_string(), e.subject.as_str()))
        .collect();
    let hits = receiver.hits();
    let mut last_seen: HashMap<&str, i64> = HashMap::new();
    let mut received = HashSet::new();
    for hit in &hits {
        let event = hit.event();
        let subject = subject_of[&event.id];
        let last = last_seen.entry(subject).or_insert(0);
        assert!(
            event.sequence == *last || event.sequence == *last + 1,
            "{subject}: event {} received after event {}",
            event.sequence,
            last
        );
        *last = event.sequence;
        received.insert(event.id);
    }
    assert_eq!(received.len(), events.len(), "every event received");
    let repeats = hits.len() - received.len();

    // No two replicas ever ran the dispatcher at once: ordered by start, the attempts
    // fall into runs by one replica each, and a run starts after the last ended.
    let pool = sqlx::PgPool::connect(database.url()).await.unwrap();
    let attempts: Vec<(Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT replica, started_at, duration_ms FROM webhook_attempts ORDER BY started_at, id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(attempts.len() >= events.len());
    let mut runs: Vec<(String, i64, i64)> = Vec::new();
    for (replica, started_at, duration_ms) in attempts {
        let replica = replica.expect("every attempt names its replica");
        match runs.last_mut() {
            Some((holder, _, ended)) if *holder == replica => {
                *ended = (*ended).max(started_at + duration_ms);
            }
            previous => {
                if let Some((holder, _, ended)) = previous {
                    assert!(
                        started_at >= *ended,
                        "{replica} started an attempt at {started_at} while {holder} held the dispatcher until {ended}"
                    );
                }
                runs.push((replica, started_at, started_at + duration_ms));
            }
        }
    }
    let dispatchers: HashSet<&str> = runs.iter().map(|(r, _, _)| r.as_str()).collect();
    pool.close().await;

    // Each watched payment reached the status streams of all three replicas.
    let mut reconnects = 0;
    for watcher in watchers {
        let connections = tokio::time::timeout(Duration::from_secs(60), watcher)
            .await
            .expect("a status stream never saw its payment")
            .unwrap();
        reconnects += connections - 1;
    }
    assert_eq!(refused_while_held, HELD * REPLICAS);

    eprintln!(
        "{REPLICAS} replicas, {kills} kills {KILL_EVERY:?} apart, {ORDERS} orders paid and refunded in {:.1} s: \
         {} notifications stored as duplicates, {} webhook requests for {} events ({repeats} repeated after a kill), \
         the dispatcher held in turn by {} processes over {} runs, {} keys found held by a killed replica's request, \
         {reconnects} status stream reconnects, {} server errors",
        worked.as_secs_f64(),
        inbox.duplicate,
        hits.len(),
        events.len(),
        dispatchers.len(),
        runs.len(),
        world.held_by_killed.load(Ordering::Relaxed),
        world.server_errors.load(Ordering::Relaxed),
    );
}
