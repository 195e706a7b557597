//! The ledger in SQLite: postings written in their cause's transaction, and the reads
//! derived from entries (balances, trial balance) and balance transactions.

use std::str::FromStr;

use paydesk_shared::Currency;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, SqlitePool, Transaction};

use crate::domain::balance::{
    BalanceFilter, BalanceKind, BalanceStatus, BalanceTransaction, CurrencyBalance,
};
use crate::domain::ids::{BalanceTransactionId, MerchantId};
use crate::domain::ledger::{Account, AccountBalance, Posting};
use crate::store::StoreError;

/// Posts `p` in the caller's transaction unless its cause was posted before; answers
/// whether it posted.
///
/// The single writer pays per statement it sends to its worker thread, not per row, so
/// the transaction, its entries and its balance line go as one multi-statement query.
/// Only the first statement can tell a new cause from a repeated one; the other two
/// find the transaction by its cause and write only what it does not have yet (a
/// transaction's entries and balance line are only ever written with it).
pub(super) async fn post(
    tx: &mut Transaction<'_, Sqlite>,
    p: &Posting,
) -> Result<bool, StoreError> {
    const CAUSE: &str = "t.cause_kind = ?1 AND t.cause_id = ?2";
    let mut sql = String::from(
        "INSERT INTO ledger_transactions (cause_kind, cause_id, currency, posted_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (cause_kind, cause_id) DO NOTHING
         RETURNING id;
         INSERT INTO ledger_entries (transaction_id, position, account, currency, amount_minor)
         SELECT t.id, e.column1, e.column2, ?3, e.column3
         FROM ledger_transactions t, (VALUES ",
    );
    let mut next = 4;
    let mut param = || {
        next += 1;
        format!("?{next}")
    };
    let rows: Vec<String> = p
        .entries
        .iter()
        .map(|_| format!("({}, {}, {})", param(), param(), param()))
        .collect();
    sql.push_str(&rows.join(", "));
    sql.push_str(&format!(
        ") e WHERE {CAUSE}
           AND NOT EXISTS (SELECT 1 FROM ledger_entries x WHERE x.transaction_id = t.id);"
    ));
    if p.balance.is_some() {
        let values: Vec<String> = (0..10).map(|_| param()).collect();
        sql.push_str(&format!(
            "INSERT INTO balance_transactions (id, merchant_id, type, amount_minor, fee_minor,
                 net_minor, currency, source, status, available_on, transaction_id, created_at)
             SELECT {}, t.id, ?4 FROM ledger_transactions t WHERE {CAUSE}
             ON CONFLICT (transaction_id) DO NOTHING;",
            values.join(", ")
        ));
    }
    let mut q = sqlx::query(&sql)
        .bind(p.cause.kind.as_str())
        .bind(&p.cause.id)
        .bind(p.currency.code())
        .bind(p.posted_at);
    for (position, e) in p.entries.iter().enumerate() {
        q = q
            .bind(position as i64)
            .bind(e.account.to_string())
            .bind(e.signed_minor());
    }
    if let Some(b) = &p.balance {
        q = q
            .bind(BalanceTransactionId::generate())
            .bind(&b.merchant_id)
            .bind(b.kind.as_str())
            .bind(b.amount)
            .bind(b.fee)
            .bind(b.net())
            .bind(b.currency.code())
            .bind(&b.source)
            .bind(b.status.as_str())
            .bind((b.status == BalanceStatus::Available).then_some(p.posted_at));
    }
    // fetch_all runs every statement; only a new transaction returns a row.
    let created = q.fetch_all(&mut **tx).await?;
    Ok(!created.is_empty())
}

/// Every account's balance per currency, from the entries.
pub(super) async fn trial_balance(pool: &SqlitePool) -> Result<Vec<AccountBalance>, StoreError> {
    sqlx::query(
        "SELECT account, currency, SUM(amount_minor) AS minor FROM ledger_entries
         GROUP BY account, currency ORDER BY account, currency",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        let code: String = row.try_get("account")?;
        let account = Account::parse(&code)
            .ok_or_else(|| StoreError::Corrupt(format!("ledger account {code}")))?;
        Ok(AccountBalance {
            account,
            currency: currency(row)?,
            minor: row.try_get("minor")?,
        })
    })
    .collect()
}

