//! Settlement: a merchant's reconciled pending balance transactions, in one currency,
//! become available together, as one settlement that lists them.

use paydesk_shared::{Currency, Money};

use super::balance::BalanceTransaction;
use super::ids::{BalanceTransactionId, MerchantId, SettlementId};
use super::ledger::{Account, Cause, CauseKind, Posting, debit_credit};
use super::time::Millis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub id: SettlementId,
    pub merchant_id: MerchantId,
    pub currency: Currency,
    /// Sum of the settled balance transactions' net, minor units (may be negative).
    pub net: i64,
    pub count: u32,
    /// The settlement run's day, `YYYY-MM-DD`.
    pub run_date: String,
    pub created_at: Millis,
}

/// A settlement ready to store: its record, the balance transactions it takes (each
/// must still be pending and unsettled) and the posting that moves their net.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementPlan {
    pub settlement: Settlement,
    pub takes: Vec<BalanceTransactionId>,
    /// None when the net is zero (a refund and its failure, say).
    pub posting: Option<Posting>,
}

/// Plans the settlement of `lines` (one merchant's, one currency's, reconciled and
/// pending); none when there is nothing to settle.
pub fn plan(
    merchant: &MerchantId,
    currency: Currency,
    lines: &[BalanceTransaction],
    run_date: &str,
    at: Millis,
) -> Option<SettlementPlan> {
    if lines.is_empty() {
        return None;
    }
    let id = SettlementId::generate();
    let net: i64 = lines.iter().map(|l| l.net).sum();
    let pending = Account::MerchantPending(merchant.clone());
    let available = Account::MerchantAvailable(merchant.clone());
    let entries = match Money::from_minor(net.abs(), currency) {
        Ok(amount) if net > 0 => Some(debit_credit(pending, available, amount)),
        Ok(amount) if net < 0 => Some(debit_credit(available, pending, amount)),
        _ => None,
    };
    let posting = entries.and_then(|entries| {
        Posting::new(
            Cause {
                kind: CauseKind::Settlement,
                id: id.to_string(),
            },
            currency,
            entries.to_vec(),
            None,
            at,
        )
        .ok()
    });
    Some(SettlementPlan {
        settlement: Settlement {
            id,
            merchant_id: merchant.clone(),
            currency,
            net,
            count: u32::try_from(lines.len()).unwrap_or(u32::MAX),
            run_date: run_date.to_owned(),
            created_at: at,
        },
        takes: lines.iter().map(|l| l.id.clone()).collect(),
        posting,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::balance::{BalanceKind, BalanceStatus};

    fn line(net: i64) -> BalanceTransaction {
        BalanceTransaction {
            id: BalanceTransactionId::generate(),
            merchant_id: "mer_1".into(),
            kind: BalanceKind::Payment,
            amount: net,
            fee: 0,
            net,
            currency: Currency::Cny,
            source: "ord_1".into(),
            status: BalanceStatus::Pending,
            settlement_id: None,
            payout_id: None,
            available_on: None,
            created_at: 0,
        }
    }

    fn effect(p: &Posting, account: &Account) -> i64 {
        p.entries
            .iter()
            .filter(|e| &e.account == account)
            .map(|e| e.signed_minor())
            .sum()
    }

    #[test]
    fn the_net_moves_from_pending_to_available_in_either_direction() {
        let m: MerchantId = "mer_1".into();
        let up = plan(
            &m,
            Currency::Cny,
            &[line(1000), line(-300)],
            "2026-12-06",
            1,
        )
        .unwrap();
        assert_eq!(
            (up.settlement.net, up.settlement.count, up.takes.len()),
            (700, 2, 2)
        );
        let p = up.posting.unwrap();
        assert_eq!(effect(&p, &Account::MerchantAvailable(m.clone())), -700);
        assert_eq!(effect(&p, &Account::MerchantPending(m.clone())), 700);
        let down = plan(&m, Currency::Cny, &[line(-500)], "2026-12-06", 1).unwrap();
        let p = down.posting.unwrap();
        assert_eq!(effect(&p, &Account::MerchantAvailable(m.clone())), 500);
        let even = plan(&m, Currency::Cny, &[line(500), line(-500)], "2026-12-06", 1).unwrap();
        assert!(even.posting.is_none());
        assert!(plan(&m, Currency::Cny, &[], "2026-12-06", 1).is_none());
    }
}
