//! Transfers: payouts credited to merchant accounts, each payout id executed at most
//! once, and the accounts they opened.

use paydesk_shared::bank_protocol::{TransferAnswer, TransferFailure, TransferOutcome};
use paydesk_shared::{Currency, Money};
use sqlx::{Row, SqliteConnection};

use super::{Ledger, LedgerError, ids, money};
use crate::merchant_accounts::AccountNumber;

/// A transfer request whose fields were checked.
#[derive(Debug, Clone)]
pub(crate) struct TransferOrder {
    pub(crate) payout_id: String,
    /// The request as checked, as JSON with the amount at the currency's scale: a
    /// later request for the same payout id must be this one.
    pub(crate) request: String,
    pub(crate) bank_code: String,
    /// The account to credit, or why the bank refuses the transfer.
    pub(crate) account: Result<AccountNumber, TransferFailure>,
    pub(crate) account_name: String,
    pub(crate) amount: Money,
    pub(crate) reference: String,
}

/// The result of [`Ledger::transfer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Transferred {
    /// The payout's answer: decided by this call, or the first one, unchanged.
    Answer(TransferAnswer),
    /// The payout id was used before for a different request; nothing happened.
    Reused,
}

/// One account number as the bank knows it, at every bank that holds it.
#[derive(Debug, Clone)]
pub(crate) struct MerchantAccount {
    /// By bank code.
    pub(crate) banks: Vec<AccountAtBank>,
    /// By bank code, then currency.
    pub(crate) balances: Vec<Balance>,
    /// Newest first.
    pub(crate) credits: Vec<Credit>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountAtBank {
    pub(crate) bank_code: String,
    /// As the transfer that opened the account gave it.
    pub(crate) account_name: String,
    pub(crate) opened_at: i64,
}

/// The sum of an account's credits in one currency. Kept in minor units: a sum may
/// exceed what one [`Money`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Balance {
    pub(crate) bank_code: String,
    pub(crate) currency: Currency,
    pub(crate) minor: i128,
}

impl Balance {
    /// A decimal string at the currency's scale, like [`Money`]'s.
    pub(crate) fn amount(&self) -> String {
        let scale = self.currency.minor_units();
        if scale == 0 {
            return self.minor.to_string();
        }
        let unit = 10_i128.pow(scale);
        let fraction = self.minor.rem_euclid(unit);
        format!(
            "{}.{fraction:0width$}",
            self.minor.div_euclid(unit),
            width = scale as usize
        )
    }
}

/// One completed transfer into an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credit {
    pub(crate) bank_transfer_id: String,
    pub(crate) payout_id: String,
    pub(crate) bank_code: String,
    pub(crate) amount: Money,
    pub(crate) reference: String,
    pub(crate) at: i64,
}

