//! Reading the transaction log.

use paydesk_shared::Money;
use paydesk_shared::bank_protocol::DeclineReason;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{Ledger, LedgerError, card, decline_reason, money};
use crate::cards::CardNumber;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TransactionKind {
    /// Money left the card.
    Payment,
    /// Nothing moved.
    Decline(DeclineReason),
    /// Money came back to the card; the gateway's refund id.
    Refund { refund_id: String },
}

/// One line of the log.
#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    /// The bank's id: `SBX…` for payments and declines, `SBR…` for refunds.
    pub(crate) id: String,
    pub(crate) kind: TransactionKind,
    pub(crate) attempt_id: String,
    pub(crate) merchant_id: String,
    pub(crate) order_id: String,
    pub(crate) bank_code: String,
    pub(crate) merchant_name: String,
    pub(crate) card: Option<CardNumber>,
    pub(crate) amount: Money,
    pub(crate) at: i64,
}

const COLUMNS: &str = "id, kind, attempt_id, merchant_id, order_id, bank_code, merchant_name, \
     card, amount_minor, currency, reason, refund_id, at";

impl Ledger {
    /// The whole log, oldest first.
    pub(crate) async fn transactions(&self) -> Result<Vec<Transaction>, LedgerError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM transactions ORDER BY seq"))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(transaction).collect()
    }

    /// One card's payments, declines and refunds, newest first.
    pub(crate) async fn card_transactions(
        &self,
        card: &CardNumber,
    ) -> Result<Vec<Transaction>, LedgerError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM transactions WHERE card = ? ORDER BY seq DESC"
        ))
        .bind(card.as_str())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(transaction).collect()
    }

    /// A merchant's successful payments and refunds with `from <= at < to`, in the
    /// order they happened.
    pub(crate) async fn settled(
        &self,
        merchant_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<Transaction>, LedgerError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM transactions
             WHERE merchant_id = ? AND at >= ? AND at < ? AND kind IN ('payment', 'refund')
             ORDER BY seq"
        ))
        .bind(merchant_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(transaction).collect()
    }
}

fn transaction(row: &SqliteRow) -> Result<Transaction, LedgerError> {
    let kind = match row.try_get::<String, _>("kind")?.as_str() {
        "payment" => TransactionKind::Payment,
        "decline" => {
            let reason: Option<String> = row.try_get("reason")?;
            TransactionKind::Decline(decline_reason(
                &reason.ok_or(LedgerError::Corrupt("decline reason"))?,
            )?)
        }
        "refund" => {
            let refund_id: Option<String> = row.try_get("refund_id")?;
            TransactionKind::Refund {
                refund_id: refund_id.ok_or(LedgerError::Corrupt("refund id"))?,
            }
        }
        _ => return Err(LedgerError::Corrupt("transaction kind")),
    };
    Ok(Transaction {
        id: row.try_get("id")?,
        kind,
        attempt_id: row.try_get("attempt_id")?,
        merchant_id: row.try_get("merchant_id")?,
        order_id: row.try_get("order_id")?,
        bank_code: row.try_get("bank_code")?,
        merchant_name: row.try_get("merchant_name")?,
        card: card(row.try_get("card")?)?,
        amount: money(
            row.try_get("amount_minor")?,
            &row.try_get::<String, _>("currency")?,
        )?,
        at: row.try_get("at")?,
    })
}
