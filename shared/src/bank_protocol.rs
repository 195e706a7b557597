//! The sandbox bank protocol (version 1), spoken between the gateway's sandbox
//! connector and the sandbox bank. Every message is signed with Ed25519 over
//! `"<unix timestamp>.<payload bytes>"`; see [`crate::signing`].
//!
//! 1. Redirect: the gateway sends the shopper's browser to
//!    `GET {bank}/pay?request=<base64url(JSON PaymentRequest)>&signature=<header>`,
//!    the signature covering the base64url text.
//! 2. Notification: the bank `POST`s a JSON [`PaymentNotification`] to the request's
//!    `notify_url`, with the signature in the [`SIGNATURE_HEADER`] header, retrying
//!    until it gets a 2xx.
//! 3. Return: the bank sends the browser to the request's `return_url`.

use serde::{Deserialize, Serialize};

use crate::bank::CardKind;
use crate::currency::Currency;

/// Header carrying `kid=<key id>,t=<unix seconds>,sig=<base64url signature>`.
pub const SIGNATURE_HEADER: &str = "Paydesk-Bank-Signature";

/// What the gateway asks the bank to collect, signed by the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    pub attempt_id: String,
    pub order_id: String,
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PaymentOutcome {
    Succeeded,
    Failed { reason: DeclineReason },
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
