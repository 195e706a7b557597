//! The conditions a change needs at the moment it is made. The rules name them here;
//! each store adapter checks them where it writes (in SQLite, in the WHERE of the
//! statement that makes the change), so no change lands on a state that moved since
//! it was planned. A closed enum: an adapter maps every variant, and the store
//! contract suite shows each one refusing.

use paydesk_shared::payment::OrderTransition;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Precondition {
    /// The order is in a status the transition starts from (compare-and-set).
    OrderIn(OrderTransition),
    /// The order's expiry is still ahead of the change's time.
    OrderNotExpired,
    /// The order's expiry has passed at the change's time.
    OrderExpired,
    /// The verdict that pays the order arrived before the order expired.
    VerdictBeforeExpiry,
    /// No success the bank sent before the order's expiry is waiting to be applied
    /// (the applier will pay the order instead).
    NoEarlierSuccessWaiting,
    /// The attempt is the order's latest: an older attempt failing cannot fail the
    /// order while a newer one runs.
    LatestAttempt,
    /// The attempt has no verdict yet.
    AttemptPending,
    /// The refund has no final word from the bank yet.
    RefundPending,
    /// The attempt's refunds, this one included, stay within what it paid.
    RefundsWithinPayment,
    /// The bank message's signature nonce has not been seen before.
    NonceUnseen,
    /// The webhook endpoint exists for the merchant and is not deleted.
    EndpointLive,
    /// The webhook endpoint takes events.
    EndpointEnabled,
    /// The delivery is still pending: one cancelled meanwhile stays cancelled.
    DeliveryPending,
}

impl Precondition {
    pub const ALL: [Precondition; 17] = [
        Precondition::OrderIn(OrderTransition::StartAttempt),
        Precondition::OrderIn(OrderTransition::ConfirmPayment),
        Precondition::OrderIn(OrderTransition::DeclinePayment),
        Precondition::OrderIn(OrderTransition::Expire),
        Precondition::OrderIn(OrderTransition::Cancel),
        Precondition::OrderNotExpired,
        Precondition::OrderExpired,
        Precondition::VerdictBeforeExpiry,
        Precondition::NoEarlierSuccessWaiting,
        Precondition::LatestAttempt,
        Precondition::AttemptPending,
        Precondition::RefundPending,
        Precondition::RefundsWithinPayment,
        Precondition::NonceUnseen,
        Precondition::EndpointLive,
        Precondition::EndpointEnabled,
        Precondition::DeliveryPending,
    ];
}

/// What must hold for an order to move by `transition`.
pub const fn order_move(transition: OrderTransition) -> &'static [Precondition] {
    use Precondition::*;
    match transition {
        OrderTransition::StartAttempt => &[OrderIn(OrderTransition::StartAttempt)],
        OrderTransition::ConfirmPayment => &[
            OrderIn(OrderTransition::ConfirmPayment),
            VerdictBeforeExpiry,
        ],
        OrderTransition::DeclinePayment => {
            &[OrderIn(OrderTransition::DeclinePayment), LatestAttempt]
        }
        OrderTransition::Expire => &[
            OrderIn(OrderTransition::Expire),
            OrderExpired,
            NoEarlierSuccessWaiting,
        ],
        OrderTransition::Cancel => &[OrderIn(OrderTransition::Cancel), OrderNotExpired],
    }
}

/// What must hold to record a verdict on an attempt.
pub const DECIDE_ATTEMPT: &[Precondition] = &[Precondition::AttemptPending];
/// What must hold to store a signed bank message.
pub const RECEIVE_VERDICT: &[Precondition] = &[Precondition::NonceUnseen];
/// What must hold to create a refund.
pub const CREATE_REFUND: &[Precondition] = &[Precondition::RefundsWithinPayment];
/// What must hold to record a refund's retry or its final word.
pub const DECIDE_REFUND: &[Precondition] = &[Precondition::RefundPending];
/// What must hold to rotate an endpoint's secret.
pub const ROTATE_SECRET: &[Precondition] = &[Precondition::EndpointLive];
/// What must hold to send an event to an endpoint again.
pub const REDELIVER: &[Precondition] = &[Precondition::EndpointEnabled];
/// What must hold to record a delivery attempt's result.
pub const RECORD_DELIVERY: &[Precondition] = &[Precondition::DeliveryPending];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_order_move_is_compare_and_set_on_its_own_sources() {
        for t in [
            OrderTransition::StartAttempt,
            OrderTransition::ConfirmPayment,
            OrderTransition::DeclinePayment,
            OrderTransition::Expire,
            OrderTransition::Cancel,
        ] {
            assert_eq!(order_move(t)[0], Precondition::OrderIn(t));
        }
    }
}
