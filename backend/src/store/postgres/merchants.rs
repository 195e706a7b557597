use sqlx::{PgPool, Row, postgres::PgRow};

use super::idempotency;
use crate::domain::fee::FeePlan;
use crate::domain::ids::{KeyId, MerchantId};
use crate::domain::merchant::{Merchant, MerchantKey, SettlementAccount};
use crate::domain::time::Millis;
use crate::store::{CreateMerchant, SetReturnUrls, StoreError};

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

const UPSERT: &str = "INSERT INTO merchants (id, name, return_urls, settlement_bank,
         settlement_account_number, fee_plan, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET
         name = excluded.name,
         return_urls = excluded.return_urls,
         settlement_bank = excluded.settlement_bank,
         settlement_account_number = excluded.settlement_account_number,
         fee_plan = excluded.fee_plan";

async fn write<'e, E: sqlx::PgExecutor<'e>>(e: E, m: &Merchant) -> Result<(), StoreError> {
    let account = m.settlement_account.as_ref();
    sqlx::query(UPSERT)
        .bind(&m.id)
        .bind(&m.name)
        .bind(json(&m.return_urls)?)
        .bind(account.map(|a| a.bank.as_str()))
        .bind(account.map(|a| a.account_number.as_str()))
        .bind(json(&m.fee_plan)?)
        .bind(m.created_at)
        .execute(e)
        .await?;
    Ok(())
}

pub(super) async fn upsert(pool: &PgPool, m: &Merchant) -> Result<(), StoreError> {
    write(pool, m).await
}

pub(super) async fn create(pool: &PgPool, c: &CreateMerchant) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM merchants WHERE id = $1")
        .bind(&c.merchant.id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_some() {
        return Err(StoreError::Duplicate {
            what: format!("merchant {}", c.merchant.id),
        });
    }
    write(&mut *tx, &c.merchant).await?;
    insert_key(&mut *tx, &c.key).await?;
    idempotency::record(&mut tx, c.answer.as_slice()).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_key<'e, E: sqlx::PgExecutor<'e>>(e: E, k: &MerchantKey) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO merchant_keys (id, merchant_id, key_hash, last4, created_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET key_hash = excluded.key_hash, last4 = excluded.last4,
             revoked_at = excluded.revoked_at",
    )
    .bind(&k.id)
    .bind(&k.merchant_id)
    .bind(&k.key_hash)
    .bind(&k.last4)
    .bind(k.created_at)
    .bind(k.revoked_at)
    .execute(e)
    .await?;
    Ok(())
}

pub(super) async fn save_key(pool: &PgPool, k: &MerchantKey) -> Result<(), StoreError> {
    insert_key(pool, k).await
}

pub(super) async fn revoke_key(
    pool: &PgPool,
    merchant: &MerchantId,
    key: &KeyId,
    at: Millis,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE merchant_keys SET revoked_at = $1
         WHERE id = $2 AND merchant_id = $3 AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(key)
    .bind(merchant)
    .execute(pool)
    .await?
    .rows_affected()
        == 1)
}

pub(super) async fn keys(
    pool: &PgPool,
    merchant: &MerchantId,
) -> Result<Vec<MerchantKey>, StoreError> {
    sqlx::query("SELECT * FROM merchant_keys WHERE merchant_id = $1 ORDER BY created_at, id")
        .bind(merchant)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            Ok(MerchantKey {
                id: row.try_get("id")?,
                merchant_id: row.try_get("merchant_id")?,
                key_hash: row.try_get("key_hash")?,
                last4: row.try_get("last4")?,
                created_at: row.try_get("created_at")?,
                revoked_at: row.try_get("revoked_at")?,
            })
        })
        .collect()
}

pub(super) async fn set_return_urls(pool: &PgPool, c: &SetReturnUrls) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let changed =
        sqlx::query("UPDATE merchants SET return_urls = $1 WHERE id = $2 AND return_urls = $3")
            .bind(json(&c.return_urls)?)
            .bind(&c.merchant_id)
            .bind(json(&c.previous)?)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
    if changed {
        idempotency::record(&mut tx, c.answer.as_slice()).await?;
    }
    tx.commit().await?;
    Ok(changed)
}

pub(super) async fn by_key_hash(pool: &PgPool, hash: &str) -> Result<Option<Merchant>, StoreError> {
    sqlx::query(
        "SELECT m.* FROM merchant_keys k JOIN merchants m ON m.id = k.merchant_id
         WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await?
    .map(|r| from_row(&r))
    .transpose()
}

pub(super) async fn by_id(pool: &PgPool, id: &str) -> Result<Option<Merchant>, StoreError> {
    sqlx::query("SELECT * FROM merchants WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

/// Merchants oldest first, after `after`.
pub(super) async fn list(
    pool: &PgPool,
    after: Option<&MerchantId>,
    limit: u32,
) -> Result<Vec<Merchant>, StoreError> {
    sqlx::query("SELECT * FROM merchants WHERE $1 IS NULL OR id > $1 ORDER BY id LIMIT $2")
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

fn from_row(row: &PgRow) -> Result<Merchant, StoreError> {
    let return_urls: String = row.try_get("return_urls")?;
    let fee_plan: Option<String> = row.try_get("fee_plan")?;
    let bank: Option<String> = row.try_get("settlement_bank")?;
    let number: Option<String> = row.try_get("settlement_account_number")?;
    Ok(Merchant {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        return_urls: serde_json::from_str(&return_urls)
            .map_err(|e| StoreError::Corrupt(format!("merchants.return_urls: {e}")))?,
        settlement_account: bank
            .zip(number)
            .map(|(bank, account_number)| SettlementAccount {
                bank,
                account_number,
            }),
        fee_plan: match fee_plan {
            None => FeePlan::default(),
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(format!("merchants.fee_plan: {e}")))?,
        },
        created_at: row.try_get("created_at")?,
    })
}