/// A merchant's pending and available balance per currency, from the entries. The
/// merchant's accounts hold what the gateway owes it, so their credit balance is the
/// merchant's money.
pub(super) async fn balances(
    pool: &SqlitePool,
    merchant: &MerchantId,
) -> Result<Vec<CurrencyBalance>, StoreError> {
    let pending = Account::MerchantPending(merchant.clone()).to_string();
    let available = Account::MerchantAvailable(merchant.clone()).to_string();
    sqlx::query(
        "SELECT currency,
             -COALESCE(SUM(CASE WHEN account = ?2 THEN amount_minor END), 0) AS available,
             -COALESCE(SUM(CASE WHEN account = ?1 THEN amount_minor END), 0) AS pending
         FROM ledger_entries WHERE account IN (?1, ?2)
         GROUP BY currency ORDER BY currency",
    )
    .bind(pending)
    .bind(available)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        Ok(CurrencyBalance {
            currency: currency(row)?,
            available: row.try_get("available")?,
            pending: row.try_get("pending")?,
        })
    })
    .collect()
}

/// The merchant's balance transactions, newest first.
pub(super) async fn balance_transactions(
    pool: &SqlitePool,
    merchant: &MerchantId,
    f: &BalanceFilter,
) -> Result<Vec<BalanceTransaction>, StoreError> {
    sqlx::query(
        "SELECT * FROM balance_transactions
         WHERE merchant_id = ?1
           AND (?2 IS NULL OR type = ?2)
           AND (?3 IS NULL OR settlement_id = ?3)
           AND (?4 IS NULL OR payout_id = ?4)
           AND (?5 IS NULL OR id < ?5)
         ORDER BY id DESC LIMIT ?6",
    )
    .bind(merchant)
    .bind(f.kind.map(BalanceKind::as_str))
    .bind(&f.settlement_id)
    .bind(&f.payout_id)
    .bind(&f.starting_after)
    .bind(f.limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(balance_transaction)
    .collect()
}

pub(super) fn balance_transaction(row: &SqliteRow) -> Result<BalanceTransaction, StoreError> {
    let kind: String = row.try_get("type")?;
    let status: String = row.try_get("status")?;
    Ok(BalanceTransaction {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        kind: BalanceKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("balance transaction type {kind}")))?,
        amount: row.try_get("amount_minor")?,
        fee: row.try_get("fee_minor")?,
        net: row.try_get("net_minor")?,
        currency: currency(row)?,
        source: row.try_get("source")?,
        status: BalanceStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("balance transaction status {status}")))?,
        settlement_id: row.try_get("settlement_id")?,
        payout_id: row.try_get("payout_id")?,
        available_on: row.try_get("available_on")?,
        created_at: row.try_get("created_at")?,
    })
}

fn currency(row: &SqliteRow) -> Result<Currency, StoreError> {
    let code: String = row.try_get("currency")?;
    Currency::from_str(&code).map_err(|_| StoreError::Corrupt(format!("currency {code}")))
}

#[cfg(test)]
mod tests {
    use crate::store::sqlite::SqliteStore;

    /// The database itself refuses to rewrite the books, whatever the code does.
    #[tokio::test]
    async fn entries_and_transactions_cannot_be_changed_or_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("ledger.db"))
            .await
            .unwrap();
        let pool = store.write.pool();
        sqlx::query(
            "INSERT INTO ledger_transactions (id, cause_kind, cause_id, currency, posted_at)
             VALUES (1, 'adjustment', 'alr_1', 'CNY', 0)",
        )
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO ledger_entries (transaction_id, position, account, currency, amount_minor)
             VALUES (1, 0, 'fee_revenue', 'CNY', 100), (1, 1, 'payouts_in_transit', 'CNY', -100)",
        )
        .execute(pool)
        .await
        .unwrap();
        for statement in [
            "UPDATE ledger_entries SET amount_minor = 1 WHERE transaction_id = 1",
            "DELETE FROM ledger_entries WHERE transaction_id = 1",
            "UPDATE ledger_transactions SET cause_id = 'alr_2'",
            "DELETE FROM ledger_transactions",
        ] {
            let error = sqlx::query(statement).execute(pool).await.unwrap_err();
            assert!(
                error.to_string().contains("append-only"),
                "{statement}: {error}"
            );
        }
        let total: i64 = sqlx::query_scalar("SELECT SUM(amount_minor) FROM ledger_entries")
            .fetch_one(pool)
            .await
            .unwrap();
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!((total, rows), (0, 2));
    }
}
