//! Background work, one loop for all of it. A worker is a step (do one batch of what is
//! due now), when it is next due, and what wakes it. The loop steps until a step finds
//! nothing due, then sleeps on the gateway's clock until the next due time, a wake-up,
//! or the gateway stopping. [`Workers::drain`] lets a test wait, without polling, until
//! no worker has anything left to do.

mod applier;
mod dispatcher;
mod expirer;
pub(crate) use expirer::expire;
mod janitor;
mod lease;
mod maintenance;
mod payouter;
mod querier;
mod refunder;
mod settler;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{Notify, watch};

use crate::clock::Clock;
use crate::domain::time::{Millis, millis};
use crate::state::AppState;
use crate::store::StoreError;

pub(crate) use dispatcher::Dispatcher;

/// The names of the workers that stored work wakes, on this replica and the others.
pub(crate) const APPLIER: &str = "applier";
pub(crate) const REFUNDER: &str = "refunder";
pub(crate) const DISPATCHER: &str = "dispatcher";
pub(crate) const PAYOUTER: &str = "payouter";
use lease::Lease;

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Did some work: step again at once, something else may be due.
    Worked,
    /// Found nothing due now.
    Idle,
    /// Work is under way elsewhere (requests in flight): sleep until woken.
    Waiting,
    /// Something due cannot be done yet: look again after this long.
    Retry(Duration),
}

#[async_trait]
pub(crate) trait Worker: Send + Sync + 'static {
    fn name(&self) -> &'static str;

    /// Does one batch of what is due now.
    async fn step(&self) -> Result<Step, StoreError>;

    /// When something is next due, after a step found nothing; `None` if unknown.
    async fn next_due(&self) -> Result<Option<Millis>, StoreError>;

    /// The longest the worker sleeps without looking, in case it missed a wake-up.
    fn max_idle(&self) -> Duration;

    /// Finishes what is under way once the gateway stops.
    async fn stop(&self) {}

    /// Whether one replica at a time runs it (holding its lease in the store), or each
    /// replica runs its own (work on what only this process holds).
    fn leased(&self) -> bool {
        true
    }
}

/// A worker's side of a drain: how many drains it was asked for before its last idle
/// step began, and how many steps did work.
#[derive(Default)]
struct Progress {
    asked: AtomicU64,
    worked: AtomicU64,
}

struct Handle {
    name: &'static str,
    wake: Arc<Notify>,
    progress: Arc<Progress>,
    idle_after: watch::Receiver<u64>,
}

/// The gateway's workers, for starting them and for tests to drain them.
#[derive(Clone)]
pub struct Workers {
    handles: Arc<Vec<Handle>>,
}

/// A worker ready to run: the worker, what wakes it, and where it reports.
pub(crate) struct Runner {
    worker: Box<dyn Worker>,
    wake: Arc<Notify>,
    progress: Arc<Progress>,
    idle_after: watch::Sender<u64>,
    lease: Lease,
}

/// The gateway's workers, each with its wake-up: the applier when a verdict is
/// stored, the refunder when a refund is created, the dispatcher when an event is.
pub(crate) fn all(
    state: &Arc<AppState>,
    dispatcher: Dispatcher,
    lease: Duration,
) -> (Workers, Vec<Runner>) {
    let workers: Vec<(Box<dyn Worker>, Arc<Notify>)> = vec![
        (
            Box::new(applier::Applier::new(state.clone())),
            state.bank.applier.local(),
        ),
        (Box::new(querier::Querier(state.clone())), Arc::default()),
        (
            Box::new(refunder::Refunder(state.clone())),
            state.bank.refunder.local(),
        ),
        (Box::new(expirer::Expirer(state.clone())), Arc::default()),
        (Box::new(dispatcher), state.outbox.local()),
        (
            Box::new(maintenance::Watcher(state.clone())),
            Arc::default(),
        ),
        (
            Box::new(janitor::Janitor::new(state.clone())),
            Arc::default(),
        ),
        (
            Box::new(payouter::Payouter(state.clone())),
            state.books.payouts.local(),
        ),
        (Box::new(settler::Settler(state.clone())), Arc::default()),
    ];
    let mut handles = Vec::new();
    let mut runners = Vec::new();
    for (worker, wake) in workers {
        let progress = Arc::new(Progress::default());
        let (idle_after, idle_rx) = watch::channel(0);
        handles.push(Handle {
            name: worker.name(),
            wake: wake.clone(),
            progress: progress.clone(),
            idle_after: idle_rx,
        });
        runners.push(Runner {
            lease: Lease::new(state.store.clone(), worker.name(), worker.leased(), lease),
            worker,
            wake,
            progress,
            idle_after,
        });
    }
    let workers = Workers {
        handles: Arc::new(handles),
    };
    (workers, runners)
}

