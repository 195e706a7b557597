//! How much is stored, for the operator.

use sqlx::SqlitePool;

use crate::store::{StoreError, Totals};

pub(super) async fn totals(pool: &SqlitePool) -> Result<Totals, StoreError> {
    let row: (i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM orders),
                (SELECT COUNT(*) FROM order_items),
                (SELECT COUNT(*) FROM orders WHERE status <> 'created'),
                (SELECT COUNT(*) FROM payment_attempts),
                (SELECT COUNT(*) FROM refunds),
                (SELECT COUNT(*) FROM outbox_events),
                (SELECT COUNT(*) FROM idempotency_keys),
                (SELECT COUNT(*) FROM webhook_endpoints WHERE status <> 'deleted')",
    )
    .fetch_one(pool)
    .await?;
    Ok(Totals {
        orders: row.0,
        order_items: row.1,
        orders_moved: row.2,
        attempts: row.3,
        refunds: row.4,
        events: row.5,
        idempotency_answers: row.6,
        webhook_endpoints: row.7,
    })
}
