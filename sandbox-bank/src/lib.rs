//! The Paydesk sandbox bank: a real HTTP service that plays the online banking of the
//! banks in the shared directory. It verifies the gateway's signed payment requests,
//! shows each bank's payment page, keeps test card balances, and tells the gateway
//! the outcome with signed notifications that it retries until acknowledged.

mod calendar;
pub mod cards;
mod clock;
mod config;
mod directory;
mod faults;
mod html;
mod ledger;
mod merchant_accounts;
mod notifier;
mod payment;
mod payment_request;
mod routes;
mod settlement;
mod startup;
mod state;
mod status_query;

pub use config::Config;
pub use faults::{FaultError, Faults};
pub use startup::Application;
