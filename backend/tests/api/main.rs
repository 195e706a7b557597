//! Integration tests: the gateway over real HTTP on a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod assets;
mod bank_robustness;
mod binary;
mod connectors;
mod crash;
mod event_stream;
mod health;
mod helpers;
mod hosted;
mod idempotency;
mod lifecycle;
mod metrics;
mod money;
mod money_crash;
mod notifications;
mod openapi;
mod operator;
mod orders;
mod rate_limits;
mod receipts;
mod receiver;
mod refunds;
mod rejections;
mod replica_crash;
mod replicas;
mod startup;
mod status_stream;
mod webhook_outage;
mod webhook_support;
mod webhooks;
mod widget;
