//! Sends due webhook deliveries, up to [`CONCURRENCY`] at once; a recorder commits
//! their results in batches. A delivery stays pending in the store until its result is
//! committed; [`InFlight`] keeps it from being picked again meanwhile, and from a read
//! that began before that commit.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{Notify, Semaphore, mpsc};
use tokio::task::JoinHandle;

use super::{Step, Worker};
use crate::domain::time::Millis;
use crate::domain::webhook::DeliveryResult;
use crate::store::{Store, StoreError};
use crate::webhooks::Sender;
use crate::webhooks::in_flight::InFlight;

/// Deliveries in flight at once.
const CONCURRENCY: usize = 64;
/// Most attempts recorded in one transaction.
const RECORD_BATCH: usize = 256;

pub(crate) struct Dispatcher {
    store: Arc<dyn Store>,
    sender: Arc<Sender>,
    in_flight: Arc<InFlight>,
    slots: Arc<Semaphore>,
    /// Taken when the gateway stops: no attempt starts any more.
    done: Mutex<Option<mpsc::Sender<DeliveryResult>>>,
    recorder: Mutex<Option<JoinHandle<()>>>,
}

impl Dispatcher {
    /// Starts the recorder; `wakeup` is the dispatcher's own wake-up, fired when an
    /// event is enqueued and after attempts are recorded.
    pub(crate) fn new(store: Arc<dyn Store>, sender: Sender, wakeup: Arc<Notify>) -> Self {
        let in_flight: Arc<InFlight> = Arc::default();
        let (done, results) = mpsc::channel(CONCURRENCY * 2);
        let recorder = tokio::spawn(record(store.clone(), results, in_flight.clone(), wakeup));
        Dispatcher {
            store,
            sender: Arc::new(sender),
            in_flight,
            slots: Arc::new(Semaphore::new(CONCURRENCY)),
            done: Mutex::new(Some(done)),
            recorder: Mutex::new(Some(recorder)),
        }
    }

    /// Starts up to `free` due deliveries that are not in flight; returns how many.
    async fn start_due(&self, free: usize) -> Result<usize, StoreError> {
        let Some(done) = self
            .done
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        else {
            return Ok(0);
        };
        let limit = u32::try_from(free + self.in_flight.sending()).unwrap_or(u32::MAX);
        let mark = self.in_flight.before_read();
        let now = self.sender.clock.now_ms();
        let due = self.store.due_deliveries(now, limit).await?;
        let mut started = 0;
        for delivery in due {
            if started == free {
                break;
            }
            let key = (delivery.event_id.clone(), delivery.endpoint.id.clone());
            if !self.in_flight.take(key, &mark) {
                continue;
            }
            let Ok(permit) = self.slots.clone().acquire_owned().await else {
                break;
            };
            started += 1;
            let (sender, done) = (self.sender.clone(), done.clone());
            tokio::spawn(async move {
                let result = sender.attempt(delivery).await;
                let _ = done.send(result).await;
                drop(permit);
            });
        }
        Ok(started)
    }
}

#[async_trait]
impl Worker for Dispatcher {
    fn name(&self) -> &'static str {
        super::DISPATCHER
    }

    async fn step(&self) -> Result<Step, StoreError> {
        let free = self.slots.available_permits();
        if free == 0 {
            return Ok(Step::Waiting);
        }
        // Slots all used: more may be due at once. Fewer started: everything due is
        // under way, and the recorder wakes the dispatcher when results are in; looking
        // again at once would split the results into more, smaller commits.
        Ok(match self.start_due(free).await? {
            started if started == free => Step::Worked,
            0 if self.in_flight.sending() == 0 => Step::Idle,
            _ => Step::Waiting,
        })
    }

    async fn next_due(&self) -> Result<Option<Millis>, StoreError> {
        self.store.next_delivery_due().await
    }

    fn max_idle(&self) -> Duration {
        Duration::from_secs(30)
    }

    /// Attempts under way finish and are recorded; none starts any more.
    async fn stop(&self) {
        drop(
            self.done
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        let recorder = self
            .recorder
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(recorder) = recorder {
            let _ = recorder.await;
        }
    }
}

/// Commits results as they come, in batches; frees their deliveries for the next pick
/// only after the commit, then wakes the dispatcher (later events of the same orders
/// may be sendable now).
async fn record(
    store: Arc<dyn Store>,
    mut results: mpsc::Receiver<DeliveryResult>,
    in_flight: Arc<InFlight>,
    wakeup: Arc<Notify>,
) {
    let mut batch = Vec::with_capacity(RECORD_BATCH);
    while results.recv_many(&mut batch, RECORD_BATCH).await > 0 {
        let done = std::mem::take(&mut batch);
        if let Err(e) = store.record_deliveries(&done).await {
            // The deliveries stay pending and are sent again: at least once, never lost.
            tracing::error!(error = %e, attempts = done.len(), "could not record webhook attempts");
        }
        in_flight.recorded(
            done.iter()
                .map(|r| (r.event_id.clone(), r.endpoint_id.clone())),
        );
        wakeup.notify_one();
    }
}
