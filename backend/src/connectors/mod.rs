//! The bank side's boundary. A connector speaks one bank protocol; which bank code
//! uses which connector, with which keys, is configuration (see `config.rs`).

mod sandbox;
mod sandbox_shopper;
mod settlement_csv;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use axum::http::HeaderMap;
use paydesk_shared::Money;
use paydesk_shared::bank::CardKind;
use paydesk_shared::signing::Verified;

use crate::domain::verdict::Verdict;

pub use sandbox::SandboxConnector;

/// What the gateway asks a bank to collect.
#[derive(Debug, Clone)]
pub struct PaymentOrder {
    pub attempt_id: String,
    pub order_id: String,
    pub merchant_id: String,
    pub merchant_name: String,
    pub bank_code: String,
    pub card_kind: CardKind,
    pub amount: Money,
    /// Where the bank sends the shopper back (the gateway's return page).
    pub return_url: String,
    pub expires_at_secs: i64,
}

/// A bank's verified verdict on one attempt. The amount is as the bank states it,
/// unparsed, so a mismatch can be detected rather than silently coerced.
#[derive(Debug, Clone)]
pub struct VerifiedNotification {
    pub verdict: Verdict,
    pub signature: Verified,
    /// The last four digits of the card the shopper used, when the bank says: exactly
    /// four ASCII digits (anything else makes the notification malformed).
    pub card_last4: Option<String>,
}

/// The bank's answer to "where is this attempt?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryResult {
    Processing,
    /// The bank never saw the attempt.
    NotFound,
    /// The verdict, and the bank's signed answer exactly as received.
    Decided {
        verdict: Verdict,
        raw: String,
    },
}

/// Money to give back at the bank.
#[derive(Debug, Clone)]
pub struct RefundOrder {
    pub refund_id: String,
    pub attempt_id: String,
    pub bank_code: String,
    pub bank_transaction_id: String,
    pub amount: Money,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundResult {
    Succeeded { bank_refund_id: String },
    Failed { reason: String },
}

/// Money to pay out to a merchant's account at a bank.
#[derive(Debug, Clone)]
pub struct TransferOrder {
    /// The gateway's id for this payout; the bank executes it at most once.
    pub payout_id: String,
    /// The bank holding the merchant's account.
    pub bank_code: String,
    pub account_number: String,
    pub account_name: String,
    pub amount: Money,
    /// Shown on the merchant's statement next to the credit.
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferResult {
    /// The merchant's account was credited; the bank's id for the credit.
    Completed { bank_transfer_id: String },
    /// Nothing moved, for good; the bank's reason (for the sandbox bank
    /// `unknown_bank`, `invalid_account` or `account_closed`).
    Refused { reason: String },
}

pub use crate::domain::reconciliation::{SettlementKind, SettlementLine};

/// What the test helpers ask a sandbox bank's payment page to do, in the shopper's
/// place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShopperAction {
    /// Enter this card and its payment password.
    Pay {
        card_number: &'static str,
        password: &'static str,
    },
    /// Press the page's cancel button.
    Cancel,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error("signature rejected: {0}")]
    Signature(#[from] paydesk_shared::signing::SignatureError),
    #[error("message is malformed: {0}")]
    Malformed(String),
    /// The bank could not be reached or answered with a server error: try again later.
    #[error("bank unreachable: {0}")]
    Unreachable(String),
    /// The bank refused the request (4xx): trying again the same way will not help.
    #[error("bank refused the request: {0}")]
    Refused(String),
}

#[async_trait]
pub trait BankConnector: Send + Sync + 'static {
    /// The name in the notification URL: `/v1/bank/notifications/{name}`.
    fn name(&self) -> &str;

    /// The signed URL that takes the shopper's browser to the bank's payment page.
    fn redirect_url(&self, order: &PaymentOrder, now_secs: i64) -> String;

    /// Verifies and decodes a notification exactly as received.
    fn verify_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now_secs: i64,
    ) -> Result<VerifiedNotification, ConnectorError>;

    /// Asks the bank where an attempt stands.
    async fn query(
        &self,
        attempt_id: &str,
        order_id: &str,
        bank_code: &str,
        now_secs: i64,
    ) -> Result<QueryResult, ConnectorError>;

    async fn refund(
        &self,
        refund: &RefundOrder,
        now_secs: i64,
    ) -> Result<RefundResult, ConnectorError>;

    /// Pays money out to a merchant's account. Safe to repeat with the same order:
    /// the bank executes a payout id once and answers a repeat with the first answer.
    /// The same payout id with a different order is `Refused` by the bank (for the
    /// sandbox bank, `409` with code `payout_id_reused` in the message).
    async fn transfer(
        &self,
        transfer: &TransferOrder,
        now_secs: i64,
    ) -> Result<TransferResult, ConnectorError>;

    /// The bank's settlement file for `merchant_id` and the UTC day `date`
    /// (`YYYY-MM-DD`), its signature verified and every line read strictly; a file
    /// that is not exactly as the protocol says is `Malformed`.
    async fn settlement_file(
        &self,
        merchant_id: &str,
        date: &str,
        now_secs: i64,
    ) -> Result<Vec<SettlementLine>, ConnectorError>;

    /// Codes of the banks this connector serves that are in maintenance now.
    async fn banks_in_maintenance(&self, now_secs: i64) -> Result<Vec<String>, ConnectorError>;

    /// Plays the shopper on the payment page at `redirect_url` (as
    /// [`redirect_url`](Self::redirect_url) made it): opens it and takes `action`, as a
    /// browser would. Only a sandbox bank has test cards to do this with; a connector
    /// to a bank without them answers `Refused`.
    async fn act_as_shopper(
        &self,
        redirect_url: &str,
        action: ShopperAction,
    ) -> Result<(), ConnectorError>;
}

/// Which connector serves which bank.
pub struct Connectors {
    by_bank: HashMap<String, Arc<dyn BankConnector>>,
    by_name: HashMap<String, Arc<dyn BankConnector>>,
}

impl Connectors {
    pub fn new(routes: impl IntoIterator<Item = (String, Arc<dyn BankConnector>)>) -> Self {
        let mut by_bank = HashMap::new();
        let mut by_name = HashMap::new();
        for (bank, connector) in routes {
            by_name.insert(connector.name().to_owned(), connector.clone());
            by_bank.insert(bank, connector);
        }
        Connectors { by_bank, by_name }
    }

    pub fn for_bank(&self, bank_code: &str) -> Option<&Arc<dyn BankConnector>> {
        self.by_bank.get(bank_code)
    }

    pub fn by_name(&self, name: &str) -> Option<&Arc<dyn BankConnector>> {
        self.by_name.get(name)
    }

    /// Every distinct connector once.
    pub fn all(&self) -> impl Iterator<Item = &Arc<dyn BankConnector>> {
        self.by_name.values()
    }
}
