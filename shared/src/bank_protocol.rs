//! The sandbox bank protocol (version 1), spoken between the gateway's sandbox
//! connector and the sandbox bank. Every message is signed with Ed25519 over
//! `"<unix timestamp>.<payload bytes>"`; see [`crate::signing`].
//!
//! Every signature carries a random nonce; a receiver refuses a nonce it has seen (a
//! replay) and a timestamp more than 5 minutes from its clock, either way.
//!
//! 1. Redirect: the gateway sends the shopper's browser to
//!    `GET {bank}/pay?request=<base64url(JSON PaymentRequest)>&signature=<header>`,
//!    the signature covering the base64url text. (A browser may reload this page, so
//!    the bank does not refuse a repeated redirect nonce; it is bound to the attempt.)
//! 2. Notification: the bank `POST`s a JSON [`PaymentNotification`] to the request's
//!    `notify_url`, with the signature in the [`SIGNATURE_HEADER`] header, signed
//!    afresh on every try and retried until it gets a 2xx. The gateway may receive
//!    one verdict many times (retries, duplicates); the bank transaction id names it.
//! 3. Return: the bank sends the browser to the request's `return_url`.
//! 4. Status query: the gateway `POST`s a signed [`StatusQuery`] to
//!    `{bank}`[`QUERY_PATH`]; the bank answers a signed [`QueryAnswer`] (signature
//!    over the response body in the same header).
//! 5. Refund: the gateway `POST`s a signed [`RefundRequest`] to `{bank}`[`REFUND_PATH`];
//!    the bank answers a signed [`RefundAnswer`]. A refund id is executed at most once:
//!    asking again returns the first answer.
//! 6. Bank status: `GET {bank}`[`BANK_STATUS_PATH`] answers a signed [`BankStatusList`]
//!    (which banks are in maintenance).
//! 7. Settlement: `GET {bank}/api/v1/settlements/{merchant_id}/{YYYY-MM-DD}` answers
//!    the day's signed settlement file ([`SETTLEMENT_CSV_HEADER`] then one line per
//!    payment or refund, UTC day, amounts as decimal strings).
//! 8. Transfer (payout): the gateway `POST`s a signed [`TransferRequest`] to
//!    `{bank}`[`TRANSFER_PATH`] to pay money out to a merchant's account at that bank;
//!    the bank answers a signed [`TransferAnswer`]. A payout id is executed at most
//!    once: asking again with the same request returns the first answer (also after a
//!    restart of the bank); the same payout id with a different request is refused
//!    with `409 payout_id_reused`. A refusal ([`TransferFailure`]) is an answer too,
//!    and as final as a completed transfer.
//!
//! A signed request the bank refuses is answered with a 4xx and a JSON
//! `{"error": {"code", "message"}}` body; a 5xx or no answer means "try again".

use serde::{Deserialize, Serialize};

use crate::bank::CardKind;
use crate::currency::Currency;

/// Header carrying `kid=<key id>,t=<unix seconds>,nonce=<id>,sig=<base64url signature>`.
pub const SIGNATURE_HEADER: &str = "Paydesk-Bank-Signature";

pub const QUERY_PATH: &str = "/api/v1/payments/query";
pub const REFUND_PATH: &str = "/api/v1/refunds";
pub const TRANSFER_PATH: &str = "/api/v1/transfers";
pub const BANK_STATUS_PATH: &str = "/api/v1/banks/status";
/// `{merchant_id}` and `{date}` (`YYYY-MM-DD`, UTC) follow.
pub const SETTLEMENT_PATH: &str = "/api/v1/settlements";
pub const SETTLEMENT_CSV_HEADER: &str =
    "type,bank_transaction_id,attempt_id,order_id,refund_id,bank_code,amount,currency,at";

/// What the gateway asks the bank to collect, signed by the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    pub attempt_id: String,
    pub order_id: String,
    /// The gateway's merchant id: the settlement file is per merchant.
    pub merchant_id: String,
    pub merchant_name: String,
    pub bank_code: String,
    pub card_kind: CardKind,
    pub amount: String,
    pub currency: Currency,
    /// Where the bank posts its signed notification.
    pub notify_url: String,
    /// Where the bank sends the shopper's browser afterwards.
    pub return_url: String,
    /// Unix seconds after which the bank must refuse the payment.
    pub expires_at: i64,
}

/// The bank's verdict on one attempt, signed by the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentNotification {
    pub attempt_id: String,
    pub order_id: String,
    pub bank_code: String,
    /// The bank's own id for the transaction; unique per bank.
    pub bank_transaction_id: String,
    pub amount: String,
    pub currency: Currency,
    pub outcome: PaymentOutcome,
    /// Unix seconds when the bank decided.
    pub decided_at: i64,
    /// The last four digits of the card the shopper paid (or tried to pay) with;
    /// absent when no card was named (cancelled, expired, over the limit) and in
    /// notifications of banks that do not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_last4: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PaymentOutcome {
    Succeeded,
    Failed { reason: DeclineReason },
}

/// "Where is this attempt?", asked by the gateway when no notification came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    pub attempt_id: String,
    pub order_id: String,
    pub bank_code: String,
}

/// The bank's answer to a [`StatusQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
pub enum QueryAnswer {
    /// The shopper is still on the bank's page, or the bank has not decided yet.
    Processing,
    /// The bank never saw this attempt (the shopper did not reach its page).
    NotFound,
    /// The bank's verdict: the same content a notification carries (`card_last4`
    /// included).
    Decided { notification: PaymentNotification },
}

