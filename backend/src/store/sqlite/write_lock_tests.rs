//! The gateway over HTTP while another connection holds SQLite's write lock: what the
//! single writer means for requests that carry an `Idempotency-Key`. SQLite's own
//! behaviour, so it is tested here, with SQL, and not in the adapter-neutral suites.

use std::sync::Arc;

use paydesk_shared::signing::Signer;
use serde_json::{Value, json};

use crate::config::{Config, MerchantSeed};
use crate::startup::Application;

const SECRET: &str = "sk_test_lock_0123456789abcdef";

fn order_body() -> Value {
    json!({
        "currency": "CNY",
        "items": [{"name": "Longjing tea", "quantity": 2, "unit_price": "25.00"}],
        "merchant_reference": "TH-1",
        "return_url": "https://shop.example/done",
    })
}

async fn post(client: &reqwest::Client, url: &str) -> (u16, Vec<u8>, bool) {
    let response = client
        .post(url)
        .bearer_auth(SECRET)
        .header("idempotency-key", "slow")
        .json(&order_body())
        .send()
        .await
        .expect("an answer");
    let replayed = response.headers().contains_key("idempotent-replayed");
    let status = response.status().as_u16();
    (
        status,
        response.bytes().await.expect("a body").to_vec(),
        replayed,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_request_with_the_key_is_told_the_first_is_still_running() {
    let dir = tempfile::tempdir().expect("a directory");
    let db_path = dir.path().join("gateway.sqlite");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!("http://{}/v1/orders", listener.local_addr().expect("bound"));
    let mut config = Config::new(
        db_path.clone(),
        "http://gateway.test".into(),
        Signer::generate("gateway"),
        vec![Signer::generate("bank").public_key()],
        "http://127.0.0.1:9".into(),
    );
    config.merchants.push(MerchantSeed {
        id: "mer_lock".into(),
        name: "Lock Teas".into(),
        secret_key: SECRET.into(),
        webhook_url: None,
        webhook_secret: "whsec_lock".into(),
        return_urls: vec!["https://shop.example/done".into()],
        settlement_account: None,
    });
    let app = Application::build(config, listener).await.expect("built");
    let store = app.store();
    tokio::spawn(app.run_until_stopped(std::future::pending()));

    // Hold the database's write lock: whichever request claims the key first cannot
    // commit until it is released.
    let other = sqlx::SqlitePool::connect(&format!("sqlite://{}", db_path.display()))
        .await
        .expect("a second connection");
    let mut lock = other.acquire().await.expect("a connection");
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *lock)
        .await
        .expect("the write lock");

    let client = Arc::new(reqwest::Client::new());
    let send = || {
        let (client, url) = (client.clone(), url.clone());
        tokio::spawn(async move { post(&client, &url).await })
    };
    let (mut a, mut b) = (send(), send());
    // Whichever claimed the key waits on the lock; the other is answered at once.
    let (waited, held) = tokio::select! {
        answer = &mut a => (answer.expect("answered"), b),
        answer = &mut b => (answer.expect("answered"), a),
    };
    assert_eq!(waited.0, 409);
    let error: Value = serde_json::from_slice(&waited.1).expect("JSON");
    assert_eq!(error["error"]["code"], "idempotency_key_in_use");
    assert_eq!(store.totals().await.expect("totals").orders, 0);

    sqlx::query("ROLLBACK")
        .execute(&mut *lock)
        .await
        .expect("released");
    let (status, created, _) = held.await.expect("answered");
    assert_eq!(status, 201);
    assert_eq!(store.totals().await.expect("totals").orders, 1);
    let (status, replay, replayed) = post(&client, &url).await;
    assert_eq!((status, replayed), (201, true));
    assert_eq!(replay, created);
}
