//! The benchmarks: a [`harness`] (gateway under test, load, statistics) and the
//! scenarios, which only say what to send and what to measure.
//!
//! - [`orders`]: `cargo xtask bench-orders`, order creation next to `GET /health`.
//! - [`notifications`]: `cargo xtask bench-notifications`, signed bank notifications
//!   (closed loop: acknowledged and applied per second; `--rate`: latency at a fixed
//!   rate, and from notification to the merchant's webhook).
//! - [`widget`]: `cargo xtask bench-widget`, the widget in headless Chromium (the
//!   end-to-end crate measures; this only starts it).

pub(crate) mod harness;
pub(crate) mod notifications;
pub(crate) mod orders;
pub(crate) mod widget;
