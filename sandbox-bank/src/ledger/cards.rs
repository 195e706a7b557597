//! Card accounts (one balance per currency) and card locks.

use paydesk_shared::{Currency, Money};
use sqlx::SqliteConnection;

use super::{Ledger, LedgerError};
use crate::cards::CardNumber;

/// Wrong payment passwords in a row on one card, and whether that locked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WrongPasswords {
    pub(crate) in_a_row: u32,
    pub(crate) locked: bool,
}

impl Ledger {
    /// What the card holds in `currency` now: its opening balance until money moves.
    pub(crate) async fn balance(
        &self,
        card: &CardNumber,
        currency: Currency,
    ) -> Result<Money, LedgerError> {
        let opening = opening_balance(card, currency)?;
        let minor: Option<i64> = sqlx::query_scalar(
            "SELECT balance_minor FROM accounts WHERE card = ? AND currency = ?",
        )
        .bind(card.as_str())
        .bind(currency.code())
        .fetch_optional(&self.read)
        .await?;
        match minor {
            Some(minor) => {
                Money::from_minor(minor, currency).map_err(|_| LedgerError::Corrupt("balance"))
            }
            None => Ok(opening),
        }
    }

    pub(crate) async fn card_locked(&self, card: &CardNumber) -> Result<bool, LedgerError> {
        let locked: Option<Option<i64>> =
            sqlx::query_scalar("SELECT locked_at FROM cards WHERE card = ?")
                .bind(card.as_str())
                .fetch_optional(&self.read)
                .await?;
        Ok(locked.flatten().is_some())
    }

    /// Counts a wrong payment password; the `lock_after`-th in a row locks the card.
    pub(crate) async fn record_wrong_password(
        &self,
        card: &CardNumber,
        lock_after: u32,
        now: i64,
    ) -> Result<WrongPasswords, LedgerError> {
        let (in_a_row, locked_at): (i64, Option<i64>) = sqlx::query_as(
            "INSERT INTO cards (card, wrong_passwords, locked_at)
             VALUES (?1, 1, CASE WHEN 1 >= ?2 THEN ?3 END)
             ON CONFLICT (card) DO UPDATE SET
                 wrong_passwords = wrong_passwords + 1,
                 locked_at = COALESCE(locked_at,
                     CASE WHEN wrong_passwords + 1 >= ?2 THEN ?3 END)
             RETURNING wrong_passwords, locked_at",
        )
        .bind(card.as_str())
        .bind(lock_after)
        .bind(now)
        .fetch_one(&self.write)
        .await?;
        Ok(WrongPasswords {
            in_a_row: u32::try_from(in_a_row).unwrap_or(u32::MAX),
            locked: locked_at.is_some(),
        })
    }

    /// A right password ends a run of wrong ones (on a card that is not locked).
    pub(crate) async fn reset_wrong_passwords(&self, card: &CardNumber) -> Result<(), LedgerError> {
        sqlx::query(
            "UPDATE cards SET wrong_passwords = 0
             WHERE card = ? AND wrong_passwords > 0 AND locked_at IS NULL",
        )
        .bind(card.as_str())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Unlocks the card and forgets its wrong passwords; false if it was not locked.
    pub(crate) async fn unlock_card(&self, card: &CardNumber) -> Result<bool, LedgerError> {
        let unlocked = sqlx::query(
            "UPDATE cards SET wrong_passwords = 0, locked_at = NULL
             WHERE card = ? AND locked_at IS NOT NULL",
        )
        .bind(card.as_str())
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(unlocked == 1)
    }
}

fn opening_balance(card: &CardNumber, currency: Currency) -> Result<Money, LedgerError> {
    card.test_card()
        .map(|test_card| test_card.opening_balance(currency))
        .ok_or_else(|| LedgerError::UnknownCard(card.masked()))
}

/// Creates the card's account in `currency` with its opening balance, if it has none.
pub(super) async fn open_account(
    conn: &mut SqliteConnection,
    card: &CardNumber,
    currency: Currency,
) -> Result<(), LedgerError> {
    let opening = opening_balance(card, currency)?;
    sqlx::query(
        "INSERT INTO accounts (card, currency, balance_minor) VALUES (?, ?, ?)
         ON CONFLICT (card, currency) DO NOTHING",
    )
    .bind(card.as_str())
    .bind(currency.code())
    .bind(opening.minor())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
