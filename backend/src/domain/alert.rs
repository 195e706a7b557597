//! What an operator must look at: a bank verdict that disagrees with the gateway, a
//! refund the bank refused.

use super::ids::{AlertId, AttemptId, OrderId};
use super::time::Millis;

/// A bank verdict disagrees with the order (amount, currency, order, bank).
pub const MISMATCH: &str = "notification_mismatch";
/// A bank verdict contradicts one applied before; money may have moved.
pub const CONFLICT: &str = "verdict_conflict";
/// The bank refused to give money back.
pub const REFUND_FAILED: &str = "refund_failed";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub id: AlertId,
    pub kind: String,
    pub message: String,
    pub order_id: Option<OrderId>,
    pub attempt_id: Option<AttemptId>,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: AlertId,
    pub kind: String,
    pub message: String,
    pub order_id: Option<OrderId>,
    pub attempt_id: Option<AttemptId>,
    pub inbox_id: Option<i64>,
    pub created_at: Millis,
    pub resolved_at: Option<Millis>,
}
