//! Fan-out of order status changes to open widget streams in this process.

use std::sync::Arc;

use paydesk_shared::api::WidgetStatus;
use tokio::sync::broadcast;

#[derive(Clone)]
pub(crate) struct StatusHub {
    tx: broadcast::Sender<Arc<WidgetStatus>>,
}

impl StatusHub {
    pub(crate) fn new() -> Self {
        let (tx, _) = broadcast::channel(1024);
        StatusHub { tx }
    }

    pub(crate) fn publish(&self, status: WidgetStatus) {
        // No subscriber is fine: nobody is watching this order right now.
        let _ = self.tx.send(Arc::new(status));
    }

    /// Whether any widget stream is open in this process.
    pub(crate) fn has_listeners(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<WidgetStatus>> {
        self.tx.subscribe()
    }
}
