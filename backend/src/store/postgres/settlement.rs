//! Reconciliation reports and settlements in PostgreSQL.

use std::str::FromStr;

use paydesk_shared::{Currency, Money};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::inbox::insert_alert;
use super::ledger;
use super::outbox::insert_event;
use crate::domain::alert::NewAlert;
use crate::domain::balance::BalanceTransaction;
use crate::domain::ids::{MerchantId, SettlementId};
use crate::domain::ledger::Account;
use crate::domain::reconciliation::{
    BookedItem, LineClass, OverdueItem, ReportLine, SettlementKind, kind_str,
};
use crate::domain::settlement::Settlement;
use crate::domain::time::Millis;
use crate::store::{RecordReconciliation, Settle, StoreError};

pub(super) async fn booked_items(
    pool: &PgPool,
    merchant: &MerchantId,
    from: Millis,
    to: Millis,
) -> Result<Vec<BookedItem>, StoreError> {
    let rows = sqlx::query(
        "SELECT 'payment' AS kind, a.id AS key, a.order_id, a.id AS attempt_id, a.bank_code,
                a.bank_transaction_id, a.amount_minor, a.currency, a.decided_at
         FROM payment_attempts a JOIN orders o ON o.id = a.order_id
         WHERE o.merchant_id = $1 AND a.status = 'succeeded'
           AND a.decided_at >= $2 AND a.decided_at < $3
         UNION ALL
         SELECT 'refund', r.id, r.order_id, r.attempt_id, a.bank_code, a.bank_transaction_id,
                r.amount_minor, r.currency, r.decided_at
         FROM refunds r JOIN orders o ON o.id = r.order_id
             JOIN payment_attempts a ON a.id = r.attempt_id
         WHERE o.merchant_id = $1 AND r.status = 'succeeded'
           AND r.decided_at >= $2 AND r.decided_at < $3",
    )
    .bind(merchant)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            let currency = currency(row.try_get("currency")?)?;
            let minor: i64 = row.try_get("amount_minor")?;
            Ok(BookedItem {
                kind: if kind == "refund" {
                    SettlementKind::Refund
                } else {
                    SettlementKind::Payment
                },
                key: row.try_get("key")?,
                order_id: row.try_get("order_id")?,
                attempt_id: row.try_get("attempt_id")?,
                bank_code: row.try_get("bank_code")?,
                bank_transaction_id: row.try_get("bank_transaction_id")?,
                amount: Money::from_minor(minor, currency)
                    .map_err(|e| StoreError::Corrupt(format!("booked amount: {e}")))?,
                decided_at: row.try_get("decided_at")?,
            })
        })
        .collect()
}

pub(super) async fn record(pool: &PgPool, c: &RecordReconciliation) -> Result<u32, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "DELETE FROM reconciliation_lines WHERE run_date = $1 AND connector = $2 AND merchant_id = $3",
    )
    .bind(&c.run_date)
    .bind(&c.connector)
    .bind(&c.merchant_id)
    .execute(&mut *tx)
    .await?;
    for (position, line) in c.lines.iter().enumerate() {
        let kind = line
            .bank
            .as_ref()
            .map(|b| b.kind)
            .or(line.gateway.as_ref().map(|g| g.kind))
            .unwrap_or(SettlementKind::Payment);
        sqlx::query(
            "INSERT INTO reconciliation_lines (run_date, connector, merchant_id, position, class,
                 key, kind, bank_transaction_id, bank_amount, bank_currency,
                 gateway_amount_minor, gateway_currency, order_id, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&c.run_date)
        .bind(&c.connector)
        .bind(&c.merchant_id)
        .bind(position as i64)
        .bind(line.class.as_str())
        .bind(&line.key)
        .bind(kind_str(kind))
        .bind(line.bank.as_ref().map(|b| b.bank_transaction_id.as_str()))
        .bind(line.bank.as_ref().map(|b| b.amount.to_string()))
        .bind(line.bank.as_ref().map(|b| b.currency.as_str()))
        .bind(line.gateway.as_ref().map(|g| g.amount.minor()))
        .bind(line.gateway.as_ref().map(|g| g.amount.currency().code()))
        .bind(line.gateway.as_ref().map(|g| g.order_id.as_str()))
        .bind(line.describe())
        .execute(&mut *tx)
        .await?;
    }
    for (i, posting) in &c.postings {
        ledger::post(&mut tx, posting).await?;
        let Some(g) = c.lines.get(*i).and_then(|l| l.gateway.as_ref()) else {
            continue;
        };
        // A payment's balance transaction names its order, a refund's the refund.
        let (kind, source) = match g.kind {
            SettlementKind::Payment => ("payment", g.order_id.as_str()),
            SettlementKind::Refund => ("refund", g.key.as_str()),
        };
        sqlx::query(
            "UPDATE balance_transactions SET reconciled_at = $1
             WHERE source = $2 AND type = $3 AND reconciled_at IS NULL",
        )
        .bind(c.at)
        .bind(source)
        .bind(kind)
        .execute(&mut *tx)
        .await?;
    }
    let mut raised = 0;
    for (i, alert) in &c.alerts {
        let Some(line) = c.lines.get(*i) else {
            continue;
        };
        let new = sqlx::query(
            "INSERT INTO reconciliation_breaks (run_date, connector, merchant_id, class, key,
                 alert_id)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(&c.run_date)
        .bind(&c.connector)
        .bind(&c.merchant_id)
        .bind(line.class.as_str())
        .bind(&line.key)
        .bind(&alert.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if new == 1 {
            insert_alert(&mut tx, alert, None).await?;
            raised += 1;
        }
    }
    tx.commit().await?;
    Ok(raised)
}

