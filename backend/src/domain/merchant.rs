//! Merchants as the gateway knows them: who they are, how their keys are checked,
//! where their shoppers may be sent back to, how they are charged and where their
//! money goes.

use super::fee::FeePlan;
use super::ids::{KeyId, MerchantId};
use super::time::Millis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    pub id: MerchantId,
    pub name: String,
    pub return_urls: Vec<String>,
    /// Where payouts go; none means the merchant cannot be paid out yet.
    pub settlement_account: Option<SettlementAccount>,
    pub fee_plan: FeePlan,
    pub created_at: Millis,
}

/// An account number at one bank of the directory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettlementAccount {
    pub bank: String,
    pub account_number: String,
}

impl SettlementAccount {
    /// 6 to 19 ASCII digits, as bank account numbers are.
    pub fn number_is_valid(number: &str) -> bool {
        (6..=19).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit())
    }
}

/// One of a merchant's secret keys. Only its hash is kept; a merchant may hold several
/// at once to rotate without downtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantKey {
    pub id: KeyId,
    pub merchant_id: MerchantId,
    /// SHA-256 of the key, hex.
    pub key_hash: String,
    /// The key's last four characters, to tell keys apart.
    pub last4: String,
    pub created_at: Millis,
    pub revoked_at: Option<Millis>,
}
