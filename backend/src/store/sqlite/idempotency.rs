//! Idempotency keys: claims held in memory while a request runs (one gateway process
//! per database file), answers stored in the transaction of the change they report.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::sync::Mutex;

use sqlx::{QueryBuilder, Sqlite, SqlitePool, Transaction};

use crate::domain::idempotency::{KeyAnswer, KeyClaim};
use crate::store::StoreError;

/// The keys of requests running now.
#[derive(Default)]
pub(super) struct Claims(Mutex<HashSet<(String, String)>>);

impl Claims {
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
        let fresh = self
            .0
            .lock()
            .map_err(|_| StoreError::Corrupt("idempotency claims poisoned".into()))?
            .insert(id);
        if !fresh {
            return Ok(KeyClaim::InUse);
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
        if let Ok(mut claims) = self.0.lock() {
            claims.remove(&(merchant_id.to_owned(), key.to_owned()));
        }
    }
}

/// Stores answers in the caller's transaction. A row for the same key can only be one
/// older than the 24 hours a key is kept (a live one would have been replayed), so it
/// is replaced.
pub(super) async fn record<A: Borrow<KeyAnswer>>(
    tx: &mut Transaction<'_, Sqlite>,
    answers: &[A],
) -> Result<(), sqlx::Error> {
    if answers.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Sqlite>::new(
        "INSERT INTO idempotency_keys (merchant_id, key, request_hash, status, body, created_at) ",
    );
    q.push_values(answers, |mut b, a| {
        let a: &KeyAnswer = a.borrow();
        b.push_bind(&a.merchant_id)
            .push_bind(&a.key)
            .push_bind(&a.request_hash)
            .push_bind(i64::from(a.status))
            .push_bind(&a.body)
            .push_bind(a.created_at);
    });
    q.push(
        " ON CONFLICT (merchant_id, key) DO UPDATE SET request_hash = excluded.request_hash,
             status = excluded.status, body = excluded.body, created_at = excluded.created_at",
    );
    q.build().execute(&mut **tx).await?;
    Ok(())
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
