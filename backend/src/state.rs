use std::sync::Arc;
use std::time::Duration;

use paydesk_shared::bank::Bank;
use tokio::sync::watch;

use crate::banking::BankSide;
use crate::books::Books;
use crate::clock::Clock;
use crate::connectors::Connectors;
use crate::domain::event::Compose;
use crate::http::rate_limit::Limits;
use crate::merchants::Merchants;
use crate::metrics::Metrics;
use crate::signals::Wake;
use crate::status_hub::StatusHub;
use crate::store::Store;
use crate::widget_assets::WidgetAssets;

/// Everything a handler may use. Cloned for every extractor and layer of every
/// request, so a clone is one reference count, not one per service.
#[derive(Clone)]
pub(crate) struct AppState(Arc<Services>);

impl AppState {
    pub(crate) fn new(services: Services) -> Self {
        AppState(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What [`AppState`] shares.
pub(crate) struct Services {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) merchants: Arc<Merchants>,
    pub(crate) connectors: Arc<Connectors>,
    pub(crate) banks: Arc<Vec<Bank>>,
    /// Settlement runs and payouts.
    pub(crate) books: Arc<Books>,
    /// Verdict applier, status queries, refunds and bank maintenance.
    pub(crate) bank: Arc<BankSide>,
    pub(crate) status: StatusHub,
    /// Wakes the webhook dispatcher when an event is enqueued.
    pub(crate) outbox: Wake,
    /// Renders the events a change reports.
    pub(crate) events: Arc<dyn Compose>,
    pub(crate) public_url: Arc<str>,
    /// SHA-256 of the operator key; `None` turns the operator API off.
    pub(crate) operator_key_hash: Option<Arc<str>>,
    pub(crate) order_ttl: Duration,
    /// Webhook URLs may point at private and loopback addresses.
    pub(crate) webhook_allow_private_urls: bool,
    /// The built widget's current version and integrity, for the hosted pages.
    pub(crate) widget: Arc<WidgetAssets>,
    /// Request counts and latencies, and the text `/metrics` serves.
    pub(crate) metrics: Arc<Metrics>,
    /// Rate limits on the public routes.
    pub(crate) limits: Arc<Limits>,
    /// Becomes `true` when the gateway stops; long-lived streams end on it.
    pub(crate) shutdown: watch::Receiver<bool>,
}
