//! The daily settlement run, at the configured minute (UTC) on the gateway's clock:
//! reconciles yesterday (its whole file) and today (the file so far), settles and
//! pays out. A day's run happens once; a gateway down at the minute runs it when it
//! starts.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{Step, Worker};
use crate::books::{self, RunDate};
use crate::domain::time::{DAY, Millis};
use crate::state::AppState;
use crate::store::StoreError;

pub(super) struct Settler(pub(super) Arc<AppState>);

impl Settler {
    /// When today's run is due.
    fn due_today(&self, now: Millis) -> (RunDate, Millis) {
        let today = RunDate::of(now);
        let minute = Millis::from(self.0.books.config.settlement_minute);
        let due = today.start() + minute * 60_000;
        (today, due)
    }
}

#[async_trait]
impl Worker for Settler {
    fn name(&self) -> &'static str {
        "settler"
    }

    async fn step(&self) -> Result<Step, StoreError> {
        let now = self.0.clock.now_ms();
        let (today, due) = self.due_today(now);
        if now < due
            || !self
                .0
                .store
                .mark_settlement_run(today.as_str(), now)
                .await?
        {
            return Ok(Step::Idle);
        }
        books::run(&self.0, &today.previous()).await?;
        books::run(&self.0, &today).await?;
        Ok(Step::Worked)
    }

    async fn next_due(&self) -> Result<Option<Millis>, StoreError> {
        let now = self.0.clock.now_ms();
        let (_, due) = self.due_today(now);
        Ok(Some(if now < due { due } else { due + DAY }))
    }

    fn max_idle(&self) -> Duration {
        Duration::from_secs(60)
    }
}
