//! How much is stored, for the operator.

use sqlx::{PgPool, Row};

use crate::domain::payout::PayoutStatus;
use crate::store::{Gauges, StoreError, Totals};

pub(super) async fn totals(pool: &PgPool) -> Result<Totals, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM orders) AS orders,
                (SELECT COUNT(*) FROM order_items) AS order_items,
                (SELECT COUNT(*) FROM orders WHERE status <> 'created') AS orders_moved,
                (SELECT COUNT(*) FROM orders WHERE status = 'paid') AS orders_paid,
                (SELECT COUNT(*) FROM payment_attempts) AS attempts,
                (SELECT COUNT(*) FROM payment_attempts WHERE status <> 'pending')
                    AS attempts_decided,
                (SELECT COUNT(*) FROM refunds) AS refunds,
                (SELECT COUNT(*) FROM outbox_events) AS events,
                (SELECT COUNT(*) FROM idempotency_keys) AS idempotency_answers,
                (SELECT COUNT(*) FROM webhook_endpoints WHERE status <> 'deleted')
                    AS webhook_endpoints,
                (SELECT COUNT(*) FROM bank_inbox) AS bank_verdicts,
                (SELECT COUNT(*) FROM bank_nonces) AS bank_nonces,
                (SELECT COUNT(*) FROM alerts) AS alerts",
    )
    .fetch_one(pool)
    .await?;
    Ok(Totals {
        orders: row.try_get("orders")?,
        items: row.try_get("order_items")?,
        orders_moved: row.try_get("orders_moved")?,
        orders_paid: row.try_get("orders_paid")?,
        attempts: row.try_get("attempts")?,
        attempts_decided: row.try_get("attempts_decided")?,
        refunds: row.try_get("refunds")?,
        events: row.try_get("events")?,
        idempotency_answers: row.try_get("idempotency_answers")?,
        webhook_endpoints: row.try_get("webhook_endpoints")?,
        bank_verdicts: row.try_get("bank_verdicts")?,
        nonces: row.try_get("bank_nonces")?,
        alerts: row.try_get("alerts")?,
    })
}

/// The counts `/metrics` shows, but for webhook deliveries (the outbox's own count).
pub(super) async fn gauges(pool: &PgPool) -> Result<Gauges, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM bank_inbox WHERE state = 'received') AS inbox_backlog,
                (SELECT COUNT(*) FROM ledger_transactions) AS ledger_transactions,
                (SELECT COUNT(*) FROM settlements) AS settlements",
    )
    .fetch_one(pool)
    .await?;
    let by_status: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM payouts GROUP BY status")
            .fetch_all(pool)
            .await?;
    let payouts = PayoutStatus::ALL
        .into_iter()
        .map(|status| {
            let count = by_status
                .iter()
                .find(|(s, _)| s == status.as_str())
                .map_or(0, |(_, n)| *n);
            (status, count)
        })
        .collect();
    Ok(Gauges {
        inbox_backlog: row.try_get("inbox_backlog")?,
        deliveries: Default::default(),
        ledger_transactions: row.try_get("ledger_transactions")?,
        settlements: row.try_get("settlements")?,
        payouts,
    })
}
