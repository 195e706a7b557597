//! Types shared by every part of Paydesk: money and currencies, orders and line items,
//! the payment state machine, the bank directory, API request/response shapes, stable
//! error codes and (with the `signing` feature) message signatures.
//!
//! Compiles to native and to `wasm32-unknown-unknown`; no runtime, no storage.

pub mod api;
pub mod backoff;
pub mod balance_api;
pub mod bank;
pub mod bank_protocol;
pub mod currency;
pub mod error;
pub mod language;
pub mod merchant_api;
pub mod money;
pub mod order;
pub mod payment;
pub mod refund_reason;
pub mod sandbox_accounts;
pub mod sandbox_cards;
#[cfg(feature = "server")]
pub mod shutdown;
#[cfg(feature = "signing")]
pub mod signing;
#[cfg(feature = "signing")]
pub mod webhook;
pub mod webhook_api;

pub use currency::Currency;
pub use error::{ErrorBody, ErrorCode};
pub use money::{AmountError, Money};
pub use payment::{AttemptStatus, OrderStatus};
