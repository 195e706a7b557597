//! Group commit for order creation. Each durable SQLite commit costs an fsync; one
//! commit per order would cap throughput at the disk's fsync rate. Requests queue
//! here and a single task commits whatever has gathered in one transaction, then
//! answers each. Under light load a batch is one order and nothing waits.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::store::{CreateOrderOutcome, NewIdempotencyRecord, NewOrder, StoreError};

/// Most orders committed together; bounded by SQLite's limit on bound parameters.
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<CreateOrderOutcome, StoreError>>;

struct Job {
    order: NewOrder,
    idempotency: Option<NewIdempotencyRecord>,
    reply: Reply,
}

pub(super) struct OrderWriter {
    jobs: mpsc::Sender<Job>,
}

impl OrderWriter {
    pub(super) fn spawn(pool: SqlitePool) -> Self {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(pool, rx));
        OrderWriter { jobs }
    }

    pub(super) async fn create(
        &self,
        order: NewOrder,
        idempotency: Option<NewIdempotencyRecord>,
    ) -> Result<CreateOrderOutcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job {
                order,
                idempotency,
                reply,
            })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run(pool: SqlitePool, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        match commit(&pool, &jobs).await {
            Ok(outcomes) => {
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    let _ = job.reply.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, orders = jobs.len(), "order batch failed to commit");
                let message = e.to_string();
                for job in jobs {
                    let _ = job.reply.send(Err(StoreError::Corrupt(message.clone())));
                }
            }
        }
    }
}

/// Commits one batch and returns each job's outcome, in order.
async fn commit(
    pool: &SqlitePool,
    jobs: &[Job],
) -> Result<Vec<Result<CreateOrderOutcome, StoreError>>, sqlx::Error> {
    let mut tx = pool.begin().await?;

    // Keys answered before, fetched in one statement.
    let keyed: Vec<&NewIdempotencyRecord> =
        jobs.iter().filter_map(|j| j.idempotency.as_ref()).collect();
    // (merchant, key) → (request hash, order id)
    let mut known: HashMap<(String, String), (String, String)> = HashMap::new();
    if !keyed.is_empty() {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT merchant_id, key, request_hash, order_id FROM idempotency_keys WHERE (merchant_id, key) IN (VALUES ",
        );
        let mut values = q.separated(", ");
        for k in &keyed {
            values.push("(");
            values.push_bind_unseparated(&k.merchant_id);
            values.push_unseparated(", ");
            values.push_bind_unseparated(&k.key);
            values.push_unseparated(")");
        }
        q.push(")");
        for row in q.build().fetch_all(&mut *tx).await? {
            known.insert(
                (row.try_get("merchant_id")?, row.try_get("key")?),
                (row.try_get("request_hash")?, row.try_get("order_id")?),
            );
        }
    }

    // Decide each job; a key repeated inside this batch answers like a stored one.
    let mut outcomes = Vec::with_capacity(jobs.len());
    let mut fresh: Vec<&Job> = Vec::with_capacity(jobs.len());
    for job in jobs {
        let outcome = match &job.idempotency {
            Some(k) => match known.get(&(k.merchant_id.clone(), k.key.clone())) {
                Some((hash, _)) if *hash != k.request_hash => Err(StoreError::IdempotencyKeyReused),
                Some((_, order_id)) => Ok(CreateOrderOutcome::Replayed {
                    order_id: order_id.clone(),
                }),
                None => {
                    known.insert(
                        (k.merchant_id.clone(), k.key.clone()),
                        (k.request_hash.clone(), job.order.id.clone()),
                    );
                    fresh.push(job);
                    Ok(CreateOrderOutcome::Created)
                }
            },
            None => {
                fresh.push(job);
                Ok(CreateOrderOutcome::Created)
            }
        };
        outcomes.push(outcome);
    }

    if !fresh.is_empty() {
        insert_orders(&mut tx, &fresh).await?;
    }
    tx.commit().await?;
    Ok(outcomes)
}

async fn insert_orders(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    jobs: &[&Job],
) -> Result<(), sqlx::Error> {
    let mut q = QueryBuilder::<Sqlite>::new(
        "INSERT INTO orders (id, merchant_id, status, currency, total_minor, merchant_reference, return_url, client_token, created_at, expires_at) ",
    );
    q.push_values(jobs, |mut b, job| {
        let o = &job.order;
        b.push_bind(&o.id)
            .push_bind(&o.merchant_id)
            .push_bind("created")
            .push_bind(o.currency.code())
            .push_bind(o.total.minor())
            .push_bind(&o.merchant_reference)
            .push_bind(&o.return_url)
            .push_bind(&o.client_token)
            .push_bind(o.created_at)
            .push_bind(o.expires_at);
    });
    q.build().execute(&mut **tx).await?;

    let items: Vec<_> = jobs
        .iter()
        .flat_map(|j| {
            j.order
                .items
                .iter()
                .enumerate()
                .map(move |(i, item)| (&j.order.id, i, item))
        })
        .collect();
    // Seven parameters per item row; chunks keep each statement under SQLite's limit.
    for chunk in items.chunks(4000) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO order_items (order_id, position, name, quantity, unit_price_minor, line_total_minor, image_url) ",
        );
        q.push_values(chunk, |mut b, (order_id, position, item)| {
            b.push_bind(*order_id)
                .push_bind(*position as i64)
                .push_bind(&item.name)
                .push_bind(i64::from(item.quantity))
                .push_bind(item.unit_price.minor())
                .push_bind(item.line_total.minor())
                .push_bind(&item.image_url);
        });
        q.build().execute(&mut **tx).await?;
    }

    let keys: Vec<_> = jobs
        .iter()
        .filter_map(|j| j.idempotency.as_ref().map(|k| (k, &j.order.id)))
        .collect();
    if !keys.is_empty() {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO idempotency_keys (merchant_id, key, request_hash, order_id, created_at) ",
        );
        q.push_values(keys, |mut b, (k, order_id)| {
            b.push_bind(&k.merchant_id)
                .push_bind(&k.key)
                .push_bind(&k.request_hash)
                .push_bind(order_id.as_str())
                .push_bind(k.created_at);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}
