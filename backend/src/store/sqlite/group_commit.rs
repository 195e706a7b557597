//! Group commit for the two inserts every payment makes: creating its order and storing
//! the bank's verdict in the inbox. A durable commit costs a flush of the log to disk;
//! one per request would cap throughput at the disk's flush rate. Requests queue here,
//! and one task writes whatever has gathered in one transaction, then answers each.
//! Under light load a batch is one request and nothing waits.
//!
//! The batch is written on the [`BatchConnection`], which commits without waiting for
//! the disk; the committer then asks the [`WalFlusher`] for the flush, so the next
//! batch is written while the disk flushes the last one. Nobody is answered before
//! their batch is on disk. Only these transactions commit this way: every other write
//! keeps `synchronous=FULL`, so whatever a worker reads and acts on outside (a webhook,
//! a call to a bank) was flushed before it could be read. Of the rows written here, an
//! order is unknown to anyone before its answer, and an inbox entry is acted on only by
//! the applier, whose own full commit flushes it with it.

use std::mem;

use rusqlite::Transaction;
use tokio::sync::{mpsc, oneshot};

use super::batch_connection::BatchConnection;
use super::wal_flush::{Flush, WalFlusher};
use crate::store::StoreError;

/// Most requests committed together.
const MAX_BATCH: usize = 256;

/// Writes one batch inside the transaction: one output per input, in order.
pub(super) type WriteBatch<I, O> = fn(&Transaction<'_>, &[I]) -> rusqlite::Result<Vec<O>>;

type Reply<O> = oneshot::Sender<Result<O, StoreError>>;

struct Job<I, O> {
    input: I,
    reply: Reply<O>,
}

pub(super) struct GroupCommit<I, O> {
    name: &'static str,
    jobs: mpsc::Sender<Job<I, O>>,
}

impl<I: Send + 'static, O: Send + 'static> GroupCommit<I, O> {
    /// Starts the committer; `name` says what it writes, in logs and errors.
    pub(super) fn spawn(
        name: &'static str,
        conn: BatchConnection,
        flusher: WalFlusher,
        write: WriteBatch<I, O>,
    ) -> Self {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        let committer = Committer {
            name,
            conn,
            flusher,
            write,
        };
        tokio::spawn(committer.run(rx));
        GroupCommit { name, jobs }
    }

    /// Writes `input` with whatever else is waiting; answers once it is on disk.
    pub(super) async fn submit(&self, input: I) -> Result<O, StoreError> {
        let (reply, answer) = oneshot::channel();
        let gone = || StoreError::backend(format!("the {} writer has stopped", self.name));
        self.jobs
            .send(Job { input, reply })
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

struct Committer<I, O> {
    name: &'static str,
    conn: BatchConnection,
    flusher: WalFlusher,
    write: WriteBatch<I, O>,
}

impl<I: Send + 'static, O: Send + 'static> Committer<I, O> {
    async fn run(self, mut rx: mpsc::Receiver<Job<I, O>>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let (inputs, replies): (Vec<I>, Vec<Reply<O>>) = mem::take(&mut batch)
                .into_iter()
                .map(|job| (job.input, job.reply))
                .unzip();
            match self.commit(inputs).await {
                Ok(outputs) => {
                    // The answers wait for the disk; the next batch does not.
                    tokio::spawn(answer_when_flushed(
                        self.flusher.request(),
                        replies,
                        outputs,
                    ));
                }
                Err(e) => {
                    tracing::error!(error = %e, requests = replies.len(), writer = self.name, "batch failed to commit");
                    let message = e.to_string();
                    for reply in replies {
                        let _ = reply.send(Err(StoreError::backend(message.clone())));
                    }
                }
            }
        }
    }

    async fn commit(&self, inputs: Vec<I>) -> Result<Vec<O>, StoreError> {
        let (write, name, requests) = (self.write, self.name, inputs.len());
        let outputs = self.conn.write(move |tx| write(tx, &inputs)).await?;
        if outputs.len() != requests {
            return Err(StoreError::backend(format!(
                "the {name} batch wrote {} of {requests} requests",
                outputs.len(),
            )));
        }
        Ok(outputs)
    }
}

async fn answer_when_flushed<O>(flush: Flush, replies: Vec<Reply<O>>, outputs: Vec<O>) {
    match flush.done().await {
        Ok(()) => {
            for (reply, output) in replies.into_iter().zip(outputs) {
                let _ = reply.send(Ok(output));
            }
        }
        Err(e) => {
            let message = e.to_string();
            for reply in replies {
                let _ = reply.send(Err(StoreError::backend(message.clone())));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::store::contract::fixtures::{MERCHANT, merchant, new_order};
    use crate::store::sqlite::SqliteStore;
    use crate::store::{CreateOrder, MerchantStore, OrderStore};

    /// `PRAGMA synchronous` on the one write connection: 2 is FULL.
    async fn synchronous(store: &SqliteStore) -> i64 {
        sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(store.write.pool())
            .await
            .expect("read")
    }

    fn create(id: &str) -> CreateOrder {
        CreateOrder {
            order: new_order(id, MERCHANT),
            answer: None,
        }
    }

    /// Every other writer relies on full sync: a batch, committed or failed, leaves
    /// the write pool's connection syncing in full and outside any transaction.
    #[tokio::test]
    async fn the_write_connection_syncs_in_full_after_every_batch() {
        let dir = tempfile::tempdir().expect("a directory");
        let store = SqliteStore::open(&dir.path().join("gateway.sqlite"))
            .await
            .expect("opens");
        store
            .upsert_merchant(&merchant(MERCHANT))
            .await
            .expect("stored");
        assert_eq!(synchronous(&store).await, 2);

        store.create_order(create("ord_1")).await.expect("created");
        assert_eq!(synchronous(&store).await, 2);

        // The same id again: the batch fails on the primary key, after it began.
        let failed = store.create_order(create("ord_1")).await;
        assert!(failed.is_err(), "a duplicate id is refused: {failed:?}");
        assert_eq!(synchronous(&store).await, 2);

        // Nothing of the failed batch stayed open: the next commits and is read back.
        store.create_order(create("ord_2")).await.expect("created");
        let read = store.order_by_id(&"ord_2".into()).await.expect("read");
        assert!(read.is_some(), "the order after a failed batch is stored");
        assert_eq!(synchronous(&store).await, 2);
    }
}
