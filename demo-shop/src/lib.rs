//! Paydesk Tea House: a small merchant storefront that takes payment through the
//! Paydesk widget, and the reference integration for merchant developers.
//!
//! The whole integration is three pieces:
//! 1. the shop's server creates the order at Paydesk with its secret key
//!    (`gateway.rs`, called from `routes/checkout.rs`);
//! 2. the checkout page mounts the widget with one script tag (`views/widget.rs`);
//! 3. the shop marks the order paid when Paydesk's signed `order.paid` webhook
//!    arrives (`routes/webhooks.rs`), and only then.

mod appearance;
mod base_url;
mod cart;
mod catalog;
mod config;
mod error;
mod gateway;
mod order;
mod place_order;
mod reference;
mod routes;
mod sample_order;
mod secret;
mod security;
mod startup;
mod store;
mod theme_tokens;
mod views;

pub use config::Config;
pub use startup::Application;
