//! The connection the group commits write on, owned by a thread of its own.
//!
//! A batch is a handful of single-row inserts with prepared statements: the thread runs
//! the whole transaction, from `BEGIN` to `COMMIT`, without handing control back to
//! the async runtime between statements. Through the pool's connection each statement
//! was a round trip to the driver's thread and back to a task that then waited its turn
//! among every request the runtime was serving.
//!
//! This is a second writing connection to the file, so it writes only while its caller
//! holds the write pool's one connection ([`BatchConnection::write`] takes it): that
//! connection stays the process's write lock, and no two transactions ever wait on
//! each other inside SQLite.
//!
//! Its commits do not wait for the disk (`synchronous=NORMAL`); the group committer
//! asks the [`WalFlusher`](super::wal_flush::WalFlusher) before it answers anyone.

use std::path::Path;
use std::sync::mpsc;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use sqlx::SqlitePool;
use tokio::sync::oneshot;

use super::checkpointer::WRITER_FALLBACK_PAGES;
use super::{BUSY_TIMEOUT, PRAGMAS};
use crate::store::StoreError;

type Task = Box<dyn FnOnce(&mut Connection) + Send>;

/// Sends transactions to the thread; the thread ends when the last handle is dropped.
#[derive(Clone)]
pub(super) struct BatchConnection {
    tasks: mpsc::Sender<Task>,
    lock: SqlitePool,
}

impl BatchConnection {
    /// Opens the connection to the database at `path`, whose schema is up to date, on
    /// its thread. `lock` is the write pool whose one connection every writer holds.
    pub(super) fn open(path: &Path, lock: SqlitePool) -> Result<Self, StoreError> {
        let conn = connect(path)?;
        let (tasks, rx) = mpsc::channel::<Task>();
        std::thread::Builder::new()
            .name("sqlite-batch-writer".into())
            .spawn(move || {
                let mut conn = conn;
                while let Ok(task) = rx.recv() {
                    task(&mut conn);
                }
            })
            .map_err(|e| StoreError::backend(format!("cannot start the batch writer: {e}")))?;
        Ok(BatchConnection { tasks, lock })
    }

    /// Runs `write` in one immediate transaction on the thread and commits it, while
    /// holding the write lock; on an error nothing of it stays.
    pub(super) async fn write<O, F>(&self, write: F) -> Result<O, StoreError>
    where
        O: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<O> + Send + 'static,
    {
        let _lock = self.lock.acquire().await?;
        let (done, result) = oneshot::channel();
        let task: Task = Box::new(move |conn| {
            let _ = done.send(transaction(conn, write));
        });
        let gone = || StoreError::backend("the batch writer has stopped");
        self.tasks.send(task).map_err(|_| gone())?;
        result.await.map_err(|_| gone())?.map_err(StoreError::from)
    }
}

fn transaction<O>(
    conn: &mut Connection,
    write: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<O>,
) -> rusqlite::Result<O> {
    // Dropped without a commit, the transaction rolls back.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let output = write(&tx)?;
    tx.commit()?;
    Ok(output)
}

/// The pool's settings, but for `synchronous`; the file is already in WAL mode.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "wal_autocheckpoint", WRITER_FALLBACK_PAGES)?;
    for (name, value) in PRAGMAS {
        conn.pragma_update(None, name, value)?;
    }
    Ok(conn)
}
