//! Idempotency keys: claims held in memory while a request runs (one gateway process
//! per database file), answers stored in the transaction of the change they report,
//! and read only for keys that may have one ([`SeenKeys`]).

use std::collections::HashSet;
use std::sync::Mutex;

use sqlx::{SqliteConnection, SqlitePool};

use super::seen_keys::SeenKeys;
use crate::domain::idempotency::{KEEP, KeyAnswer, KeyClaim};
use crate::domain::time::millis;
use crate::store::StoreError;

#[derive(Default)]
pub(super) struct Claims {
    /// The keys of requests running now.
    running: Mutex<HashSet<(String, String)>>,
    /// Every key stored when the store opened or claimed since.
    seen: Mutex<SeenKeys>,
}

fn poisoned<T>(_: T) -> StoreError {
    StoreError::Corrupt("idempotency claims poisoned".into())
}

impl Claims {
    /// Claims as the store opens: every key that has an answer stored is seen.
    pub(super) async fn load(pool: &SqlitePool) -> Result<Self, StoreError> {
        let claims = Claims::default();
        let stored: Vec<(String, String)> =
            sqlx::query_as("SELECT merchant_id, key FROM idempotency_keys")
                .fetch_all(pool)
                .await?;
        let mut seen = claims.seen.lock().map_err(poisoned)?;
        for (merchant_id, key) in &stored {
            seen.remember(merchant_id, key);
        }
        drop(seen);
        Ok(claims)
    }

    /// Claims first, then reads: whoever finds no claim also finds any answer its
    /// predecessor committed, because an owner commits before it releases.
    pub(super) async fn claim(
        &self,
        pool: &SqlitePool,
        merchant_id: &str,
        key: &str,
        request_hash: &str,
        not_before: i64,
    ) -> Result<KeyClaim, StoreError> {
        let id = (merchant_id.to_owned(), key.to_owned());
        let fresh = self.running.lock().map_err(poisoned)?.insert(id);
        if !fresh {
            return Ok(KeyClaim::InUse);
        }
        // Answers are recorded under claims only, so a key never seen has none.
        let now = not_before.saturating_add(millis(KEEP));
        let maybe_stored = self
            .seen
            .lock()
            .map_err(poisoned)?
            .add(merchant_id, key, now);
        if !maybe_stored {
            return Ok(KeyClaim::Claimed);
        }
        let stored: Result<Option<(String, i64, Vec<u8>)>, _> = sqlx::query_as(
            "SELECT request_hash, status, body FROM idempotency_keys
             WHERE merchant_id = ? AND key = ? AND created_at >= ?",
        )
        .bind(merchant_id)
        .bind(key)
        .bind(not_before)
        .fetch_optional(pool)
        .await;
        let claim = match stored {
            Ok(None) => return Ok(KeyClaim::Claimed),
            Ok(Some((hash, _, _))) if hash != request_hash => KeyClaim::Mismatch,
            Ok(Some((_, status, body))) => KeyClaim::Replay {
                status: u16::try_from(status)
                    .map_err(|_| StoreError::Corrupt("idempotency_keys.status".into()))?,
                body,
            },
            Err(e) => {
                self.release(merchant_id, key);
                return Err(e.into());
            }
        };
        self.release(merchant_id, key);
        Ok(claim)
    }

    pub(super) fn release(&self, merchant_id: &str, key: &str) {
        if let Ok(mut claims) = self.running.lock() {
            claims.remove(&(merchant_id.to_owned(), key.to_owned()));
        }
    }
}

/// Stores one answer. A row for the same key can only be one older than the 24 hours a
/// key is kept (a live one would have been replayed), so it is replaced.
const RECORD: &str =
    "INSERT INTO idempotency_keys (merchant_id, key, request_hash, status, body, created_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (merchant_id, key) DO UPDATE SET request_hash = excluded.request_hash,
         status = excluded.status, body = excluded.body, created_at = excluded.created_at";

/// Stores answers in the transaction the caller's connection is in.
pub(super) async fn record(
    conn: &mut SqliteConnection,
    answers: &[KeyAnswer],
) -> Result<(), sqlx::Error> {
    for a in answers {
        sqlx::query(RECORD)
            .bind(&a.merchant_id)
            .bind(&a.key)
            .bind(&a.request_hash)
            .bind(i64::from(a.status))
            .bind(&a.body)
            .bind(a.created_at)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Stores answers in a batch's transaction on the [`BatchConnection`](super::batch_connection).
pub(super) struct Recorder<'tx>(rusqlite::CachedStatement<'tx>);

impl<'tx> Recorder<'tx> {
    pub(super) fn prepare(tx: &'tx rusqlite::Transaction<'_>) -> rusqlite::Result<Self> {
        tx.prepare_cached(RECORD).map(Recorder)
    }

    pub(super) fn record(&mut self, a: &KeyAnswer) -> rusqlite::Result<()> {
        self.0
            .execute(rusqlite::params![
                a.merchant_id.as_str(),
                a.key,
                a.request_hash,
                a.status,
                a.body,
                a.created_at,
            ])
            .map(drop)
    }
}

pub(super) async fn prune(pool: &SqlitePool, before: i64) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < ?")
            .bind(before)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use crate::domain::idempotency::{KeyAnswer, KeyClaim};
    use crate::store::contract::fixtures::{MERCHANT, NOW, merchant, new_order};
    use crate::store::sqlite::SqliteStore;
    use crate::store::{CreateOrder, IdempotencyStore, MerchantStore, OrderStore};

    /// Keys are read from the database only if seen: those stored before the store
    /// opened must count as seen.
    #[tokio::test]
    async fn an_answer_stored_before_a_restart_is_replayed_after_it() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("gateway.sqlite");
        let claim = async |store: &SqliteStore| {
            store
                .claim_idempotency_key(&MERCHANT.into(), "k1", "h1", NOW)
                .await
                .expect("claim")
        };
        let store = SqliteStore::open(&path).await.expect("opens");
        store
            .upsert_merchant(&merchant(MERCHANT))
            .await
            .expect("stored");
        assert_eq!(claim(&store).await, KeyClaim::Claimed);
        let answer = KeyAnswer {
            merchant_id: MERCHANT.into(),
            key: "k1".into(),
            request_hash: "h1".into(),
            status: 201,
            body: b"{\"id\":\"ord_1\"}".to_vec(),
            created_at: NOW,
        };
        let created = CreateOrder {
            order: new_order("ord_1", MERCHANT),
            answer: Some(answer.clone()),
        };
        store.create_order(created).await.expect("created");
        store.release_idempotency_key(&MERCHANT.into(), "k1").await;
        drop(store);

        let reopened = SqliteStore::open(&path).await.expect("reopens");
        let replay = KeyClaim::Replay {
            status: 201,
            body: answer.body,
        };
        assert_eq!(claim(&reopened).await, replay);
        // A day of other keys later, the stored answer is still found.
        let later = NOW + 24 * 3_600_000 - 1;
        let other = reopened
            .claim_idempotency_key(&MERCHANT.into(), "k2", "h", later)
            .await
            .expect("claim");
        assert_eq!(other, KeyClaim::Claimed);
        assert_eq!(claim(&reopened).await, replay);
    }
}
