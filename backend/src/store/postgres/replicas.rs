//! Replicas on one database: worker leases in `worker_leases`, and signals sent with
//! NOTIFY on one channel and heard by every replica's LISTEN. Leases and signals use
//! the read pool: each is one statement that needs no serializable transaction.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::{Notify, broadcast};
use tokio::task::JoinHandle;

use super::DB_NOW;
use crate::domain::time::Millis;
use crate::store::{Signal, StoreError};

const CHANNEL: &str = "paydesk";
/// How long a replica counts as running without renewing its row in `replicas`: how
/// soon the idempotency claims of a killed replica come free.
const PRESENCE: Millis = 10_000;
/// How often a running replica renews it.
const RENEW_PRESENCE: Duration = Duration::from_secs(2);

pub(super) struct Replicas {
    /// This process, as leases, signals, claims and webhook attempts name it.
    id: String,
    pool: PgPool,
    heard: broadcast::Sender<Signal>,
    /// One sender per worker woken: a wake announced while one is on its way is sent
    /// again after it, so none is lost and bursts cost one NOTIFY each.
    wakes: Mutex<HashMap<String, Arc<Notify>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Replicas {
    /// Starts listening: what the other processes announce is heard from now on.
    pub(super) async fn start(pool: PgPool) -> Result<Self, StoreError> {
        let id = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(CHANNEL).await?;
        let (heard, _) = broadcast::channel(4096);
        let listening = tokio::spawn(listen(listener, id.clone(), heard.clone()));
        // Present before any claim names this replica.
        be_present(&pool, &id).await?;
        let present = tokio::spawn(stay_present(pool.clone(), id.clone()));
        Ok(Replicas {
            id,
            pool,
            heard,
            wakes: Mutex::default(),
            tasks: Mutex::new(vec![listening, present]),
        })
    }

    /// This process, as leases, signals, claims and webhook attempts name it.
    pub(super) fn id(&self) -> &str {
        &self.id
    }

    pub(super) async fn hold_lease(&self, worker: &str, ttl: Duration) -> Result<bool, StoreError> {
        let sql = format!(
            "INSERT INTO worker_leases (worker, holder, expires_at) VALUES ($1, $2, {DB_NOW} + $3)
             ON CONFLICT (worker) DO UPDATE SET
                 holder = excluded.holder, expires_at = excluded.expires_at
             WHERE worker_leases.holder = excluded.holder
                OR worker_leases.expires_at <= {DB_NOW}"
        );
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        let held = sqlx::query(&sql)
            .bind(worker)
            .bind(&self.id)
            .bind(ttl_ms)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(held == 1)
    }

    pub(super) async fn release_lease(&self, worker: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM worker_leases WHERE worker = $1 AND holder = $2")
            .bind(worker)
            .bind(&self.id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(super) fn announce(&self, signal: Signal) {
        match signal {
            Signal::Wake(worker) => {
                let mut wakes = self.wakes.lock().unwrap_or_else(PoisonError::into_inner);
                let wake = wakes.entry(worker.clone()).or_insert_with(|| {
                    let wake = Arc::new(Notify::new());
                    let payload = format!("{} wake {worker}", self.id);
                    let sender = tokio::spawn(send_wakes(self.pool.clone(), payload, wake.clone()));
                    self.tasks
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(sender);
                    wake
                });
                wake.notify_one();
            }
            Signal::OrderChanged(order) => {
                let payload = format!("{} order {order}", self.id);
                tokio::spawn(notify(self.pool.clone(), payload));
            }
            Signal::MerchantsChanged => {
                let payload = format!("{} merchants -", self.id);
                tokio::spawn(notify(self.pool.clone(), payload));
            }
        }
    }

    pub(super) fn signals(&self) -> broadcast::Receiver<Signal> {
        self.heard.subscribe()
    }
}

impl Drop for Replicas {
    fn drop(&mut self) {
        for task in self
            .tasks
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
        {
            task.abort();
        }
    }
}

/// Marks replica `id` running for [`PRESENCE`] more, and forgets replicas gone for an
/// hour.
async fn be_present(pool: &PgPool, id: &str) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO replicas (id, expires_at) VALUES ($1, {DB_NOW} + $2)
         ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at"
    );
    sqlx::query(&sql)
        .bind(id)
        .bind(PRESENCE)
        .execute(pool)
        .await?;
    sqlx::query(&format!(
        "DELETE FROM replicas WHERE expires_at < {DB_NOW} - 3600000"
    ))
    .execute(pool)
    .await?;
    Ok(())
}

/// Renews the replica's presence while it runs.
async fn stay_present(pool: PgPool, id: String) {
    loop {
        tokio::time::sleep(RENEW_PRESENCE).await;
        if let Err(e) = be_present(&pool, &id).await {
            // Its claims may be taken meanwhile, as a killed replica's are.
            tracing::warn!(error = %e, "could not renew this replica's presence");
        }
    }
}

/// Sends `payload` after each wake-up, once per wake-ups gathered meanwhile.
async fn send_wakes(pool: PgPool, payload: String, wake: Arc<Notify>) {
    loop {
        wake.notified().await;
        notify(pool.clone(), payload.clone()).await;
    }
}

async fn notify(pool: PgPool, payload: String) {
    let sent = sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(&payload)
        .execute(&pool)
        .await;
    if let Err(e) = sent {
        // The others find the work at their next look; they are only later.
        tracing::warn!(error = %e, "could not signal the other replicas");
    }
}

/// Hears the other processes' signals (its own are skipped). After a lost connection
/// the listener reconnects; what was said meanwhile is found by the workers' next look.
async fn listen(mut listener: PgListener, id: String, heard: broadcast::Sender<Signal>) {
    loop {
        let notification = match listener.recv().await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "lost the other replicas' signals; reconnecting");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let mut parts = notification.payload().splitn(3, ' ');
        let (Some(from), Some(kind), Some(value)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if from == id {
            continue;
        }
        let signal = match kind {
            "wake" => Signal::Wake(value.to_owned()),
            "order" => Signal::OrderChanged(value.into()),
            "merchants" => Signal::MerchantsChanged,
            _ => continue,
        };
        // Nobody listening yet is fine.
        let _ = heard.send(signal);
    }
}