pub(super) async fn report(pool: &PgPool, run_date: &str) -> Result<Vec<ReportLine>, StoreError> {
    sqlx::query(
        "SELECT * FROM reconciliation_lines WHERE run_date = $1
         ORDER BY connector, merchant_id, position",
    )
    .bind(run_date)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        let class: String = row.try_get("class")?;
        let kind: String = row.try_get("kind")?;
        let minor: Option<i64> = row.try_get("gateway_amount_minor")?;
        let gateway_currency: Option<String> = row.try_get("gateway_currency")?;
        let gateway_amount = match (minor, gateway_currency) {
            (Some(minor), Some(code)) => Some(
                Money::from_minor(minor, currency(code)?)
                    .map_err(|e| StoreError::Corrupt(format!("report amount: {e}")))?,
            ),
            _ => None,
        };
        Ok(ReportLine {
            run_date: row.try_get("run_date")?,
            connector: row.try_get("connector")?,
            merchant_id: row.try_get("merchant_id")?,
            class: LineClass::parse(&class)
                .ok_or_else(|| StoreError::Corrupt(format!("reconciliation class {class}")))?,
            key: row.try_get("key")?,
            kind: if kind == "refund" {
                SettlementKind::Refund
            } else {
                SettlementKind::Payment
            },
            bank_transaction_id: row.try_get("bank_transaction_id")?,
            bank_amount: row.try_get("bank_amount")?,
            bank_currency: row.try_get("bank_currency")?,
            gateway_amount,
            order_id: row.try_get("order_id")?,
            detail: row.try_get("detail")?,
        })
    })
    .collect()
}

pub(super) async fn settleable(
    pool: &PgPool,
    merchant: &MerchantId,
) -> Result<Vec<BalanceTransaction>, StoreError> {
    sqlx::query(
        "SELECT * FROM balance_transactions
         WHERE merchant_id = $1 AND status = 'pending' AND reconciled_at IS NOT NULL
           AND settlement_id IS NULL
         ORDER BY id",
    )
    .bind(merchant)
    .fetch_all(pool)
    .await?
    .iter()
    .map(ledger::balance_transaction)
    .collect()
}

