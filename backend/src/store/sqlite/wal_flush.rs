//! Flushing the write-ahead log to disk outside SQLite's write lock.
//!
//! With `synchronous=FULL` a commit writes its pages to the log and then waits for the
//! disk (an fsync, milliseconds on most disks) while it still holds the one write lock:
//! no other transaction can start meanwhile, so the disk's latency, not the CPU, bounds
//! how many group commits a second the writer makes. The group committers
//! ([`super::group_commit`]) commit with `synchronous=NORMAL` instead, which writes the
//! same pages and returns at once, and ask this flusher for an fsync of the log before
//! they answer anyone. The next batch is written while the disk flushes the last one.
//!
//! One fsync covers every request made before it started: the log is one file, written
//! in order, and `fsync` flushes all of its pages, whichever descriptor wrote them. The
//! flusher thread takes every request waiting, then syncs, then answers them all; a
//! request arriving while a sync runs waits for the next, because the running one may
//! have started before its commit wrote.
//!
//! A failed fsync leaves the log's pages in an unknown state (the kernel may have
//! dropped them), so the flusher refuses every later request: writes fail until the
//! gateway restarts and SQLite recovers from what is on disk.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use tokio::sync::oneshot;

use crate::store::StoreError;

type Done = oneshot::Sender<Result<(), String>>;

/// Asks the flusher thread for fsyncs; the thread ends when the last handle is dropped.
#[derive(Clone)]
pub(super) struct WalFlusher {
    requests: mpsc::Sender<Done>,
}

/// A requested flush, to wait for.
pub(super) struct Flush(oneshot::Receiver<Result<(), String>>);

impl WalFlusher {
    /// Starts the flusher for the database at `database` (its log is `<database>-wal`).
    pub(super) fn start(database: &Path) -> Result<Self, StoreError> {
        let wal = wal_path(database);
        let (requests, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-wal-flush".into())
            .spawn(move || serve(&wal, &rx))
            .map_err(|e| StoreError::backend(format!("cannot start the log flusher: {e}")))?;
        Ok(WalFlusher { requests })
    }

    /// Requests a flush of everything committed so far; does not wait.
    pub(super) fn request(&self) -> Flush {
        let (done, flushed) = oneshot::channel();
        // If the thread is gone the receiver sees the sender dropped: an error.
        let _ = self.requests.send(done);
        Flush(flushed)
    }
}

impl Flush {
    pub(super) async fn done(self) -> Result<(), StoreError> {
        match self.0.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::backend(e)),
            Err(_) => Err(StoreError::backend("the log flusher has stopped")),
        }
    }
}

fn wal_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

fn serve(wal: &Path, requests: &mpsc::Receiver<Done>) {
    let mut failed: Option<String> = None;
    while let Ok(first) = requests.recv() {
        let waiting: Vec<Done> = std::iter::once(first).chain(requests.try_iter()).collect();
        let result = match &failed {
            Some(e) => Err(e.clone()),
            None => flush(wal).map_err(|e| {
                let message = format!(
                    "the write-ahead log {} could not be flushed to disk ({e}); writes are refused until the gateway restarts",
                    wal.display()
                );
                tracing::error!("{message}");
                failed = Some(message.clone());
                message
            }),
        };
        for done in waiting {
            let _ = done.send(result.clone());
        }
    }
}

/// Opened for each flush: SQLite removes the log when its last connection closes and
/// makes a new one later, and a descriptor kept open would go on syncing the old one.
/// No log means the last connection checkpointed it into the database, and synced that.
fn flush(wal: &Path) -> io::Result<()> {
    match std::fs::File::open(wal) {
        Ok(file) => file.sync_data(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn flushes_an_existing_log_and_a_missing_one() {
        let dir = tempfile::tempdir().expect("a directory");
        let database = dir.path().join("gateway.sqlite");
        let flusher = WalFlusher::start(&database).expect("starts");
        flusher
            .request()
            .done()
            .await
            .expect("no log: nothing to flush");
        std::fs::write(wal_path(&database), b"frames").expect("written");
        let flushes: Vec<Flush> = (0..3).map(|_| flusher.request()).collect();
        for flush in flushes {
            flush.done().await.expect("flushed");
        }
    }

    #[tokio::test]
    async fn a_failed_flush_refuses_every_later_one() {
        let dir = tempfile::tempdir().expect("a directory");
        // A file where the database's directory should be: the log cannot be opened.
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, b"").expect("written");
        let flusher = WalFlusher::start(&blocker.join("gateway.sqlite")).expect("starts");
        let first = flusher.request().done().await;
        assert!(first.is_err(), "the log could not be opened: {first:?}");

        // Once the directory is there, a flush would find no log and succeed; a
        // flusher that failed once must not.
        std::fs::remove_file(&blocker).expect("removed");
        std::fs::create_dir(&blocker).expect("made");
        let later = flusher.request().done().await;
        let error = later.expect_err("refused after a failure").to_string();
        assert!(error.contains("could not be flushed"), "{error}");
    }
}
