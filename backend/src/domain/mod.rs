//! The gateway's types and rules: what merchants, orders, attempts, bank verdicts,
//! refunds, events and webhook endpoints are, and the pure decisions about them. No
//! HTTP, no SQL, no API shapes: the store persists these types, `http` renders them
//! and `workers` run the rules in the background.

pub mod alert;
pub mod balance;
pub mod change;
pub mod error;
pub mod event;
pub mod fee;
pub mod idempotency;
pub mod ids;
pub mod ledger;
pub mod merchant;
pub mod order;
pub mod payout;
pub mod postings;
pub mod reconciliation;
pub mod refund;
pub mod settlement;
pub mod time;
pub mod verdict;
pub mod webhook;
