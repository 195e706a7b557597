//! The error body every Paydesk API answers with, and its stable codes.

use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes. Clients match on these; messages may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON, or not the JSON shape the endpoint takes.
    InvalidJson,
    /// A field has an unacceptable value; `message` names the field.
    InvalidField,
    CurrencyUnknown,
    AmountInvalid,
    QuantityInvalid,
    ItemsEmpty,
    ItemsTooMany,
    FieldTooLong,
    UrlInvalid,
    ReturnUrlNotRegistered,
    /// The return URLs changed between reading and writing them: read and try again.
    ReturnUrlsChanged,
    IdempotencyKeyInvalid,
    /// The same idempotency key was used with a different request body.
    IdempotencyKeyReused,
    /// A request with the same idempotency key is still being processed.
    IdempotencyKeyInUse,
    /// No `Authorization: Bearer` header, or the key is not known.
    Unauthenticated,
    NotFound,
    BankUnknown,
    /// The bank cannot take this payment (limit, card kind or maintenance).
    BankUnavailable,
    /// The order cannot move as asked (already paid, expired, cancelled).
    OrderNotPayable,
    /// Only an order waiting for the shopper (created, or declined) can be cancelled.
    OrderNotCancellable,
    /// Only a paid order can be refunded.
    OrderNotRefundable,
    /// The order has no payment or refund waiting to be settled that its bank's
    /// settlement file shows (test helper `…/settle`).
    OrderNotSettleable,
    /// The refunds of an order would add up to more than was paid.
    RefundExceedsPayment,
    /// `expires_in` is not a whole number of seconds in range.
    ExpiresInInvalid,
    SignatureInvalid,
    /// A bank notification disagrees with the order (amount, currency, order id).
    NotificationMismatch,
    /// A signed bank message arrived a second time with the same nonce.
    NotificationReplayed,
    /// A webhook URL points at a private or loopback address the operator does not allow.
    WebhookUrlNotAllowed,
    /// An event type no endpoint can subscribe to.
    EventTypeUnknown,
    /// A merchant has as many webhook endpoints as allowed.
    EndpointLimitReached,
    /// No enabled endpoint can take the event asked to be redelivered.
    EndpointDisabled,
    /// A list's query parameter is not one the endpoint takes, or out of range.
    QueryInvalid,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    /// The available balance does not cover the payout asked for.
    BalanceInsufficient,
    /// The merchant cannot be paid out (no settlement account).
    PayoutUnavailable,
    /// The gateway did not finish the request within its time limit. Retry it with the
    /// same `Idempotency-Key`: a change that was made is answered as made.
    RequestTimeout,
    /// Too many requests from this client (or for this order, or from this bank) in a
    /// short time; `Retry-After` says in how many seconds to try again.
    RateLimited,
    /// A test helper was called with a live key: only test keys (`sk_test_…`) may
    /// drive payments through the sandbox bank.
    TestModeOnly,
    /// Something failed inside the gateway; details are in its log, never here.
    Internal,
}

impl ErrorCode {
    // Always inlined: a caller naming a code gets its string as a constant, and the
    // widget (which names four) ships without the whole table.
    #[inline(always)]
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::CurrencyUnknown => "currency_unknown",
            ErrorCode::AmountInvalid => "amount_invalid",
            ErrorCode::QuantityInvalid => "quantity_invalid",
            ErrorCode::ItemsEmpty => "items_empty",
            ErrorCode::ItemsTooMany => "items_too_many",
            ErrorCode::FieldTooLong => "field_too_long",
            ErrorCode::UrlInvalid => "url_invalid",
            ErrorCode::ReturnUrlNotRegistered => "return_url_not_registered",
            ErrorCode::ReturnUrlsChanged => "return_urls_changed",
            ErrorCode::IdempotencyKeyInvalid => "idempotency_key_invalid",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::IdempotencyKeyInUse => "idempotency_key_in_use",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::NotFound => "not_found",
            ErrorCode::BankUnknown => "bank_unknown",
            ErrorCode::BankUnavailable => "bank_unavailable",
            ErrorCode::OrderNotPayable => "order_not_payable",
            ErrorCode::OrderNotCancellable => "order_not_cancellable",
            ErrorCode::OrderNotRefundable => "order_not_refundable",
            ErrorCode::OrderNotSettleable => "order_not_settleable",
            ErrorCode::RefundExceedsPayment => "refund_exceeds_payment",
            ErrorCode::ExpiresInInvalid => "expires_in_invalid",
            ErrorCode::SignatureInvalid => "signature_invalid",
            ErrorCode::NotificationMismatch => "notification_mismatch",
            ErrorCode::NotificationReplayed => "notification_replayed",
            ErrorCode::WebhookUrlNotAllowed => "webhook_url_not_allowed",
            ErrorCode::EventTypeUnknown => "event_type_unknown",
            ErrorCode::EndpointLimitReached => "endpoint_limit_reached",
            ErrorCode::EndpointDisabled => "endpoint_disabled",
            ErrorCode::QueryInvalid => "query_invalid",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::BalanceInsufficient => "balance_insufficient",
            ErrorCode::PayoutUnavailable => "payout_unavailable",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::TestModeOnly => "test_mode_only",
            ErrorCode::Internal => "internal",
        }
    }
}

/// `{"error": {"code": "...", "message": "..."}}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// On a 5xx only: the id the gateway's log holds the cause under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code,
                message: message.into(),
                request_id: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_name_matches_as_str() {
        for code in [
            ErrorCode::InvalidJson,
            ErrorCode::IdempotencyKeyReused,
            ErrorCode::NotificationMismatch,
            ErrorCode::RequestTimeout,
            ErrorCode::RateLimited,
            ErrorCode::TestModeOnly,
            ErrorCode::OrderNotSettleable,
            ErrorCode::Internal,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
