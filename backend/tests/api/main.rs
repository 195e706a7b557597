//! Integration tests: the gateway over real HTTP on a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod helpers;
mod notifications;
mod orders;
mod widget;
