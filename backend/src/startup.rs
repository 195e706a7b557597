//! Building the gateway from its `Config` and running it.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::serve::ListenerExt;
use paydesk_shared::bank::directory;
use paydesk_shared::signing::Verifier;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::banking::BankSide;
use crate::books::Books;
use crate::config::{BankSelection, Config, Database, MerchantSeed, Protocol};
use crate::connectors::{BankConnector, Connectors, SandboxConnector};
use crate::domain::ids::{EndpointId, KeyId, MerchantId};
use crate::domain::merchant::{Merchant, MerchantKey};
use crate::domain::time::Millis;
use crate::domain::webhook::{EndpointStatus, WebhookEndpoint};
use crate::http;
use crate::http::rate_limit::Limits;
use crate::merchants::{Merchants, key_hash, last4};
use crate::metrics::Metrics;
use crate::signals::Wake;
use crate::state::{AppState, Services};
use crate::status_hub::StatusHub;
use crate::store::postgres::PostgresStore;
use crate::store::sqlite::SqliteStore;
use crate::store::{RotateSecret, SaveEndpoint, Store};
use crate::webhooks::Sender;
use crate::webhooks::payload::Payloads;
use crate::widget_assets::WidgetAssets;
use crate::workers::{self, Dispatcher, Runner, Workers};

pub struct Application {
    port: u16,
    listener: TcpListener,
    router: Router,
    state: AppState,
    workers: Workers,
    runners: Vec<Runner>,
    shutdown: watch::Sender<bool>,
}

impl Application {
    /// Opens the store, registers configured merchants and wires the routes. Takes a
    /// bound listener so callers can bind port 0 and learn the port first.
    pub async fn build(config: Config, listener: TcpListener) -> anyhow::Result<Self> {
        let store: Arc<dyn Store> = match &config.database {
            Database::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
            Database::Postgres(url) => Arc::new(PostgresStore::open(url).await?),
        };
        for seed in &config.merchants {
            seed_merchant(&*store, seed, config.clock.now_ms()).await?;
        }

        let banks = directory();
        let connectors = connectors(&config, &banks)?;

        let (shutdown, shutdown_rx) = watch::channel(false);
        let outbox = Wake::new(workers::DISPATCHER, store.clone());
        let public_url: Arc<str> = config.public_url.clone().into();
        let state = AppState::new(Services {
            merchants: Arc::new(Merchants::new(store.clone())),
            store: store.clone(),
            clock: config.clock.clone(),
            connectors: Arc::new(connectors),
            banks: Arc::new(banks),
            bank: Arc::new(BankSide::new(config.bank_schedule, &store)),
            books: Arc::new(Books::new(config.books.clone(), &store)),
            status: StatusHub::new(),
            outbox: outbox.clone(),
            events: Arc::new(Payloads {
                public_url: public_url.clone(),
            }),
            public_url,
            operator_key_hash: config.operator_key.as_deref().map(|k| key_hash(k).into()),
            order_ttl: config.order_ttl,
            webhook_allow_private_urls: config.webhook_allow_private_urls,
            widget: Arc::new(WidgetAssets::load(&config.widget_dir)),
            limits: Limits::new(&config.rate_limits),
            metrics: Arc::new(Metrics::new()),
            shutdown: shutdown_rx,
        });
        let sender = Sender {
            clock: config.clock.clone(),
            http: Sender::http_client(
                config.webhook_allow_private_urls,
                config.webhook_ca_pem.as_deref(),
            )?,
            allow_private: config.webhook_allow_private_urls,
        };
        let dispatcher = Dispatcher::new(store, sender, outbox.local());
        let (workers, runners) =
            workers::all(&Arc::new(state.clone()), dispatcher, config.worker_lease);
        Ok(Application {
            port: listener.local_addr()?.port(),
            listener,
            router: http::router(state.clone(), &config.widget_dir),
            state,
            workers,
            runners,
            shutdown,
        })
    }

    /// The store the gateway runs on, for tests to read what it holds.
    pub fn store(&self) -> Arc<dyn Store> {
        self.state.store.clone()
    }

    /// The background workers, for tests to wait until they are done.
    pub fn workers(&self) -> Workers {
        self.workers.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` completes, then lets open requests finish, ends event
    /// streams and stops the workers (attempts under way are recorded first).
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let tasks: Vec<_> = self
            .runners
            .into_iter()
            .map(|r| tokio::spawn(r.run(self.state.clock.clone(), self.shutdown.subscribe())))
            .collect();
        if let Some(heard) = self.state.store.signals() {
            tokio::spawn(crate::signals::relay(
                self.state.clone(),
                self.workers.clone(),
                heard,
                self.shutdown.subscribe(),
            ));
        }
        let stop = self.shutdown;
        let listener = self.listener.tap_io(|tcp| {
            // Without NODELAY small responses wait ~40 ms for Nagle's algorithm.
            let _ = tcp.set_nodelay(true);
        });
        let service = self
            .router
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                shutdown.await;
                let _ = stop.send(true);
            })
            .await?;
        for task in tasks {
            task.await?;
        }
        Ok(())
    }
}

/// Creates or updates a configured merchant, its key `key_<merchant id>` and its
/// endpoint `we_<merchant id>`: a changed key or secret replaces the old one at once
/// (configuration has no overlap).
async fn seed_merchant(store: &dyn Store, seed: &MerchantSeed, now: Millis) -> anyhow::Result<()> {
    let merchant_id = MerchantId::from(seed.id.as_str());
    let existing = store.merchant(&merchant_id).await?;
    store
        .upsert_merchant(&Merchant {
            id: merchant_id.clone(),
            name: seed.name.clone(),
            return_urls: seed.return_urls.clone(),
            settlement_account: seed.settlement_account.clone(),
            fee_plan: existing.as_ref().map(|m| m.fee_plan).unwrap_or_default(),
            created_at: existing.as_ref().map_or(now, |m| m.created_at),
        })
        .await?;
    store
        .save_merchant_key(&MerchantKey {
            id: KeyId::from(format!("key_{}", seed.id)),
            merchant_id: merchant_id.clone(),
            key_hash: key_hash(&seed.secret_key),
            last4: last4(&seed.secret_key),
            created_at: now,
            revoked_at: None,
        })
        .await?;
    let id = EndpointId::from(format!("we_{}", seed.id));
    let existing = store.webhook_endpoint(&merchant_id, &id).await?;
    let (status, url) = match &seed.webhook_url {
        Some(url) => (EndpointStatus::Enabled, url.clone()),
        None if existing.is_none() => return Ok(()),
        None => (EndpointStatus::Deleted, String::new()),
    };
    store
        .save_webhook_endpoint(&SaveEndpoint {
            endpoint: WebhookEndpoint {
                id: id.clone(),
                merchant_id: merchant_id.clone(),
                url,
                event_types: vec!["*".into()],
                description: Some("configured with the gateway".into()),
                secret: seed.webhook_secret.clone(),
                previous_secret: None,
                previous_secret_until: None,
                status,
                disabled_reason: None,
                created_at: existing.as_ref().map_or(now, |e| e.created_at),
                updated_at: now,
            },
            answer: None,
        })
        .await?;
    if existing.is_some_and(|e| e.secret != seed.webhook_secret) {
        store
            .rotate_webhook_secret(&RotateSecret {
                merchant_id,
                endpoint_id: id,
                secret: seed.webhook_secret.clone(),
                previous_until: now,
                now,
                answer: None,
            })
            .await?;
    }
    Ok(())
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
            )?),
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