impl Runner {
    /// Steps until nothing is due, then sleeps until the next due time, a wake-up or
    /// `shutdown`; returns when the gateway stops.
    pub(crate) async fn run(mut self, clock: Arc<dyn Clock>, mut shutdown: watch::Receiver<bool>) {
        let w = &*self.worker;
        loop {
            if *shutdown.borrow() {
                break;
            }
            if !self.lease.hold().await {
                // Another replica runs it: nothing is due here, as a drain sees it.
                let asked = self.progress.asked.load(Ordering::SeqCst);
                self.idle_after.send_replace(asked);
                if !sleep(&*clock, self.lease.look_again(), &self.wake, &mut shutdown).await {
                    break;
                }
                continue;
            }
            let asked = self.progress.asked.load(Ordering::SeqCst);
            let step = w.step().await.unwrap_or_else(|e| {
                tracing::error!(worker = w.name(), error = %e, "background work failed; will retry");
                Step::Idle
            });
            let wait = match step {
                Step::Worked => {
                    self.progress.worked.fetch_add(1, Ordering::SeqCst);
                    continue;
                }
                Step::Idle => {
                    self.idle_after.send_replace(asked);
                    until_due(&*clock, w.next_due().await, w.max_idle())
                }
                Step::Waiting => w.max_idle(),
                Step::Retry(after) => after,
            };
            if !sleep(&*clock, wait, &self.wake, &mut shutdown).await {
                break;
            }
        }
        w.stop().await;
        self.lease.release().await;
    }
}

impl Workers {
    /// The workers other processes wake when they store work for them.
    pub(crate) const WOKEN: [&'static str; 4] = [APPLIER, REFUNDER, DISPATCHER, PAYOUTER];

    /// Wakes the worker named `name`, if there is one.
    pub(crate) fn wake(&self, name: &str) {
        if let Some(h) = self.handles.iter().find(|h| h.name == name) {
            h.wake.notify_one();
        }
    }

    /// Waits until every worker has run a step that found nothing due, and none did
    /// any work meanwhile (one worker's work is often another's: a verdict applied is
    /// an event to deliver). For tests; the clock does not move.
    pub async fn drain(&self) {
        loop {
            let before = self.worked();
            for h in self.handles.iter() {
                h.until_idle().await;
            }
            if self.worked() == before {
                return;
            }
        }
    }

    fn worked(&self) -> u64 {
        self.handles
            .iter()
            .map(|h| h.progress.worked.load(Ordering::SeqCst))
            .sum()
    }
}

impl Handle {
    async fn until_idle(&self) {
        let ask = self.progress.asked.fetch_add(1, Ordering::SeqCst) + 1;
        self.wake.notify_one();
        let mut idle_after = self.idle_after.clone();
        if idle_after.wait_for(|seen| *seen >= ask).await.is_err() {
            tracing::warn!(worker = self.name, "drained a worker that has stopped");
        }
    }
}

/// Sleeps for `wait` of clock time, until `wake` fires or the gateway stops; `false`
/// on stop.
async fn sleep(
    clock: &dyn Clock,
    wait: Duration,
    wake: &Notify,
    shutdown: &mut watch::Receiver<bool>,
) -> bool {
    let at = clock.now_ms().saturating_add(millis(wait));
    tokio::select! {
        () = wake.notified() => true,
        () = clock.sleep_until(at) => true,
        _ = shutdown.changed() => false,
    }
}

/// How long to sleep when the next piece of work is due at `next`, at most `max`.
fn until_due(
    clock: &dyn Clock,
    next: Result<Option<Millis>, StoreError>,
    max: Duration,
) -> Duration {
    match next {
        Ok(Some(at)) => {
            let ms = (at - clock.now_ms()).clamp(0, millis(max));
            Duration::from_millis(ms.unsigned_abs())
        }
        Ok(None) => max,
        Err(e) => {
            tracing::warn!(error = %e, "could not read when work is next due");
            max
        }
    }
}
