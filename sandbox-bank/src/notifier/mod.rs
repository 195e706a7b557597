//! Delivers signed payment notifications to the gateway, each from its own background
//! task, retrying with exponential backoff until the gateway acknowledges.
//!
//! Deliveries are rows in the ledger, written with the decision they carry: a
//! delivery ends as delivered or refused there, and one still pending when the bank
//! stops is taken up again by [`Notifier::resume`] when it starts.

mod backoff;
mod delivery;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use paydesk_shared::signing::Signer;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::ledger::{DeliveryPlan, Ledger, LedgerError, PendingDelivery};

pub(crate) use backoff::Backoff;
use delivery::Delivery;

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
    stop: watch::Sender<bool>,
    tasks: Mutex<JoinSet<()>>,
}

impl Notifier {
    pub(crate) fn new(
        signer: Signer,
        backoff: Backoff,
        ledger: Arc<Ledger>,
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
                stop,
                tasks: Mutex::new(JoinSet::new()),
            }),
        })
    }

    /// How the notification of a decision about to be taken on `attempt_id` goes out.
    pub(crate) fn plan(&self, _attempt_id: &str, now_ms: i64) -> DeliveryPlan {
        DeliveryPlan {
            copies: 1,
            not_before_ms: now_ms,
        }
    }

    /// Starts delivering in the background.
    pub(crate) fn dispatch(&self, deliveries: Vec<PendingDelivery>) {
        for pending in deliveries {
            self.spawn(Delivery::new(Arc::clone(&self.inner), pending));
        }
    }

    /// Takes up the deliveries a previous run left pending.
    pub(crate) async fn resume(&self) -> Result<usize, LedgerError> {
        let pending = self.inner.ledger.pending_deliveries().await?;
        let count = pending.len();
        self.dispatch(pending);
        Ok(count)
    }

    fn spawn(&self, delivery: Delivery) {
        let mut tasks = self
            .inner
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Reap finished deliveries so the set only holds the ones still running.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(delivery.run(self.inner.stop.subscribe()));
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
