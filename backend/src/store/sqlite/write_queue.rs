//! The line for the one write connection.
//!
//! The group commits (order creation, the bank inbox) answer requests that wait for
//! them, and each batch holds the connection for well under a millisecond. Every other
//! writer — the applier, the webhook recorder, the workers, the merchant API's changes —
//! commits with a full sync, a flush of the disk while it holds the connection. In one
//! first-come queue, a burst of those put tens of them ahead of a group commit: its
//! requests waited for every flush in between (32 ms at the 99th percentile with
//! notifications at 1,000/s).
//!
//! So those writers queue here first, one at a time: at most one of them is ever in
//! the pool's own queue or holding the connection, and a group commit waits for at most
//! that one and the other group commit. They lose no throughput (one writer at a time
//! was all the connection allowed anyway), and whoever waits longer finds more work
//! gathered for its next transaction.

use std::ops::Deref;

use sqlx::SqlitePool;
use tokio::sync::{Mutex, MutexGuard};

pub(super) struct WriteQueue {
    pool: SqlitePool,
    turns: Mutex<()>,
}

/// The write pool, for one writer that is not a group commit; holds its turn until
/// dropped.
pub(super) struct Turn<'a> {
    pool: &'a SqlitePool,
    _turn: MutexGuard<'a, ()>,
}

impl WriteQueue {
    pub(super) fn new(pool: SqlitePool) -> Self {
        WriteQueue {
            pool,
            turns: Mutex::new(()),
        }
    }

    /// Waits for this writer's turn (first come, first served among such writers).
    pub(super) async fn turn(&self) -> Turn<'_> {
        Turn {
            _turn: self.turns.lock().await,
            pool: &self.pool,
        }
    }

    /// The pool itself: the group commits' way in, past the line.
    pub(super) fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl Deref for Turn<'_> {
    type Target = SqlitePool;

    fn deref(&self) -> &SqlitePool {
        self.pool
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use sqlx::sqlite::SqlitePoolOptions;

    use super::WriteQueue;

    /// Lets every task that can run, run until it waits (one thread: deterministic).
    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    /// Two writers wait for their turns while a third holds the connection: a group
    /// commit asking for the pool after them is served as soon as it is free, ahead of
    /// both. Without the turns they would be in the pool's queue before it.
    #[tokio::test]
    async fn a_group_commit_waits_for_the_holder_only_not_for_the_writers_in_line() {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("a pool");
        let queue = Arc::new(WriteQueue::new(pool));
        let served = Arc::new(Mutex::new(Vec::new()));

        let holder = queue.turn().await;
        let held = holder.acquire().await.expect("the connection");
        let mut waiting = Vec::new();
        for name in ["writer 1", "writer 2"] {
            let (queue, served) = (queue.clone(), served.clone());
            waiting.push(tokio::spawn(async move {
                let turn = queue.turn().await;
                let _conn = turn.acquire().await.expect("the connection");
                served.lock().expect("lock").push(name);
            }));
            settle().await;
        }
        let group_commit = {
            let (pool, served) = (queue.pool().clone(), served.clone());
            tokio::spawn(async move {
                let _conn = pool.acquire().await.expect("the connection");
                served.lock().expect("lock").push("group commit");
            })
        };
        settle().await;
        assert!(
            served.lock().expect("lock").is_empty(),
            "all wait for the holder"
        );

        drop(held);
        drop(holder);
        group_commit.await.expect("served");
        for writer in waiting {
            writer.await.expect("served");
        }
        assert_eq!(
            *served.lock().expect("lock"),
            ["group commit", "writer 1", "writer 2"]
        );
    }
}
