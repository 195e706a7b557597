//! Building the gateway from its `Config` and running it.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::serve::ListenerExt;
use paydesk_shared::bank::directory;
use paydesk_shared::signing::Verifier;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

use crate::banking::{self, BankSide};
use crate::config::{BankSelection, Config, Protocol};
use crate::connectors::{BankConnector, Connectors, SandboxConnector};
use crate::merchants::{Merchants, key_hash};
use crate::routes;
use crate::state::AppState;
use crate::status_hub::StatusHub;
use crate::store::sqlite::SqliteStore;
use crate::store::{Merchant, Store};
use crate::webhooks::Dispatcher;
use crate::widget_assets::WidgetAssets;

pub struct Application {
    port: u16,
    listener: TcpListener,
    router: Router,
    state: AppState,
    dispatcher: Dispatcher,
    shutdown: watch::Sender<bool>,
}

impl Application {
    /// Opens the store, registers configured merchants and wires the routes. Takes a
    /// bound listener so callers can bind port 0 and learn the port first.
    pub async fn build(config: Config, listener: TcpListener) -> anyhow::Result<Self> {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&config.database_path).await?);
        let now = config.clock.now_ms();
        for seed in &config.merchants {
            store
                .upsert_merchant(&Merchant {
                    id: seed.id.clone(),
                    name: seed.name.clone(),
                    secret_key_hash: key_hash(&seed.secret_key),
                    webhook_url: seed.webhook_url.clone(),
                    webhook_secret: seed.webhook_secret.clone(),
                    return_urls: seed.return_urls.clone(),
                    created_at: now,
                })
                .await?;
        }

        let banks = directory();
        let connectors = connectors(&config, &banks)?;

        let (shutdown, shutdown_rx) = watch::channel(false);
        let outbox = Arc::new(Notify::new());
        let state = AppState {
            merchants: Arc::new(Merchants::new(store.clone())),
            store: store.clone(),
            clock: config.clock.clone(),
            connectors: Arc::new(connectors),
            banks: Arc::new(banks),
            bank: Arc::new(BankSide::new(config.bank_schedule)),
            status: StatusHub::new(),
            outbox: outbox.clone(),
            public_url: config.public_url.clone().into(),
            operator_key_hash: config.operator_key.as_deref().map(|k| key_hash(k).into()),
            order_ttl: config.order_ttl,
            widget: Arc::new(WidgetAssets::load(&config.widget_dir)),
            shutdown: shutdown_rx,
        };
        let dispatcher = Dispatcher {
            store,
            clock: config.clock.clone(),
            wakeup: outbox,
            http: Dispatcher::http_client(),
        };
        Ok(Application {
            port: listener.local_addr()?.port(),
            listener,
            router: routes::router(state.clone(), &config.widget_dir),
            state,
            dispatcher,
            shutdown,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` completes, then lets open requests finish, ends event
    /// streams and stops the webhook dispatcher.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let dispatcher = tokio::spawn(self.dispatcher.run(self.shutdown.subscribe()));
        let bank_side = banking::spawn(&self.state, &self.shutdown);
        let stop = self.shutdown;
        let listener = self.listener.tap_io(|tcp| {
            // Without NODELAY small responses wait ~40 ms for Nagle's algorithm.
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, self.router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                let _ = stop.send(true);
            })
            .await?;
        dispatcher.await?;
        for task in bank_side {
            task.await?;
        }
        Ok(())
    }
}

/// Routes every bank of the directory to its configured connector.
fn connectors(config: &Config, banks: &[paydesk_shared::bank::Bank]) -> anyhow::Result<Connectors> {
    let mut routes: Vec<(String, Arc<dyn BankConnector>)> = Vec::new();
    let mut fallback: Option<Arc<dyn BankConnector>> = None;
    for c in &config.connectors {
        let connector: Arc<dyn BankConnector> = match c.protocol {
            Protocol::Sandbox => Arc::new(SandboxConnector::new(
                &c.name,
                c.url.clone(),
                &config.public_url,
                c.signer.clone(),
                Verifier::new(c.bank_keys.clone()),
            )),
        };
        match &c.banks {
            BankSelection::All => {
                anyhow::ensure!(fallback.is_none(), "two connectors claim all banks");
                fallback = Some(connector);
            }
            BankSelection::Only(codes) => {
                for code in codes {
                    anyhow::ensure!(
                        banks.iter().any(|b| &b.code == code),
                        "connector {} names unknown bank {code}",
                        c.name
                    );
                    routes.push((code.clone(), connector.clone()));
                }
            }
        }
    }
    if let Some(fallback) = fallback {
        for bank in banks {
            if !routes.iter().any(|(code, _)| code == &bank.code) {
                routes.push((bank.code.clone(), fallback.clone()));
            }
        }
    }
    Ok(Connectors::new(routes))
}
