//! Delivers signed payment notifications to the gateway, each from its own background
//! task, retrying with exponential backoff until the gateway acknowledges.
//!
//! Deliveries are rows in the ledger, written with the decision they carry: a
//! delivery ends as delivered or refused there, and one still pending when the bank
//! stops is taken up again by [`Notifier::resume`] when it starts.
//!
//! The faults in force (`crate::faults`) shape each decision's deliveries when it is
//! taken ([`Notifier::plan`]: dropped, duplicated, delayed) and, with `reorder`, hold
//! them until a group is complete, then deliver the group newest first.

mod delivery;

use std::cmp::Reverse;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use paydesk_shared::signing::Signer;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::faults::FaultState;
use crate::ledger::{DeliveryPlan, Ledger, LedgerError, PendingDelivery};

use delivery::Delivery;
pub(crate) use paydesk_shared::backoff::Backoff;

/// Between the tries of one delivery: 250 ms, doubling up to 30 s.
pub(crate) const RETRY_BACKOFF: Backoff =
    Backoff::new(Duration::from_millis(250), Duration::from_secs(30));

/// Per try: a gateway that takes longer than this is treated like a network error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub(crate) struct Notifier {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    signer: Signer,
    backoff: Backoff,
    ledger: Arc<Ledger>,
    faults: Arc<FaultState>,
    /// Deliveries waiting for their reordering group to fill, oldest first.
    held: Mutex<Vec<PendingDelivery>>,
    stop: watch::Sender<bool>,
    tasks: Mutex<JoinSet<()>>,
}

impl Notifier {
    pub(crate) fn new(
        signer: Signer,
        backoff: Backoff,
        ledger: Arc<Ledger>,
        faults: Arc<FaultState>,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            // A redirect would turn the POST into a GET or send it somewhere the
            // request never named; the notify URL must answer itself.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()?;
        let (stop, _) = watch::channel(false);
        Ok(Notifier {
            inner: Arc::new(Inner {
                client,
                signer,
                backoff,
                ledger,
                faults,
                held: Mutex::new(Vec::new()),
                stop,
                tasks: Mutex::new(JoinSet::new()),
            }),
        })
    }

    /// How the notification of a decision about to be taken on `attempt_id` goes
    /// out under the faults in force.
    pub(crate) fn plan(&self, attempt_id: &str, now_ms: i64) -> DeliveryPlan {
        let faults = self.inner.faults.current();
        let copies = if faults.drops(attempt_id) {
            tracing::info!(%attempt_id, "notification dropped by the drop_percent fault");
            0
        } else {
            faults.duplicate
        };
        DeliveryPlan {
            copies,
            not_before_ms: now_ms
                .saturating_add(i64::try_from(faults.delay_ms).unwrap_or(i64::MAX)),
        }
    }

    /// Starts delivering in the background, or holds the deliveries for reordering.
    pub(crate) fn dispatch(&self, deliveries: Vec<PendingDelivery>) {
        if deliveries.is_empty() {
            return;
        }
        let faults = self.inner.faults.current();
        if !faults.reorder {
            self.start_each(deliveries);
            return;
        }
        let window = usize::try_from(faults.reorder_window).unwrap_or(usize::MAX);
        let mut groups = Vec::new();
        {
            let mut held = self.held();
            held.extend(deliveries);
            while held.len() >= window {
                groups.push(held.drain(..window).collect::<Vec<_>>());
            }
        }
        for group in groups {
            self.start_newest_first(group);
        }
    }

    /// Delivers whatever is held for reordering now, newest first (the faults
    /// changed, so the group it waited for may never fill).
    pub(crate) fn release_held(&self) {
        let group = std::mem::take(&mut *self.held());
        if !group.is_empty() {
            self.start_newest_first(group);
        }
    }

    /// Takes up the deliveries a previous run left pending, at once and in order.
    pub(crate) async fn resume(&self) -> Result<usize, LedgerError> {
        let pending = self.inner.ledger.pending_deliveries().await?;
        let count = pending.len();
        self.start_each(pending);
        Ok(count)
    }

    fn held(&self) -> MutexGuard<'_, Vec<PendingDelivery>> {
        self.inner
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn start_each(&self, deliveries: Vec<PendingDelivery>) {
        for pending in deliveries {
            let delivery = Delivery::new(Arc::clone(&self.inner), pending);
            self.spawn(|stop| delivery.run(stop));
        }
    }

    /// One task delivers the group one after the other, newest first, so they
    /// arrive in that order.
    fn start_newest_first(&self, mut group: Vec<PendingDelivery>) {
        group.sort_by_key(|pending| Reverse(pending.id));
        let inner = Arc::clone(&self.inner);
        self.spawn(move |stop| async move {
            for pending in group {
                Delivery::new(Arc::clone(&inner), pending)
                    .run(stop.clone())
                    .await;
            }
        });
    }

    fn spawn<F, T>(&self, task: F)
    where
        F: FnOnce(watch::Receiver<bool>) -> T,
        T: std::future::Future<Output = ()> + Send + 'static,
    {
        let mut tasks = self
            .inner
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Reap finished deliveries so the set only holds the ones still running.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(task(self.inner.stop.subscribe()));
    }

    /// Tells every delivery to give up and waits until they have; what was not
    /// delivered stays pending in the ledger.
    pub(crate) async fn shut_down(&self) {
        self.inner.stop.send_replace(true);
        let mut tasks = std::mem::take(
            &mut *self
                .inner
                .tasks
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        while tasks.join_next().await.is_some() {}
    }
}
