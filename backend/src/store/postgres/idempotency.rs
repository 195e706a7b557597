//! Idempotency keys: claims held in the database while a request runs, so every
//! replica sees them, and answers stored in the transaction of the change they report.
//! A claim has a lease: one left behind by a killed replica lapses and may be taken.

use std::borrow::Borrow;

use sqlx::{PgPool, Postgres, QueryBuilder, Transaction};

use super::DB_NOW;
use crate::domain::idempotency::{KeyAnswer, KeyClaim};
use crate::domain::time::Millis;
use crate::http::timeout::REQUEST_TIMEOUT;
use crate::store::StoreError;

/// How long a claim holds without its request answering, on the database's clock.
/// A live replica answers every request within `REQUEST_TIMEOUT` and releases its
/// claim (also when the request is cut off), so only a killed replica's claim is
/// still there after that: it lapses ten seconds later, or as soon as its replica is
/// no longer present (see `replicas`), whichever comes first.
const CLAIM_LEASE: Millis = REQUEST_TIMEOUT.as_millis() as Millis + 10_000;

/// Claims first, then reads: whoever takes a claim also finds any answer its
/// predecessor committed, because an owner commits before it releases. A key with an
/// answer replays (or is refused) even while a claim on it is still being released.
/// The claim is `holder`'s, the replica asking.
pub(super) async fn claim(
    pool: &PgPool,
    holder: &str,
    merchant_id: &str,
    key: &str,
    request_hash: &str,
    not_before: Millis,
) -> Result<KeyClaim, StoreError> {
    let mut tx = pool.begin().await?;
    let sql = format!(
        "INSERT INTO idempotency_claims (merchant_id, key, request_hash, expires_at, holder)
         VALUES ($1, $2, $3, {DB_NOW} + $4, $5)
         ON CONFLICT (merchant_id, key) DO UPDATE SET
             request_hash = excluded.request_hash, expires_at = excluded.expires_at,
             holder = excluded.holder
         WHERE idempotency_claims.expires_at <= {DB_NOW}
            OR NOT EXISTS (SELECT 1 FROM replicas r
                           WHERE r.id = idempotency_claims.holder AND r.expires_at > {DB_NOW})"
    );
    let claimed = sqlx::query(&sql)
        .bind(merchant_id)
        .bind(key)
        .bind(request_hash)
        .bind(CLAIM_LEASE)
        .bind(holder)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    let stored: Option<(String, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT request_hash, status, body FROM idempotency_keys
         WHERE merchant_id = $1 AND key = $2 AND created_at >= $3",
    )
    .bind(merchant_id)
    .bind(key)
    .bind(not_before)
    .fetch_optional(&mut *tx)
    .await?;
    let answer = match stored {
        None if claimed => KeyClaim::Claimed,
        None => KeyClaim::InUse,
        Some((hash, _, _)) if hash != request_hash => KeyClaim::Mismatch,
        Some((_, status, body)) => KeyClaim::Replay {
            status: u16::try_from(status)
                .map_err(|_| StoreError::Corrupt("idempotency_keys.status".into()))?,
            body,
        },
    };
    if claimed && answer != KeyClaim::Claimed {
        sqlx::query("DELETE FROM idempotency_claims WHERE merchant_id = $1 AND key = $2")
            .bind(merchant_id)
            .bind(key)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(answer)
}

/// Ends `holder`'s claim (one another replica took over is that replica's to end). A
/// claim left behind (the database unreachable now, say) lapses with its lease.
pub(super) async fn release(pool: &PgPool, holder: &str, merchant_id: &str, key: &str) {
    let released = sqlx::query(
        "DELETE FROM idempotency_claims WHERE merchant_id = $1 AND key = $2 AND holder = $3",
    )
    .bind(merchant_id)
    .bind(key)
    .bind(holder)
    .execute(pool)
    .await;
    if let Err(e) = released {
        tracing::warn!(error = %e, "an idempotency claim was not released; it lapses");
    }
}

/// Stores answers in the caller's transaction. A row for the same key can only be one
/// older than the 24 hours a key is kept (a live one would have been replayed), so it
/// is replaced.
pub(super) async fn record<A: Borrow<KeyAnswer>>(
    tx: &mut Transaction<'_, Postgres>,
    answers: &[A],
) -> Result<(), sqlx::Error> {
    if answers.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Postgres>::new(
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

pub(super) async fn prune(pool: &PgPool, before: i64) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(before)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}
