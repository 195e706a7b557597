//! Notifications waiting for the gateway's acknowledgement. They are written with
//! the decision they carry, so they survive a restart.

use sqlx::{Row, SqliteConnection};

use super::{Ledger, LedgerError};

/// How a decision's notification goes out: how many copies (none: dropped), and not
/// before when (Unix milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeliveryPlan {
    pub(crate) copies: u32,
    pub(crate) not_before_ms: i64,
}

/// One copy of a notification still to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingDelivery {
    pub(crate) id: i64,
    pub(crate) attempt_id: String,
    pub(crate) url: String,
    pub(crate) body: String,
    pub(crate) not_before_ms: i64,
}

/// How a delivery ended; an abandoned one (shutdown) stays pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeliveryEnd {
    Delivered,
    /// The gateway answered a 4xx that retrying will not change.
    Refused,
}

impl DeliveryEnd {
    fn as_str(self) -> &'static str {
        match self {
            DeliveryEnd::Delivered => "delivered",
            DeliveryEnd::Refused => "refused",
        }
    }
}

pub(super) async fn insert(
    conn: &mut SqliteConnection,
    attempt_id: &str,
    url: &str,
    body: &str,
    plan: DeliveryPlan,
) -> Result<Vec<PendingDelivery>, LedgerError> {
    let mut out = Vec::new();
    for _ in 0..plan.copies {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO deliveries (attempt_id, url, body, not_before_ms) VALUES (?, ?, ?, ?)
             RETURNING id",
        )
        .bind(attempt_id)
        .bind(url)
        .bind(body)
        .bind(plan.not_before_ms)
        .fetch_one(&mut *conn)
        .await?;
        out.push(PendingDelivery {
            id,
            attempt_id: attempt_id.to_owned(),
            url: url.to_owned(),
            body: body.to_owned(),
            not_before_ms: plan.not_before_ms,
        });
    }
    Ok(out)
}

impl Ledger {
    /// Every delivery not yet acknowledged or refused, oldest first.
    pub(crate) async fn pending_deliveries(&self) -> Result<Vec<PendingDelivery>, LedgerError> {
        let rows = sqlx::query(
            "SELECT id, attempt_id, url, body, not_before_ms FROM deliveries
             WHERE state = 'pending' ORDER BY id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PendingDelivery {
                    id: row.try_get("id")?,
                    attempt_id: row.try_get("attempt_id")?,
                    url: row.try_get("url")?,
                    body: row.try_get("body")?,
                    not_before_ms: row.try_get("not_before_ms")?,
                })
            })
            .collect()
    }

    pub(crate) async fn finish_delivery(
        &self,
        id: i64,
        end: DeliveryEnd,
        tries: u32,
        now: i64,
    ) -> Result<(), LedgerError> {
        sqlx::query(
            "UPDATE deliveries SET state = ?, tries = tries + ?, finished_at = ?
             WHERE id = ? AND state = 'pending'",
        )
        .bind(end.as_str())
        .bind(tries)
        .bind(now)
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }
}