impl Ledger {
    /// Executes the transfer unless its payout id was seen before; a repeat of the
    /// same request answers what the first was answered.
    pub(crate) async fn transfer(
        &self,
        order: &TransferOrder,
        now: i64,
    ) -> Result<Transferred, LedgerError> {
        let mut tx = self.write.begin().await?;
        let first = sqlx::query("SELECT request, answer FROM transfers WHERE payout_id = ?")
            .bind(&order.payout_id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(first) = first {
            if first.try_get::<String, _>("request")? != order.request {
                return Ok(Transferred::Reused);
            }
            let answer = serde_json::from_str(&first.try_get::<String, _>("answer")?)
                .map_err(|_| LedgerError::Corrupt("transfer answer"))?;
            return Ok(Transferred::Answer(answer));
        }
        let outcome = match &order.account {
            Ok(_) => TransferOutcome::Completed {
                bank_transfer_id: ids::transfer_id(),
            },
            Err(reason) => TransferOutcome::Refused { reason: *reason },
        };
        let answer = TransferAnswer {
            payout_id: order.payout_id.clone(),
            outcome,
            decided_at: now,
        };
        let json =
            serde_json::to_string(&answer).map_err(|_| LedgerError::Corrupt("transfer answer"))?;
        sqlx::query("INSERT INTO transfers (payout_id, request, answer) VALUES (?, ?, ?)")
            .bind(&order.payout_id)
            .bind(&order.request)
            .bind(json)
            .execute(&mut *tx)
            .await?;
        if let (Ok(account), TransferOutcome::Completed { bank_transfer_id }) =
            (&order.account, &answer.outcome)
        {
            credit(&mut tx, order, account, bank_transfer_id, now).await?;
        }
        tx.commit().await?;
        Ok(Transferred::Answer(answer))
    }

    /// The accounts with this number, their balances and credits; `None` if no
    /// transfer ever reached one.
    pub(crate) async fn merchant_account(
        &self,
        number: &AccountNumber,
    ) -> Result<Option<MerchantAccount>, LedgerError> {
        let rows = sqlx::query(
            "SELECT bank_code, account_name, opened_at FROM merchant_accounts
             WHERE account_number = ? ORDER BY bank_code",
        )
        .bind(number.as_str())
        .fetch_all(&self.read)
        .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let banks = rows
            .iter()
            .map(|row| {
                Ok(AccountAtBank {
                    bank_code: row.try_get("bank_code")?,
                    account_name: row.try_get("account_name")?,
                    opened_at: row.try_get("opened_at")?,
                })
            })
            .collect::<Result<Vec<_>, LedgerError>>()?;
        let rows = sqlx::query(
            "SELECT bank_transfer_id, payout_id, bank_code, amount_minor, currency, reference, at
             FROM merchant_credits WHERE account_number = ? ORDER BY seq DESC",
        )
        .bind(number.as_str())
        .fetch_all(&self.read)
        .await?;
        let credits = rows
            .iter()
            .map(|row| {
                Ok(Credit {
                    bank_transfer_id: row.try_get("bank_transfer_id")?,
                    payout_id: row.try_get("payout_id")?,
                    bank_code: row.try_get("bank_code")?,
                    amount: money(
                        row.try_get("amount_minor")?,
                        &row.try_get::<String, _>("currency")?,
                    )?,
                    reference: row.try_get("reference")?,
                    at: row.try_get("at")?,
                })
            })
            .collect::<Result<Vec<_>, LedgerError>>()?;
        Ok(Some(MerchantAccount {
            balances: balances(&banks, &credits),
            banks,
            credits,
        }))
    }
}

/// Opens the account if this is its first transfer, then logs the credit. Runs inside
/// the caller's transaction, with the transfer's answer.
async fn credit(
    conn: &mut SqliteConnection,
    order: &TransferOrder,
    account: &AccountNumber,
    bank_transfer_id: &str,
    now: i64,
) -> Result<(), LedgerError> {
    sqlx::query(
        "INSERT INTO merchant_accounts (bank_code, account_number, account_name, opened_at)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (bank_code, account_number) DO NOTHING",
    )
    .bind(&order.bank_code)
    .bind(account.as_str())
    .bind(&order.account_name)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO merchant_credits (bank_transfer_id, payout_id, bank_code, account_number,
             amount_minor, currency, reference, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(bank_transfer_id)
    .bind(&order.payout_id)
    .bind(&order.bank_code)
    .bind(account.as_str())
    .bind(order.amount.minor())
    .bind(order.amount.currency().code())
    .bind(&order.reference)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every bank's balance in each currency it was credited in; a bank whose account
/// has no credit (none can, today) shows none.
fn balances(banks: &[AccountAtBank], credits: &[Credit]) -> Vec<Balance> {
    let mut out = Vec::new();
    for bank in banks {
        for currency in Currency::ALL {
            let mut minor: i128 = 0;
            let mut credited = false;
            for credit in credits
                .iter()
                .filter(|c| c.bank_code == bank.bank_code && c.amount.currency() == currency)
            {
                minor = minor.saturating_add(i128::from(credit.amount.minor()));
                credited = true;
            }
            if credited {
                out.push(Balance {
                    bank_code: bank.bank_code.clone(),
                    currency,
                    minor,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::testing::temp_ledger;

    const NOW: i64 = 1_800_000_000;

    fn order(payout_id: &str, account: &str, amount: &str) -> TransferOrder {
        let amount = Money::parse(amount, Currency::Cny).unwrap();
        TransferOrder {
            payout_id: payout_id.into(),
            request: format!("{payout_id}/{account}/{amount}"),
            bank_code: "ICBC".into(),
            account: AccountNumber::parse(account).ok_or(TransferFailure::InvalidAccount),
            account_name: "Demo Shop Ltd".into(),
            amount,
            reference: format!("payout {payout_id}"),
        }
    }

    fn completed(t: &Transferred) -> String {
        match t {
            Transferred::Answer(TransferAnswer {
                outcome: TransferOutcome::Completed { bank_transfer_id },
                ..
            }) => bank_transfer_id.clone(),
            other => panic!("expected a completed transfer: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_transfer_opens_the_account_and_credits_it_once() {
        let ledger = temp_ledger().await;
        let number = AccountNumber::parse("6228480012345678").unwrap();
        assert!(ledger.merchant_account(&number).await.unwrap().is_none());
        let first = ledger
            .transfer(&order("po_1", "6228480012345678", "120.50"), NOW)
            .await
            .unwrap();
        let id = completed(&first);
        assert!(id.starts_with("SBT") && id.len() == 23, "{id}");
        let again = ledger
            .transfer(&order("po_1", "6228480012345678", "120.50"), NOW + 5)
            .await
            .unwrap();
        assert_eq!(again, first);
        ledger
            .transfer(&order("po_2", "6228480012345678", "0.50"), NOW + 9)
            .await
            .unwrap();
        let account = ledger.merchant_account(&number).await.unwrap().unwrap();
        assert_eq!(
            account.banks,
            [AccountAtBank {
                bank_code: "ICBC".into(),
                account_name: "Demo Shop Ltd".into(),
                opened_at: NOW,
            }]
        );
        assert_eq!(account.balances.len(), 1);
        assert_eq!(account.balances[0].amount(), "121.00");
        assert_eq!(account.credits.len(), 2);
        assert_eq!(account.credits[0].payout_id, "po_2");
        assert_eq!(account.credits[1].bank_transfer_id, id);
    }

    #[tokio::test]
    async fn another_request_under_a_used_payout_id_is_reused_and_moves_nothing() {
        let ledger = temp_ledger().await;
        ledger
            .transfer(&order("po_1", "6228480012345678", "10.00"), NOW)
            .await
            .unwrap();
        let changed = ledger
            .transfer(&order("po_1", "6228480012345678", "11.00"), NOW)
            .await
            .unwrap();
        assert_eq!(changed, Transferred::Reused);
        let number = AccountNumber::parse("6228480012345678").unwrap();
        let account = ledger.merchant_account(&number).await.unwrap().unwrap();
        assert_eq!(account.credits.len(), 1);
    }

    #[tokio::test]
    async fn a_refusal_is_final_and_opens_no_account() {
        let ledger = temp_ledger().await;
        let refused = ledger
            .transfer(&order("po_1", "12-34", "10.00"), NOW)
            .await
            .unwrap();
        let Transferred::Answer(answer) = &refused else {
            panic!("expected an answer");
        };
        assert_eq!(
            answer.outcome,
            TransferOutcome::Refused {
                reason: TransferFailure::InvalidAccount
            }
        );
        assert_eq!(
            ledger
                .transfer(&order("po_1", "12-34", "10.00"), NOW)
                .await
                .unwrap(),
            refused
        );
    }

    #[test]
    fn balances_are_written_at_the_currencys_scale() {
        let balance = |currency, minor| Balance {
            bank_code: "ICBC".into(),
            currency,
            minor,
        };
        assert_eq!(balance(Currency::Cny, 12_050).amount(), "120.50");
        assert_eq!(balance(Currency::Cny, 5).amount(), "0.05");
        assert_eq!(balance(Currency::Jpy, 2500).amount(), "2500");
        // Beyond any single Money.
        assert_eq!(
            balance(Currency::Usd, 20_000_000_000_000_000).amount(),
            "200000000000000.00"
        );
    }
}
