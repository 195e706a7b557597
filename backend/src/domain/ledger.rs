//! The double-entry ledger: every money movement is one [`Posting`] whose entries
//! balance (debits equal credits, in one currency), named by its cause so that
//! posting the same cause twice posts once.
//!
//! The chart of accounts (signs: a debit adds to an account, a credit takes away, so
//! what the gateway holds is positive and what it owes is negative):
//!
//! | account | holds |
//! | --- | --- |
//! | `bank_clearing:<bank>` | money a bank owes the gateway for payments it confirmed, less refunds it is to pay back; zero once the bank settles |
//! | `bank_cash:<bank>` | the gateway's own account at that bank, as settled |
//! | `merchant_pending:<merchant>` | a merchant's money not yet settled (negative: owed to the merchant) |
//! | `merchant_available:<merchant>` | a merchant's settled money, ready to pay out |
//! | `payouts_in_transit` | payouts sent to merchants' banks, not yet confirmed; zero once each is paid or failed |
//! | `fee_revenue` | the gateway's fees |
//! | `unapplied_payments` | payments the gateway could not keep (late, duplicate, cancelled order) until their refund is created; zero after |
//!
//! The movements, each one transaction posted with the state change that causes it:
//!
//! ```text
//! payment applied:   Dr bank_clearing        Cr merchant_pending (net) + fee_revenue (fee)
//! refund created:    Dr merchant_pending     Cr bank_clearing
//! refund failed:     Dr bank_clearing        Cr merchant_pending
//! bank settles:      Dr bank_cash            Cr bank_clearing       (a refund: the reverse)
//! settlement:        Dr merchant_pending     Cr merchant_available
//! payout sent:       Dr merchant_available   Cr payouts_in_transit
//! payout paid:       Dr payouts_in_transit   Cr bank_cash
//! payout failed:     Dr payouts_in_transit   Cr merchant_available
//! ```

use std::fmt;

use paydesk_shared::{Currency, Money};

use super::balance::NewBalanceTransaction;
use super::ids::MerchantId;
use super::time::Millis;

/// An account of the chart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    BankClearing(String),
    BankCash(String),
    MerchantPending(MerchantId),
    MerchantAvailable(MerchantId),
    PayoutsInTransit,
    FeeRevenue,
    UnappliedPayments,
}

impl Account {
    /// Parses the text form ([`fmt::Display`]), as stored.
    pub fn parse(code: &str) -> Option<Account> {
        let (kind, owner) = match code.split_once(':') {
            Some((kind, owner)) if !owner.is_empty() => (kind, Some(owner)),
            Some(_) => return None,
            None => (code, None),
        };
        Some(match (kind, owner) {
            ("bank_clearing", Some(bank)) => Account::BankClearing(bank.to_owned()),
            ("bank_cash", Some(bank)) => Account::BankCash(bank.to_owned()),
            ("merchant_pending", Some(m)) => Account::MerchantPending(m.into()),
            ("merchant_available", Some(m)) => Account::MerchantAvailable(m.into()),
            ("payouts_in_transit", None) => Account::PayoutsInTransit,
            ("fee_revenue", None) => Account::FeeRevenue,
            ("unapplied_payments", None) => Account::UnappliedPayments,
            _ => return None,
        })
    }

    /// Accounts that hand money on and must return to zero when their cycle ends.
    pub fn is_hand_off(&self) -> bool {
        matches!(
            self,
            Account::BankClearing(_) | Account::PayoutsInTransit | Account::UnappliedPayments
        )
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Account::BankClearing(bank) => write!(f, "bank_clearing:{bank}"),
            Account::BankCash(bank) => write!(f, "bank_cash:{bank}"),
            Account::MerchantPending(m) => write!(f, "merchant_pending:{m}"),
            Account::MerchantAvailable(m) => write!(f, "merchant_available:{m}"),
            Account::PayoutsInTransit => f.write_str("payouts_in_transit"),
            Account::FeeRevenue => f.write_str("fee_revenue"),
            Account::UnappliedPayments => f.write_str("unapplied_payments"),
        }
    }
}

/// Why money moved: one cause posts at most one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CauseKind {
    /// A payment kept by its order; the id is the attempt's.
    Payment,
    /// A payment the order could not keep, until its refund; the attempt's id.
    UnappliedPayment,
    /// A refund created; the refund's id.
    Refund,
    /// A refund the bank finally refused; the refund's id.
    RefundFailure,
    /// A line of a bank's settlement file matched; the bank's transaction id.
    BankSettlement,
    /// A settlement run's move for one merchant and currency; the settlement's id.
    Settlement,
    /// A payout sent, paid or failed; the payout's id.
    PayoutSent,
    PayoutPaid,
    PayoutFailed,
    /// An operator's correction after reconciliation; the alert's id.
    Adjustment,
}

