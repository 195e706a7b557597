//! The demo shop over real HTTP, against a fake Paydesk gateway on its own port.

// The helpers are test code too: a panic in them is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod appearance;
mod checkout;
mod fake_gateway;
mod helpers;
mod hosted;
mod security;
mod storefront;
mod theme;
mod webhooks;