/// Give back all or part of a successful payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// The gateway's id for this refund; the bank executes it at most once.
    pub refund_id: String,
    pub attempt_id: String,
    pub bank_code: String,
    /// The payment being refunded.
    pub bank_transaction_id: String,
    pub amount: String,
    pub currency: Currency,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundAnswer {
    pub refund_id: String,
    pub outcome: RefundOutcome,
    /// Unix seconds when the bank decided.
    pub decided_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RefundOutcome {
    Succeeded { bank_refund_id: String },
    Failed { reason: RefundFailure },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundFailure {
    /// No successful payment with that transaction id (and attempt) at this bank.
    UnknownTransaction,
    /// The refunds of this payment would exceed what was paid.
    ExceedsPayment,
    /// The currency differs from the payment's.
    CurrencyMismatch,
    /// The card's account was closed after the payment: the money cannot go back.
    AccountClosed,
}

impl RefundFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundFailure::UnknownTransaction => "unknown_transaction",
            RefundFailure::ExceedsPayment => "exceeds_payment",
            RefundFailure::CurrencyMismatch => "currency_mismatch",
            RefundFailure::AccountClosed => "account_closed",
        }
    }
}

/// Pay money out to a merchant's account, signed by the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The gateway's id for this payout; the bank executes it at most once.
    pub payout_id: String,
    /// The bank that holds the merchant's account.
    pub bank_code: String,
    /// The merchant's account number at that bank: 6 to 19 ASCII digits.
    pub account_number: String,
    /// The account holder's name, as the merchant gave it.
    pub account_name: String,
    /// A decimal string at the currency's scale.
    pub amount: String,
    pub currency: Currency,
    /// Shown on the merchant's statement next to the credit.
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferAnswer {
    pub payout_id: String,
    pub outcome: TransferOutcome,
    /// Unix seconds when the bank decided.
    pub decided_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TransferOutcome {
    /// The merchant's account was credited; the bank's id for the credit.
    Completed { bank_transfer_id: String },
    /// Nothing moved.
    Refused { reason: TransferFailure },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferFailure {
    /// The bank code is not a bank this service plays.
    UnknownBank,
    /// The account number is not 6 to 19 ASCII digits.
    InvalidAccount,
    /// The account is closed and refuses credits. Sandbox rule: an account number
    /// ending in `0000` is closed.
    AccountClosed,
}

impl TransferFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferFailure::UnknownBank => "unknown_bank",
            TransferFailure::InvalidAccount => "invalid_account",
            TransferFailure::AccountClosed => "account_closed",
        }
    }
}

/// Which of the banks this service plays can take payments now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankStatusList {
    pub banks: Vec<BankStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankStatus {
    pub code: String,
    /// In maintenance: the bank refuses new payments until it ends.
    pub maintenance: bool,
}

/// Why a bank declined. Shown to the shopper in their language by the widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    InsufficientFunds,
    OverLimit,
    CardExpired,
    CardLocked,
    CancelledByShopper,
    PaymentExpired,
}

impl DeclineReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DeclineReason::InsufficientFunds => "insufficient_funds",
            DeclineReason::OverLimit => "over_limit",
            DeclineReason::CardExpired => "card_expired",
            DeclineReason::CardLocked => "card_locked",
            DeclineReason::CancelledByShopper => "cancelled_by_shopper",
            DeclineReason::PaymentExpired => "payment_expired",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_last4_is_optional_both_ways() {
        let mut notification = PaymentNotification {
            attempt_id: "att_1".into(),
            order_id: "ord_1".into(),
            bank_code: "ICBC".into(),
            bank_transaction_id: "SBX1".into(),
            amount: "25.00".into(),
            currency: Currency::Cny,
            outcome: PaymentOutcome::Succeeded,
            decided_at: 1_800_000_000,
            card_last4: None,
        };
        let without = serde_json::to_string(&notification).unwrap();
        assert!(!without.contains("card_last4"), "{without}");
        assert_eq!(
            serde_json::from_str::<PaymentNotification>(&without).unwrap(),
            notification
        );
        notification.card_last4 = Some("0001".into());
        let with = serde_json::to_value(&notification).unwrap();
        assert_eq!(with["card_last4"], "0001");
        assert_eq!(
            serde_json::from_value::<PaymentNotification>(with).unwrap(),
            notification
        );
    }

    #[test]
    fn transfer_answers_have_a_stable_json_shape() {
        let completed = TransferAnswer {
            payout_id: "po_1".into(),
            outcome: TransferOutcome::Completed {
                bank_transfer_id: "SBT1".into(),
            },
            decided_at: 1_800_000_000,
        };
        assert_eq!(
            serde_json::to_value(&completed).unwrap(),
            serde_json::json!({
                "payout_id": "po_1",
                "outcome": {"status": "completed", "bank_transfer_id": "SBT1"},
                "decided_at": 1_800_000_000_i64,
            })
        );
        for reason in [
            TransferFailure::UnknownBank,
            TransferFailure::InvalidAccount,
            TransferFailure::AccountClosed,
        ] {
            let refused = TransferOutcome::Refused { reason };
            assert_eq!(
                serde_json::to_value(refused).unwrap(),
                serde_json::json!({"status": "refused", "reason": reason.as_str()})
            );
        }
    }
}
