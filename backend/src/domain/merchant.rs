//! Merchants as the gateway knows them: who they are, how their key is checked and
//! where their shoppers may be sent back to.

use super::ids::MerchantId;
use super::time::Millis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    pub id: MerchantId,
    pub name: String,
    /// SHA-256 of the secret key, hex; the key itself is never stored.
    pub secret_key_hash: String,
    pub return_urls: Vec<String>,
    pub created_at: Millis,
}
