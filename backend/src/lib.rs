//! The Paydesk gateway: merchant API, widget API, hosted checkout, bank connectors,
//! notification intake and webhook delivery, on one `Store`.

mod banking;
mod books;
pub mod clock;
pub mod config;
pub mod connectors;
pub mod connectors_file;
pub mod domain;
mod http;
mod merchants;
mod metrics;
mod payments;
pub mod settings;
mod signals;
pub mod startup;
mod state;
mod status_hub;
pub mod store;
mod webhooks;
mod widget_assets;
pub mod workers;

pub use banking::BankSchedule;
pub use config::{
    BankSelection, BooksConfig, Config, ConnectorConfig, Database, MerchantSeed, Protocol,
    RateLimits,
};
pub use startup::Application;
pub use workers::Workers;
