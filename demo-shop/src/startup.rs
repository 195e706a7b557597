//! Wiring: configuration in, a running server out.

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

use crate::base_url::BaseUrl;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::error::PageError;
use crate::gateway::GatewayClient;
use crate::order::ShopOrder;
use crate::reference::ShopReference;
use crate::sample_order::SampleOrder;
use crate::secret::Secret;
use crate::store::OrderStore;
use crate::{routes, security};

/// What every handler can reach.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) catalog: Catalog,
    pub(crate) store: OrderStore,
    pub(crate) gateway: GatewayClient,
    pub(crate) public_url: BaseUrl,
    /// Where browsers reach Paydesk: the widget's loader and hosted pages.
    pub(crate) gateway_public_url: BaseUrl,
    pub(crate) webhook_secret: Secret,
    /// The theming page's order, shared by every designer looking at it.
    pub(crate) sample_order: SampleOrder,
}

impl AppState {
    /// The order behind a reference from a URL; anything that is not a stored
    /// order, well-formed or not, is a 404.
    pub(crate) fn find_order(&self, reference: &str) -> Result<ShopOrder, PageError> {
        ShopReference::parse(reference)
            .and_then(|reference| self.store.get(&reference))
            .ok_or(PageError::NotFound)
    }

    /// The evergreen loader, `{gateway}/assets/paydesk.js`: it always loads the
    /// widget version the gateway currently serves.
    pub(crate) fn widget_loader_url(&self) -> String {
        self.gateway_public_url.join("/assets/paydesk.js")
    }
}

/// The demo shop, bound and ready to serve.
pub struct Application {
    port: u16,
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Checks the configuration and builds the shop on an already bound listener, so
    /// callers can bind port 0 and learn the port before wiring other services.
    pub async fn build(config: Config, listener: TcpListener) -> anyhow::Result<Self> {
        let gateway_api_url = BaseUrl::parse("gateway_api_url", &config.gateway_api_url)?;
        let gateway_public_url = BaseUrl::parse("gateway_public_url", &config.gateway_public_url)?;
        let public_url = BaseUrl::parse("public_url", &config.public_url)?;
        anyhow::ensure!(
            !config.secret_key.is_empty(),
            "`secret_key` must not be empty"
        );
        anyhow::ensure!(
            !config.webhook_secret.is_empty(),
            "`webhook_secret` must not be empty"
        );

        let state = AppState {
            catalog: Catalog::tea_house().context("the catalog has an invalid price")?,
            store: OrderStore::default(),
            gateway: GatewayClient::new(gateway_api_url, Secret::new(config.secret_key))
                .context("could not build the HTTP client for Paydesk")?,
            public_url,
            gateway_public_url: gateway_public_url.clone(),
            webhook_secret: Secret::new(config.webhook_secret),
            sample_order: SampleOrder::default(),
        };
        let router = security::with_security_headers(
            routes::router().with_state(Arc::new(state)),
            gateway_public_url.origin(),
        )
        .context("the gateway URL does not fit in a Content-Security-Policy header")?;
        let port = listener.local_addr()?.port();
        Ok(Application {
            port,
            listener,
            router,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        // Without TCP_NODELAY, small responses wait on Nagle's algorithm (~40 ms each).
        let listener = self.listener.tap_io(|stream| {
            let _ = stream.set_nodelay(true);
        });
        axum::serve(listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("the demo shop's server failed")
    }
}
