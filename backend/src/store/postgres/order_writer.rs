//! Group commit for order creation. Each durable PostgreSQL commit costs an fsync; one
//! commit per order would cap throughput at the disk's fsync rate. Requests queue
//! here and a single task commits whatever has gathered in one transaction, then
//! answers each. Under light load a batch is one order and nothing waits.

use sqlx::{PgPool, Postgres, QueryBuilder};
use tokio::sync::{mpsc, oneshot};

use super::idempotency;
use super::retry::retrying;
use crate::domain::idempotency::KeyAnswer;
use crate::store::{CreateOrder, StoreError};

/// Most orders committed together; bounded by PostgreSQL's limit on bound parameters.
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<(), StoreError>>;

struct Job {
    command: CreateOrder,
    reply: Reply,
}

pub(super) struct OrderWriter {
    jobs: mpsc::Sender<Job>,
}

impl OrderWriter {
    pub(super) fn spawn(pool: PgPool) -> Self {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(pool, rx));
        OrderWriter { jobs }
    }

    pub(super) async fn create(&self, command: CreateOrder) -> Result<(), StoreError> {
        let (reply, done) = oneshot::channel();
        let gone = || StoreError::backend("the order writer has stopped");
        self.jobs
            .send(Job { command, reply })
            .await
            .map_err(|_| gone())?;
        done.await.map_err(|_| gone())?
    }
}

async fn run(pool: PgPool, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        match retrying(|| async { Ok(commit(&pool, &jobs).await?) }).await {
            Ok(()) => {
                for job in jobs {
                    let _ = job.reply.send(Ok(()));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, orders = jobs.len(), "order batch failed to commit");
                let message = e.to_string();
                for job in jobs {
                    let _ = job.reply.send(Err(StoreError::backend(message.clone())));
                }
            }
        }
    }
}

/// Commits one batch: every order with its items and the answer its key replays.
async fn commit(pool: &PgPool, jobs: &[Job]) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    insert_orders(&mut tx, jobs).await?;
    let answers: Vec<&KeyAnswer> = jobs
        .iter()
        .filter_map(|j| j.command.answer.as_ref())
        .collect();
    idempotency::record(&mut tx, &answers).await?;
    tx.commit().await
}

async fn insert_orders(
    tx: &mut sqlx::Transaction<'_, Postgres>,
    jobs: &[Job],
) -> Result<(), sqlx::Error> {
    let mut q = QueryBuilder::<Postgres>::new(
        "INSERT INTO orders (id, merchant_id, status, currency, total_minor, merchant_reference, return_url, client_token, created_at, expires_at) ",
    );
    q.push_values(jobs, |mut b, job| {
        let o = &job.command.order;
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
            let order = &j.command.order;
            order
                .items
                .iter()
                .enumerate()
                .map(move |(i, item)| (&order.id, i, item))
        })
        .collect();
    // Seven parameters per item row; chunks keep each statement under PostgreSQL's limit.
    for chunk in items.chunks(4000) {
        let mut q = QueryBuilder::<Postgres>::new(
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

    Ok(())
}
