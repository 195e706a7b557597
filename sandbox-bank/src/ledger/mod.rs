//! The bank's books in SQLite: card accounts and balances, card locks, pay-page
//! sessions, the decision on each attempt, the transaction log, refunds, transfers
//! to merchant accounts, seen signature nonces and the notifications still to
//! deliver.
//!
//! One file in WAL mode with `synchronous=FULL`, so every commit is durable. One write
//! connection: SQLite has one writer anyway, and queuing for the connection beats
//! SQLITE_BUSY retries; it also makes every read-check-write below a serial step. A
//! small pool of readers serves the pages. SQL lives in this module only.

mod attempts;
mod cards;
mod decide;
mod deliveries;
mod history;
mod ids;
mod nonces;
mod refunds;
mod transfers;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use paydesk_shared::bank_protocol::{DeclineReason, PaymentNotification, PaymentRequest};
use paydesk_shared::{Currency, Money};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::cards::CardNumber;

pub(crate) use attempts::Opened;
pub(crate) use decide::{Decided, Verdict};
pub(crate) use deliveries::{DeliveryEnd, DeliveryPlan, PendingDelivery};
pub(crate) use history::{Transaction, TransactionKind};
pub(crate) use ids::SessionId;
pub(crate) use refunds::RefundOrder;
pub(crate) use transfers::{Credit, MerchantAccount, TransferOrder, Transferred};

/// A verified payment request waiting for the shopper.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) id: SessionId,
    pub(crate) request: PaymentRequest,
    pub(crate) amount: Money,
    pub(crate) limit: Money,
}

impl Session {
    /// Above the bank's single-payment limit for the request's card kind.
    pub(crate) fn over_limit(&self) -> bool {
        self.amount.amount() > self.limit.amount()
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum LedgerError {
    #[error("no such payment attempt")]
    AttemptNotFound,
    #[error("card {0} has no account at this bank")]
    UnknownCard(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the books hold an unreadable {0}")]
    Corrupt(&'static str),
}

pub(crate) struct Ledger {
    write: SqlitePool,
    read: SqlitePool,
}

impl Ledger {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub(crate) async fn open(path: &Path) -> Result<Self, LedgerError> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        Ok(Ledger { write, read })
    }

    /// Waits for running statements and closes every connection, so another process
    /// (or a restarted bank) finds the file consistent and unlocked.
    pub(crate) async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

fn currency(code: &str) -> Result<Currency, LedgerError> {
    Currency::from_str(code).map_err(|_| LedgerError::Corrupt("currency"))
}

fn money(minor: i64, currency_code: &str) -> Result<Money, LedgerError> {
    Money::from_minor(minor, currency(currency_code)?).map_err(|_| LedgerError::Corrupt("amount"))
}

fn card(number: Option<String>) -> Result<Option<CardNumber>, LedgerError> {
    number
        .map(|n| CardNumber::parse(&n).ok_or(LedgerError::Corrupt("card number")))
        .transpose()
}

fn decline_reason(text: &str) -> Result<DeclineReason, LedgerError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| LedgerError::Corrupt("decline reason"))
}

fn notification(json: &str) -> Result<PaymentNotification, LedgerError> {
    serde_json::from_str(json).map_err(|_| LedgerError::Corrupt("notification"))
}

#[cfg(test)]
pub(crate) mod testing {
    //! A ledger on a fresh temporary file, for the unit tests of this crate.

    use std::sync::Arc;

    use super::Ledger;

    pub(crate) struct TempLedger {
        pub(crate) shared: Arc<Ledger>,
        _dir: tempfile::TempDir,
    }

    impl std::ops::Deref for TempLedger {
        type Target = Ledger;
        fn deref(&self) -> &Ledger {
            &self.shared
        }
    }

    pub(crate) async fn temp_ledger() -> TempLedger {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("bank.sqlite")).await.unwrap();
        TempLedger {
            shared: Arc::new(ledger),
            _dir: dir,
        }
    }
}
