//! A merchant's balance as the merchant sees it: per currency, pending (not settled
//! yet) and available (settled, ready to pay out), and the balance transactions that
//! moved it (Stripe's shapes). Per currency, pending + available always equals the sum
//! of the balance transactions' `net`: both are written by the same ledger postings.

use paydesk_shared::Currency;

use super::ids::{BalanceTransactionId, MerchantId, PayoutId, SettlementId};
use super::time::Millis;

/// A merchant-facing line for a movement of the merchant's balance (Stripe's balance
/// transaction): what the merchant sees in `GET /v1/balance_transactions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBalanceTransaction {
    pub merchant_id: MerchantId,
    pub kind: BalanceKind,
    /// Signed minor units: refunds and payouts are negative.
    pub amount: i64,
    /// Minor units, never negative.
    pub fee: i64,
    pub currency: Currency,
    /// The order, refund or payout it comes from.
    pub source: String,
    /// Whether it counts to the pending or the available balance when posted.
    pub status: BalanceStatus,
}

impl NewBalanceTransaction {
    pub fn net(&self) -> i64 {
        self.amount - self.fee
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BalanceKind {
    Payment,
    Refund,
    RefundFailure,
    Payout,
    PayoutFailure,
    Adjustment,
}

impl BalanceKind {
    pub const ALL: [BalanceKind; 6] = [
        BalanceKind::Payment,
        BalanceKind::Refund,
        BalanceKind::RefundFailure,
        BalanceKind::Payout,
        BalanceKind::PayoutFailure,
        BalanceKind::Adjustment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BalanceKind::Payment => "payment",
            BalanceKind::Refund => "refund",
            BalanceKind::RefundFailure => "refund_failure",
            BalanceKind::Payout => "payout",
            BalanceKind::PayoutFailure => "payout_failure",
            BalanceKind::Adjustment => "adjustment",
        }
    }

    pub fn parse(s: &str) -> Option<BalanceKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BalanceStatus {
    Pending,
    Available,
}

impl BalanceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BalanceStatus::Pending => "pending",
            BalanceStatus::Available => "available",
        }
    }

    pub fn parse(s: &str) -> Option<BalanceStatus> {
        [BalanceStatus::Pending, BalanceStatus::Available]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A stored balance transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceTransaction {
    pub id: BalanceTransactionId,
    pub merchant_id: MerchantId,
    pub kind: BalanceKind,
    pub amount: i64,
    pub fee: i64,
    pub net: i64,
    pub currency: Currency,
    pub source: String,
    pub status: BalanceStatus,
    pub settlement_id: Option<SettlementId>,
    pub payout_id: Option<PayoutId>,
    pub available_on: Option<Millis>,
    pub created_at: Millis,
}

/// One currency of a merchant's balance, in minor units (either may be negative:
/// refunds are honoured beyond the balance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrencyBalance {
    pub currency: Currency,
    pub available: i64,
    pub pending: i64,
}

/// Which balance transactions to list: newest first, after `starting_after`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BalanceFilter {
    pub kind: Option<BalanceKind>,
    pub settlement_id: Option<SettlementId>,
    pub payout_id: Option<PayoutId>,
    pub starting_after: Option<BalanceTransactionId>,
    pub limit: u32,
}
