//! Why a payment goes back to the shopper, as `RefundResponse::reason` and webhooks
//! carry it. A merchant names their own reason; these are the gateway's.

/// Paid after the order expired.
pub const LATE_PAYMENT: &str = "late_payment";
/// A second payment of an order already paid.
pub const DUPLICATE_PAYMENT: &str = "duplicate_payment";
/// Paid after the merchant cancelled the order.
pub const ORDER_CANCELLED: &str = "order_cancelled";
/// Paid while the order could not be paid for another reason.
pub const ORDER_NOT_PAYABLE: &str = "order_not_payable";

/// Whether the gateway started this refund itself, for a payment the order could not
/// keep, rather than the merchant: that money never was the merchant's, and the
/// order's own payment stands.
pub fn is_automatic(reason: &str) -> bool {
    [
        LATE_PAYMENT,
        DUPLICATE_PAYMENT,
        ORDER_CANCELLED,
        ORDER_NOT_PAYABLE,
    ]
    .contains(&reason)
}
