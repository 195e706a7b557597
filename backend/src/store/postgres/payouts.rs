//! Payouts in PostgreSQL. The available balance a payout needs is read from the ledger's
//! entries in the transaction that creates it; PostgreSQL's single writer serialises
//! concurrent payouts, so two cannot both spend the same money. (A PostgreSQL store
//! must lock the merchant's row first.)

use paydesk_shared::Money;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::outbox::insert_event;
use super::settlement::currency;
use super::{idempotency, ledger};
use crate::domain::ids::{MerchantId, PayoutId};
use crate::domain::ledger::Account;
use crate::domain::merchant::SettlementAccount;
use crate::domain::payout::{Payout, PayoutOutcome, PayoutStatus};
use crate::domain::time::Millis;
use crate::store::{CreatePayout, PayoutDecision, StoreError};

pub(super) async fn create(pool: &PgPool, c: &CreatePayout) -> Result<PayoutOutcome, StoreError> {
    let p = &c.payout;
    let mut tx = pool.begin().await?;
    // The merchant's available account holds what it is owed as a credit balance.
    let owed: i64 = sqlx::query_scalar(
        "SELECT -COALESCE(SUM(amount_minor), 0)::BIGINT FROM ledger_entries
         WHERE account = $1 AND currency = $2",
    )
    .bind(Account::MerchantAvailable(p.merchant_id.clone()).to_string())
    .bind(p.amount.currency().code())
    .fetch_one(&mut *tx)
    .await?;
    if owed < p.amount.minor() {
        return Ok(PayoutOutcome::Insufficient { available: owed });
    }
    sqlx::query(
        "INSERT INTO payouts (id, merchant_id, amount_minor, currency, bank, account_number,
             status, automatic, tries, next_try_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, 0, $8, $9)",
    )
    .bind(&p.id)
    .bind(&p.merchant_id)
    .bind(p.amount.minor())
    .bind(p.amount.currency().code())
    .bind(&p.destination.bank)
    .bind(&p.destination.account_number)
    .bind(p.automatic)
    .bind(p.created_at)
    .bind(p.created_at)
    .execute(&mut *tx)
    .await?;
    ledger::post(&mut tx, &c.posting).await?;
    sqlx::query("UPDATE balance_transactions SET payout_id = $1 WHERE source = $2")
        .bind(&p.id)
        .bind(p.id.as_str())
        .execute(&mut *tx)
        .await?;
    idempotency::record(&mut tx, c.answer.as_slice()).await?;
    tx.commit().await?;
    Ok(PayoutOutcome::Created)
}

pub(super) async fn one(
    pool: &PgPool,
    merchant: &MerchantId,
    id: &PayoutId,
) -> Result<Option<Payout>, StoreError> {
    sqlx::query("SELECT * FROM payouts WHERE merchant_id = $1 AND id = $2")
        .bind(merchant)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub(super) async fn list(
    pool: &PgPool,
    merchant: &MerchantId,
    after: Option<&PayoutId>,
    limit: u32,
) -> Result<Vec<Payout>, StoreError> {
    sqlx::query(
        "SELECT * FROM payouts WHERE merchant_id = $1 AND ($2 IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3",
    )
    .bind(merchant)
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

pub(super) async fn due(pool: &PgPool, now: Millis, limit: u32) -> Result<Vec<Payout>, StoreError> {
    sqlx::query(
        "SELECT * FROM payouts WHERE next_try_at IS NOT NULL AND next_try_at <= $1
         ORDER BY next_try_at LIMIT $2",
    )
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

pub(super) async fn next_due(pool: &PgPool) -> Result<Option<Millis>, StoreError> {
    Ok(sqlx::query_scalar("SELECT MIN(next_try_at) FROM payouts")
        .fetch_one(pool)
        .await?)
}

pub(super) async fn retry(
    pool: &PgPool,
    id: &PayoutId,
    next_try_at: Millis,
    error: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE payouts SET status = 'in_transit', tries = tries + 1, next_try_at = $1,
             failure_reason = $2
         WHERE id = $3 AND status IN ('pending', 'in_transit')",
    )
    .bind(next_try_at)
    .bind(error)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn decide(pool: &PgPool, d: &PayoutDecision) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let decided = sqlx::query(
        "UPDATE payouts SET status = $1, bank_transfer_id = $2, failure_reason = $3, decided_at = $4,
             tries = tries + 1, next_try_at = NULL
         WHERE id = $5 AND status IN ('pending', 'in_transit')",
    )
    .bind(d.status.as_str())
    .bind(&d.bank_transfer_id)
    .bind(&d.failure_reason)
    .bind(d.decided_at)
    .bind(&d.payout_id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if decided {
        ledger::post(&mut tx, &d.posting).await?;
        sqlx::query(
            "UPDATE balance_transactions SET payout_id = $1
             WHERE source = $2 AND payout_id IS NULL",
        )
        .bind(&d.payout_id)
        .bind(d.payout_id.as_str())
        .execute(&mut *tx)
        .await?;
        insert_event(&mut tx, &d.event).await?;
    }
    tx.commit().await?;
    Ok(decided)
}

fn from_row(row: &PgRow) -> Result<Payout, StoreError> {
    let status: String = row.try_get("status")?;
    let minor: i64 = row.try_get("amount_minor")?;
    let tries: i64 = row.try_get("tries")?;
    Ok(Payout {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        amount: Money::from_minor(minor, currency(row.try_get("currency")?)?)
            .map_err(|e| StoreError::Corrupt(format!("payout amount: {e}")))?,
        destination: SettlementAccount {
            bank: row.try_get("bank")?,
            account_number: row.try_get("account_number")?,
        },
        status: PayoutStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("payout status {status}")))?,
        automatic: row.try_get("automatic")?,
        bank_transfer_id: row.try_get("bank_transfer_id")?,
        failure_reason: row.try_get("failure_reason")?,
        tries: u32::try_from(tries).unwrap_or(u32::MAX),
        created_at: row.try_get("created_at")?,
        decided_at: row.try_get("decided_at")?,
    })
}
