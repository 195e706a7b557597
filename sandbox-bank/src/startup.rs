//! Building and running the service.

use std::future::Future;
use std::sync::Arc;

use anyhow::Context as _;
use axum::Router;
use axum::serve::ListenerExt;
use paydesk_shared::signing::Verifier;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::directory::Directory;
use crate::faults::FaultState;
use crate::ledger::Ledger;
use crate::notifier::{Notifier, RETRY_BACKOFF};
use crate::routes;
use crate::state::AppState;

pub struct Application {
    port: u16,
    listener: TcpListener,
    router: Router,
    notifier: Notifier,
    ledger: Arc<Ledger>,
}

impl Application {
    /// Takes an already bound listener so tests and the end-to-end suite can bind
    /// port 0 for every service first, then wire their URLs into each other.
    pub async fn build(config: Config, listener: TcpListener) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let directory = Directory::load();
        let ledger = Arc::new(
            Ledger::open(&config.database_path)
                .await
                .with_context(|| format!("cannot open {}", config.database_path.display()))?,
        );
        let faults = Arc::new(FaultState::new(config.faults));
        let notifier = Notifier::new(
            config.signer.clone(),
            RETRY_BACKOFF,
            Arc::clone(&ledger),
            Arc::clone(&faults),
        )?;
        let resumed = notifier.resume().await?;
        if resumed > 0 {
            tracing::info!(
                resumed,
                "delivering notifications left pending by the last run"
            );
        }
        let state = AppState {
            banks_css: routes::banks_css(directory.banks()).into(),
            directory: Arc::new(directory),
            verifier: Arc::new(Verifier::new(config.gateway_keys)),
            signer: config.signer,
            ledger: Arc::clone(&ledger),
            notifier: notifier.clone(),
            faults,
            public_url: config.public_url.trim_end_matches('/').into(),
        };
        Ok(Application {
            port,
            listener,
            router: routes::router(state),
            notifier,
            ledger,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish, stops
    /// the notification deliveries still retrying (they stay pending in the books)
    /// and closes the database.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let listener = self.listener.tap_io(|tcp| {
            // Without NODELAY every small response waits ~40 ms for Nagle's algorithm.
            let _ = tcp.set_nodelay(true);
        });
        let served = axum::serve(listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await;
        self.notifier.shut_down().await;
        self.ledger.close().await;
        Ok(served?)
    }
}
