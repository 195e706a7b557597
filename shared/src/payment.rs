//! The payment state machine: the one place that says which order and attempt
//! transitions exist. The store applies them as compare-and-set
//! (`UPDATE … WHERE status IN (sources)`), so a transition either happens once or not.

use serde::{Deserialize, Serialize};

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Waiting for the shopper to choose a bank.
    Created,
    /// A payment attempt is at the bank.
    Pending,
    /// A bank confirmed the payment. Final: no transition leaves it.
    Paid,
    /// The last attempt was declined; the shopper may choose another bank.
    Failed,
    /// Not paid before its expiry. Final.
    Expired,
    /// Cancelled by the merchant before payment. Final.
    Cancelled,
}

/// Every way an order can change status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderTransition {
    /// The shopper chose a bank and was sent to it.
    StartAttempt,
    /// The bank confirmed an attempt (notification or status query).
    ConfirmPayment,
    /// The bank declined the latest attempt.
    DeclinePayment,
    /// The order's expiry passed before payment.
    Expire,
    /// The merchant cancelled the order before payment.
    Cancel,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::Created,
        OrderStatus::Pending,
        OrderStatus::Paid,
        OrderStatus::Failed,
        OrderStatus::Expired,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Created => "created",
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Failed => "failed",
            OrderStatus::Expired => "expired",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// No transition leaves a final status.
    pub fn is_final(self) -> bool {
        match self {
            OrderStatus::Paid | OrderStatus::Expired | OrderStatus::Cancelled => true,
            OrderStatus::Created | OrderStatus::Pending | OrderStatus::Failed => false,
        }
    }

    /// The status after `transition`, or `None` if it is not allowed from here.
    pub fn apply(self, transition: OrderTransition) -> Option<OrderStatus> {
        transition
            .sources()
            .contains(&self)
            .then(|| transition.target())
    }
}

impl OrderTransition {
    pub const ALL: [OrderTransition; 5] = [
        OrderTransition::StartAttempt,
        OrderTransition::ConfirmPayment,
        OrderTransition::DeclinePayment,
        OrderTransition::Expire,
        OrderTransition::Cancel,
    ];

    /// The statuses this transition may start from.
    pub fn sources(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            // A shopper may leave a bank page and choose another bank: Pending → Pending.
            OrderTransition::StartAttempt => &[Created, Pending, Failed],
            // An earlier attempt may succeed after a later one was declined.
            OrderTransition::ConfirmPayment => &[Pending, Failed],
            OrderTransition::DeclinePayment => &[Pending],
            OrderTransition::Expire => &[Created, Pending, Failed],
            OrderTransition::Cancel => &[Created, Failed],
        }
    }

    pub fn target(self) -> OrderStatus {
        match self {
            OrderTransition::StartAttempt => OrderStatus::Pending,
            OrderTransition::ConfirmPayment => OrderStatus::Paid,
            OrderTransition::DeclinePayment => OrderStatus::Failed,
            OrderTransition::Expire => OrderStatus::Expired,
            OrderTransition::Cancel => OrderStatus::Cancelled,
        }
    }
}

/// Where one payment attempt (one trip to one bank) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    Pending,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttemptTransition {
    Succeed,
    Fail,
}

impl AttemptStatus {
    pub const ALL: [AttemptStatus; 3] = [
        AttemptStatus::Pending,
        AttemptStatus::Succeeded,
        AttemptStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttemptStatus::Pending => "pending",
            AttemptStatus::Succeeded => "succeeded",
            AttemptStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<AttemptStatus> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn apply(self, transition: AttemptTransition) -> Option<AttemptStatus> {
        (self == AttemptStatus::Pending).then_some(match transition {
            AttemptTransition::Succeed => AttemptStatus::Succeeded,
            AttemptTransition::Fail => AttemptStatus::Failed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn happy_path() {
        let s = OrderStatus::Created;
        let s = s.apply(OrderTransition::StartAttempt).unwrap();
        assert_eq!(s, OrderStatus::Pending);
        assert_eq!(
            s.apply(OrderTransition::ConfirmPayment),
            Some(OrderStatus::Paid)
        );
    }

    #[test]
    fn decline_then_another_bank() {
        let s = OrderStatus::Pending
            .apply(OrderTransition::DeclinePayment)
            .unwrap();
        assert_eq!(s, OrderStatus::Failed);
        assert_eq!(
            s.apply(OrderTransition::StartAttempt),
            Some(OrderStatus::Pending)
        );
    }

    #[test]
    fn paid_is_final() {
        for t in OrderTransition::ALL {
            assert_eq!(OrderStatus::Paid.apply(t), None, "{t:?}");
        }
    }

    #[test]
    fn cannot_cancel_at_the_bank_or_after_payment() {
        assert_eq!(OrderStatus::Pending.apply(OrderTransition::Cancel), None);
        assert_eq!(OrderStatus::Paid.apply(OrderTransition::Cancel), None);
    }

    #[test]
    fn status_names_round_trip() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for s in AttemptStatus::ALL {
            assert_eq!(AttemptStatus::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }

    #[test]
    fn attempts_are_decided_once() {
        let done = AttemptStatus::Pending
            .apply(AttemptTransition::Succeed)
            .unwrap();
        assert_eq!(done.apply(AttemptTransition::Fail), None);
        assert_eq!(done.apply(AttemptTransition::Succeed), None);
    }

    fn any_transition() -> impl Strategy<Value = OrderTransition> {
        proptest::sample::select(OrderTransition::ALL.to_vec())
    }

    proptest! {
        /// Whatever happens, once paid an order stays paid, and final states never move.
        #[test]
        fn final_states_are_absorbing(ts in proptest::collection::vec(any_transition(), 0..40)) {
            let mut status = OrderStatus::Created;
            let mut was_paid = false;
            for t in ts {
                let before = status;
                if let Some(next) = status.apply(t) {
                    prop_assert!(!before.is_final());
                    status = next;
                }
                was_paid |= status == OrderStatus::Paid;
                if was_paid {
                    prop_assert_eq!(status, OrderStatus::Paid);
                }
            }
        }
    }
}
