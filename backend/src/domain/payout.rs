//! Payouts: a merchant's available balance sent to its settlement account. Created
//! pending (the money moves from available to payouts in transit at once), in transit
//! once sent, then paid when the bank credits the account or failed when it refuses
//! (the money goes back to available).

use paydesk_shared::Money;

use super::balance::{BalanceKind, BalanceStatus, NewBalanceTransaction};
use super::ids::{MerchantId, PayoutId};
use super::ledger::{Account, Cause, CauseKind, Entry, Posting, debit_credit};
use super::merchant::SettlementAccount;
use super::time::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutStatus {
    Pending,
    InTransit,
    Paid,
    Failed,
}

impl PayoutStatus {
    pub const ALL: [PayoutStatus; 4] = [
        PayoutStatus::Pending,
        PayoutStatus::InTransit,
        PayoutStatus::Paid,
        PayoutStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PayoutStatus::Pending => "pending",
            PayoutStatus::InTransit => "in_transit",
            PayoutStatus::Paid => "paid",
            PayoutStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<PayoutStatus> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    pub id: PayoutId,
    pub merchant_id: MerchantId,
    pub amount: Money,
    pub destination: SettlementAccount,
    pub status: PayoutStatus,
    /// Made by a settlement run rather than asked for.
    pub automatic: bool,
    pub bank_transfer_id: Option<String>,
    pub failure_reason: Option<String>,
    pub tries: u32,
    pub created_at: Millis,
    pub decided_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayoutOutcome {
    Created,
    /// The available balance (minor units, may be negative) does not cover it.
    Insufficient {
        available: i64,
    },
}

impl Payout {
    pub fn new(
        merchant: &MerchantId,
        amount: Money,
        destination: SettlementAccount,
        automatic: bool,
        now: Millis,
    ) -> Payout {
        Payout {
            id: PayoutId::generate(),
            merchant_id: merchant.clone(),
            amount,
            destination,
            status: PayoutStatus::Pending,
            automatic,
            bank_transfer_id: None,
            failure_reason: None,
            tries: 0,
            created_at: now,
            decided_at: None,
        }
    }

    fn posting(
        &self,
        kind: CauseKind,
        entries: [Entry; 2],
        balance: Option<NewBalanceTransaction>,
        at: Millis,
    ) -> Posting {
        Posting {
            cause: Cause {
                kind,
                id: self.id.to_string(),
            },
            currency: self.amount.currency(),
            entries: entries.to_vec(),
            balance,
            posted_at: at,
        }
    }

    fn line(&self, kind: BalanceKind, amount: i64) -> NewBalanceTransaction {
        NewBalanceTransaction {
            merchant_id: self.merchant_id.clone(),
            kind,
            amount,
            fee: 0,
            currency: self.amount.currency(),
            source: self.id.to_string(),
            status: BalanceStatus::Available,
        }
    }

    /// Created: available → payouts in transit, the merchant's `payout` line.
    pub fn sent_posting(&self) -> Posting {
        let entries = debit_credit(
            Account::MerchantAvailable(self.merchant_id.clone()),
            Account::PayoutsInTransit,
            self.amount,
        );
        let line = self.line(BalanceKind::Payout, -self.amount.minor());
        self.posting(CauseKind::PayoutSent, entries, Some(line), self.created_at)
    }

    /// Paid: the money left the gateway's cash at the destination bank.
    pub fn paid_posting(&self, at: Millis) -> Posting {
        let entries = debit_credit(
            Account::PayoutsInTransit,
            Account::BankCash(self.destination.bank.clone()),
            self.amount,
        );
        self.posting(CauseKind::PayoutPaid, entries, None, at)
    }

    /// Failed: back to available, the merchant's `payout_failure` line.
    pub fn failed_posting(&self, at: Millis) -> Posting {
        let entries = debit_credit(
            Account::PayoutsInTransit,
            Account::MerchantAvailable(self.merchant_id.clone()),
            self.amount,
        );
        let line = self.line(BalanceKind::PayoutFailure, self.amount.minor());
        self.posting(CauseKind::PayoutFailed, entries, Some(line), at)
    }
}

#[cfg(test)]
mod tests {
    use paydesk_shared::Currency;

    use super::*;

    #[test]
    fn a_payout_moves_available_into_transit_then_out_or_back() {
        let amount = Money::parse("50.00", Currency::Cny).unwrap();
        let account = SettlementAccount {
            bank: "CMB".into(),
            account_number: "6225880012345678".into(),
        };
        let p = Payout::new(&"mer_1".into(), amount, account, true, 1);
        let sent = p.sent_posting();
        let effect = |posting: &Posting, account: &Account| -> i64 {
            posting
                .entries
                .iter()
                .filter(|e| &e.account == account)
                .map(|e| e.signed_minor())
                .sum()
        };
        let available = Account::MerchantAvailable("mer_1".into());
        for posting in [sent.clone(), p.paid_posting(2), p.failed_posting(2)] {
            let checked = Posting::new(
                posting.cause.clone(),
                posting.currency,
                posting.entries.clone(),
                posting.balance.clone(),
                posting.posted_at,
            );
            assert_eq!(checked.as_ref(), Ok(&posting));
        }
        assert_eq!(effect(&sent, &available), 5000, "the merchant is owed less");
        assert_eq!(sent.balance.as_ref().map(|b| b.net()), Some(-5000));
        let failed = p.failed_posting(2);
        assert_eq!(effect(&sent, &available) + effect(&failed, &available), 0);
        let paid = p.paid_posting(2);
        let transit = Account::PayoutsInTransit;
        assert_eq!(effect(&sent, &transit) + effect(&paid, &transit), 0);
        assert_eq!(effect(&paid, &Account::BankCash("CMB".into())), -5000);
    }
}
