//! Checkpoints off the writer's path. SQLite copies the write-ahead log back into the
//! database (a checkpoint) from whichever commit finds the log past a size, inside
//! that commit: the one writer then copies thousands of pages and syncs the database
//! file twice while every other write waits. Here a connection of its own checkpoints
//! every [`EVERY`] in `PASSIVE` mode, which runs beside the writer and readers (it
//! copies only what no reader still needs), so the writer's own checkpoints, at
//! [`WRITER_FALLBACK_PAGES`], are left to catch up only if this one falls behind.

use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::store::StoreError;

const EVERY: Duration = Duration::from_millis(50);
/// The writer's `wal_autocheckpoint`: four times SQLite's default, so that under any
/// load this checkpointer gets there first.
pub(super) const WRITER_FALLBACK_PAGES: u32 = 4000;

/// Stops checkpointing when dropped.
pub(super) struct Checkpointer {
    task: JoinHandle<()>,
}

impl Checkpointer {
    pub(super) async fn start(options: &SqliteConnectOptions) -> Result<Self, StoreError> {
        let conn = options.connect().await?;
        Ok(Checkpointer {
            task: tokio::spawn(run(conn)),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(mut conn: SqliteConnection) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // (busy, pages in the log, pages checkpointed); nothing to do is cheap.
        let done: Result<(i64, i64, i64), _> = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&mut conn)
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, "checkpoint failed; the writer's own checkpoints take over");
        }
    }
}
