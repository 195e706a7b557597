//! One gateway process per SQLite file. SQLite itself would let a second process open
//! the file, and its workers would then race the first's: the single writer, the
//! in-memory idempotency claims and the live status fan-out all assume one process.
//! So the store holds an exclusive lock on `<database>.lock` (an OS file lock, freed
//! when the process dies however it dies) for as long as it is open.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::store::StoreError;

/// How long opening waits for a store that is closing (a restart in the same process,
/// a process being stopped) before it calls the file in use.
const WAIT: Duration = Duration::from_secs(3);
const POLL: Duration = Duration::from_millis(25);

/// Held while the store is open; dropping it frees the file.
pub(super) struct ProcessLock {
    _file: File,
}

impl ProcessLock {
    pub(super) async fn acquire(database: &Path) -> Result<Self, StoreError> {
        let path = lock_path(database);
        let io =
            |e: std::io::Error| StoreError::backend(format!("cannot lock {}: {e}", path.display()));
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(POLL).await;
                }
                Err(TryLockError::WouldBlock) => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    return Err(StoreError::backend(format!(
                        "{} is in use by another gateway process ({}); stop it first, or give \
                         this one its own PAYDESK_DATA_DIR",
                        database.display(),
                        holder_of(&holder)
                    )));
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        // Who holds it, for the message another process gets.
        file.set_len(0).map_err(io)?;
        write!(file, "pid {}", std::process::id()).map_err(io)?;
        Ok(ProcessLock { _file: file })
    }
}

fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn holder_of(recorded: &str) -> &str {
    match recorded.trim() {
        "" => "pid unknown",
        pid => pid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_opener_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("gateway.sqlite");
        let first = ProcessLock::acquire(&db).await.unwrap();
        let error = ProcessLock::acquire(&db).await.err().expect("refused");
        let message = error.to_string();
        assert!(
            message.contains(&format!(
                "gateway.sqlite is in use by another gateway process (pid {})",
                std::process::id()
            )),
            "{message}"
        );
        drop(first);
        ProcessLock::acquire(&db).await.unwrap();
    }
}