pub(super) async fn settle(pool: &PgPool, c: &Settle) -> Result<(), StoreError> {
    let s = &c.plan.settlement;
    let mut tx = pool.begin().await?;
    for id in &c.plan.takes {
        let taken = sqlx::query(
            "UPDATE balance_transactions
             SET status = 'available', settlement_id = $1, available_on = $2
             WHERE id = $3 AND merchant_id = $4 AND currency = $5 AND status = 'pending'
               AND reconciled_at IS NOT NULL AND settlement_id IS NULL",
        )
        .bind(&s.id)
        .bind(s.created_at)
        .bind(id)
        .bind(&s.merchant_id)
        .bind(s.currency.code())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken != 1 {
            return Err(StoreError::Conflict);
        }
    }
    sqlx::query(
        "INSERT INTO settlements (id, merchant_id, currency, net_minor, count, run_date,
             created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&s.id)
    .bind(&s.merchant_id)
    .bind(s.currency.code())
    .bind(s.net)
    .bind(i64::from(s.count))
    .bind(&s.run_date)
    .bind(s.created_at)
    .execute(&mut *tx)
    .await?;
    if let Some(posting) = &c.plan.posting {
        ledger::post(&mut tx, posting).await?;
    }
    insert_event(&mut tx, &c.event).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn settlements(
    pool: &PgPool,
    merchant: &MerchantId,
    after: Option<&SettlementId>,
    limit: u32,
) -> Result<Vec<Settlement>, StoreError> {
    sqlx::query(
        "SELECT * FROM settlements WHERE merchant_id = $1 AND ($2 IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3",
    )
    .bind(merchant)
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?
    .iter()
    .map(settlement_from_row)
    .collect()
}

pub(super) async fn settlement(
    pool: &PgPool,
    merchant: &MerchantId,
    id: &SettlementId,
) -> Result<Option<Settlement>, StoreError> {
    sqlx::query("SELECT * FROM settlements WHERE merchant_id = $1 AND id = $2")
        .bind(merchant)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(settlement_from_row)
        .transpose()
}

pub(super) async fn mark_run(
    pool: &PgPool,
    run_date: &str,
    at: Millis,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO settlement_runs (run_date, ran_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(run_date)
    .bind(at)
    .execute(pool)
    .await?
    .rows_affected()
        == 1)
}

fn settlement_from_row(row: &PgRow) -> Result<Settlement, StoreError> {
    let count: i64 = row.try_get("count")?;
    Ok(Settlement {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        currency: currency(row.try_get("currency")?)?,
        net: row.try_get("net_minor")?,
        count: u32::try_from(count).map_err(|_| StoreError::Corrupt("settlement count".into()))?,
        run_date: row.try_get("run_date")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(super) fn currency(code: String) -> Result<Currency, StoreError> {
    Currency::from_str(&code).map_err(|_| StoreError::Corrupt(format!("currency {code}")))
}

pub(super) async fn overdue(
    pool: &PgPool,
    clearing_before: Millis,
    transit_before: Millis,
) -> Result<Vec<OverdueItem>, StoreError> {
    let rows = sqlx::query(
        "SELECT 'clearing' AS holder, a.id AS key, a.bank_code AS bank, o.merchant_id,
                a.amount_minor, a.currency, a.decided_at AS since
         FROM balance_transactions b JOIN orders o ON o.id = b.source
             JOIN payment_attempts a ON a.id = o.paid_attempt_id
         WHERE b.type = 'payment' AND b.reconciled_at IS NULL AND a.decided_at < $1
         UNION ALL
         SELECT 'clearing', r.id, a.bank_code, o.merchant_id, r.amount_minor, r.currency,
                r.decided_at
         FROM balance_transactions b JOIN refunds r ON r.id = b.source
             JOIN payment_attempts a ON a.id = r.attempt_id JOIN orders o ON o.id = r.order_id
         WHERE b.type = 'refund' AND b.reconciled_at IS NULL AND r.status = 'succeeded'
           AND r.decided_at < $1
         UNION ALL
         SELECT 'transit', id, bank, merchant_id, amount_minor, currency, created_at
         FROM payouts WHERE status IN ('pending', 'in_transit') AND created_at < $2",
    )
    .bind(clearing_before)
    .bind(transit_before)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let holder: String = row.try_get("holder")?;
            let bank: String = row.try_get("bank")?;
            let minor: i64 = row.try_get("amount_minor")?;
            Ok(OverdueItem {
                account: if holder == "transit" {
                    Account::PayoutsInTransit
                } else {
                    Account::BankClearing(bank)
                },
                key: row.try_get("key")?,
                merchant_id: row.try_get("merchant_id")?,
                amount: Money::from_minor(minor, currency(row.try_get("currency")?)?)
                    .map_err(|e| StoreError::Corrupt(format!("overdue amount: {e}")))?,
                since: row.try_get("since")?,
            })
        })
        .collect()
}

pub(super) async fn raise_once(
    pool: &PgPool,
    key: &str,
    alert: &NewAlert,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let new = sqlx::query(
        "INSERT INTO alert_keys (key, alert_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(key)
    .bind(&alert.id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if new {
        insert_alert(&mut tx, alert, None).await?;
    }
    tx.commit().await?;
    Ok(new)
}
