use sqlx::{Row, SqlitePool, sqlite::SqliteRow};

use crate::domain::merchant::Merchant;
use crate::store::StoreError;

pub(super) async fn upsert(pool: &SqlitePool, m: &Merchant) -> Result<(), StoreError> {
    let return_urls =
        serde_json::to_string(&m.return_urls).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO merchants (id, name, secret_key_hash, return_urls, created_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET
             name = excluded.name,
             secret_key_hash = excluded.secret_key_hash,
             return_urls = excluded.return_urls",
    )
    .bind(&m.id)
    .bind(&m.name)
    .bind(&m.secret_key_hash)
    .bind(return_urls)
    .bind(m.created_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn by_key_hash(
    pool: &SqlitePool,
    hash: &str,
) -> Result<Option<Merchant>, StoreError> {
    sqlx::query("SELECT * FROM merchants WHERE secret_key_hash = ?")
        .bind(hash)
        .fetch_optional(pool)
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

pub(super) async fn by_id(pool: &SqlitePool, id: &str) -> Result<Option<Merchant>, StoreError> {
    sqlx::query("SELECT * FROM merchants WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

fn from_row(row: &SqliteRow) -> Result<Merchant, StoreError> {
    let return_urls: String = row.try_get("return_urls")?;
    Ok(Merchant {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        secret_key_hash: row.try_get("secret_key_hash")?,
        return_urls: serde_json::from_str(&return_urls)
            .map_err(|e| StoreError::Corrupt(format!("merchants.return_urls: {e}")))?,
        created_at: row.try_get("created_at")?,
    })
}