impl CauseKind {
    pub const ALL: [CauseKind; 10] = [
        CauseKind::Payment,
        CauseKind::UnappliedPayment,
        CauseKind::Refund,
        CauseKind::RefundFailure,
        CauseKind::BankSettlement,
        CauseKind::Settlement,
        CauseKind::PayoutSent,
        CauseKind::PayoutPaid,
        CauseKind::PayoutFailed,
        CauseKind::Adjustment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CauseKind::Payment => "payment",
            CauseKind::UnappliedPayment => "unapplied_payment",
            CauseKind::Refund => "refund",
            CauseKind::RefundFailure => "refund_failure",
            CauseKind::BankSettlement => "bank_settlement",
            CauseKind::Settlement => "settlement",
            CauseKind::PayoutSent => "payout_sent",
            CauseKind::PayoutPaid => "payout_paid",
            CauseKind::PayoutFailed => "payout_failed",
            CauseKind::Adjustment => "adjustment",
        }
    }

    pub fn parse(s: &str) -> Option<CauseKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cause {
    pub kind: CauseKind,
    pub id: String,
}

/// One side of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Debit,
    Credit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub account: Account,
    pub side: Side,
    pub amount: Money,
}

impl Entry {
    /// The entry's effect on its account's balance, in minor units (debit positive).
    pub fn signed_minor(&self) -> i64 {
        match self.side {
            Side::Debit => self.amount.minor(),
            Side::Credit => -self.amount.minor(),
        }
    }
}

/// One balanced transaction, ready to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub cause: Cause,
    pub currency: Currency,
    pub entries: Vec<Entry>,
    /// The merchant's line, when the merchant's balance moves by it.
    pub balance: Option<NewBalanceTransaction>,
    pub posted_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostingError {
    #[error("debits and credits differ by {0} minor units")]
    Unbalanced(i64),
    #[error("an entry is in {0}, the transaction in {1}")]
    Currency(Currency, Currency),
    #[error("a transaction has at least two entries")]
    TooFew,
}

impl Posting {
    /// A transaction of `entries`, refused unless they balance in one currency.
    /// Zero-amount entries are dropped (a fee-free payment has no fee line).
    pub fn new(
        cause: Cause,
        currency: Currency,
        entries: Vec<Entry>,
        balance: Option<NewBalanceTransaction>,
        posted_at: Millis,
    ) -> Result<Posting, PostingError> {
        let entries: Vec<Entry> = entries
            .into_iter()
            .filter(|e| !e.amount.is_zero())
            .collect();
        if let Some(e) = entries.iter().find(|e| e.amount.currency() != currency) {
            return Err(PostingError::Currency(e.amount.currency(), currency));
        }
        if entries.len() < 2 {
            return Err(PostingError::TooFew);
        }
        let sum: i64 = entries.iter().map(Entry::signed_minor).sum();
        if sum != 0 {
            return Err(PostingError::Unbalanced(sum));
        }
        Ok(Posting {
            cause,
            currency,
            entries,
            balance,
            posted_at,
        })
    }
}

/// An account's balance in one currency, in minor units (debit positive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountBalance {
    pub account: Account,
    pub currency: Currency,
    pub minor: i64,
}

/// The simplest balanced transaction: `amount` debited to one account and credited
/// to another.
pub(crate) fn debit_credit(debit: Account, credit: Account, amount: Money) -> [Entry; 2] {
    [
        Entry {
            account: debit,
            side: Side::Debit,
            amount,
        },
        Entry {
            account: credit,
            side: Side::Credit,
            amount,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny(s: &str) -> Money {
        Money::parse(s, Currency::Cny).unwrap()
    }

    fn cause() -> Cause {
        Cause {
            kind: CauseKind::Payment,
            id: "att_1".into(),
        }
    }

    #[test]
    fn accounts_read_back_what_they_write() {
        let all = [
            Account::BankClearing("ICBC".into()),
            Account::BankCash("ICBC".into()),
            Account::MerchantPending("m_1".into()),
            Account::MerchantAvailable("m_1".into()),
            Account::PayoutsInTransit,
            Account::FeeRevenue,
            Account::UnappliedPayments,
        ];
        for account in all {
            assert_eq!(Account::parse(&account.to_string()), Some(account));
        }
        for bad in [
            "",
            "bank_clearing",
            "bank_clearing:",
            "fee_revenue:x",
            "cash",
        ] {
            assert_eq!(Account::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_posting_must_balance_in_its_currency() {
        let ok = Posting::new(
            cause(),
            Currency::Cny,
            debit_credit(
                Account::BankClearing("ICBC".into()),
                Account::FeeRevenue,
                cny("1.00"),
            )
            .to_vec(),
            None,
            0,
        );
        assert!(ok.is_ok());
        let unbalanced = vec![
            Entry {
                account: Account::FeeRevenue,
                side: Side::Debit,
                amount: cny("1.00"),
            },
            Entry {
                account: Account::PayoutsInTransit,
                side: Side::Credit,
                amount: cny("0.99"),
            },
        ];
        assert_eq!(
            Posting::new(cause(), Currency::Cny, unbalanced, None, 0),
            Err(PostingError::Unbalanced(1))
        );
        let usd = debit_credit(
            Account::FeeRevenue,
            Account::PayoutsInTransit,
            Money::parse("1.00", Currency::Usd).unwrap(),
        );
        assert_eq!(
            Posting::new(cause(), Currency::Cny, usd.to_vec(), None, 0),
            Err(PostingError::Currency(Currency::Usd, Currency::Cny))
        );
        let zero = debit_credit(Account::FeeRevenue, Account::PayoutsInTransit, cny("0"));
        assert_eq!(
            Posting::new(cause(), Currency::Cny, zero.to_vec(), None, 0),
            Err(PostingError::TooFew)
        );
    }
}
