//! What the widget shows, derived from the order's status and what the widget itself
//! is doing. Kept apart from the views so the rules can be read (and tested) in one
//! place.

use paydesk_shared::OrderStatus;
use paydesk_shared::api::{WidgetAttempt, WidgetSession};

/// Everything the app follows about the order and itself, held in one signal: each
/// distinct signal value type costs the widget its own copy of the reactive code.
#[derive(Debug, Clone)]
pub struct Widget {
    pub activity: Activity,
    pub session: Option<WidgetSession>,
    pub status: OrderStatus,
    pub last_attempt: Option<WidgetAttempt>,
    /// The shopper's receipt, once the order is paid.
    pub receipt_url: Option<String>,
    /// A payment the order could not keep is being refunded.
    pub extra_payment_refunded: bool,
    /// Why the session could not be loaded.
    pub load_error: Option<&'static str>,
    /// Why the last Pay did not go through.
    pub pay_error: Option<&'static str>,
}

impl Widget {
    pub fn phase(&self) -> Phase {
        Phase::of(self.activity, self.status)
    }
}

impl Default for Widget {
    fn default() -> Self {
        Widget {
            activity: Activity::Loading,
            session: None,
            status: OrderStatus::Created,
            last_attempt: None,
            receipt_url: None,
            extra_payment_refunded: false,
            load_error: None,
            pay_error: None,
        }
    }
}

/// What the widget is doing, as opposed to where the order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Loading,
    LoadFailed,
    Idle,
    /// The last attempt failed, or is still at its bank, and the shopper asked to
    /// choose another bank.
    ChoosingAgain,
    /// The attempt is being created; the browser leaves for the bank next.
    Redirecting,
}

/// The state the widget is in, published as `data-state` on its root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Loading,
    Choose,
    Redirecting,
    Pending,
    Paid,
    Failed,
    Expired,
    Cancelled,
    Error,
}

/// The big blocks of the widget. Switching between them rebuilds the view, so phases
/// that share a block (choosing and redirecting) keep the shopper's selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Loading,
    Error,
    Checkout,
    Status,
    /// The status once paid: built afresh then, so it links the receipt the paid
    /// status brought without a reactive link.
    Paid,
}

impl Phase {
    pub fn of(activity: Activity, status: OrderStatus) -> Phase {
        match activity {
            Activity::Loading => Phase::Loading,
            Activity::LoadFailed => Phase::Error,
            Activity::Redirecting => Phase::Redirecting,
            Activity::Idle | Activity::ChoosingAgain => match status {
                OrderStatus::Created => Phase::Choose,
                OrderStatus::Pending | OrderStatus::Failed
                    if activity == Activity::ChoosingAgain =>
                {
                    Phase::Choose
                }
                OrderStatus::Pending => Phase::Pending,
                OrderStatus::Paid => Phase::Paid,
                OrderStatus::Failed => Phase::Failed,
                OrderStatus::Expired => Phase::Expired,
                OrderStatus::Cancelled => Phase::Cancelled,
            },
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Loading => "loading",
            Phase::Choose => "choose",
            Phase::Redirecting => "redirecting",
            Phase::Pending => "pending",
            Phase::Paid => "paid",
            Phase::Failed => "failed",
            Phase::Expired => "expired",
            Phase::Cancelled => "cancelled",
            Phase::Error => "error",
        }
    }

    pub fn screen(self) -> Screen {
        match self {
            Phase::Loading => Screen::Loading,
            Phase::Error => Screen::Error,
            Phase::Choose | Phase::Redirecting => Screen::Checkout,
            Phase::Paid => Screen::Paid,
            Phase::Pending | Phase::Failed | Phase::Expired | Phase::Cancelled => Screen::Status,
        }
    }
}

/// The activity after the gateway reports `status`. A final status ends "choosing
/// again": a payment that lands after all must show. The first attempt failing while
/// the shopper chooses does not take the list away.
pub fn after_status_change(activity: Activity, status: OrderStatus) -> Activity {
    match activity {
        Activity::ChoosingAgain if status.is_final() => Activity::Idle,
        other => other,
    }
}

/// Whether the countdown reaching zero ends the order in the widget at once. Only
/// an order the shopper could still pay here; a payment under way at the bank is
/// left for the gateway to settle (it also emits `expired`).
pub fn expires_here(status: OrderStatus, seconds_left: Option<u32>) -> bool {
    seconds_left == Some(0) && matches!(status, OrderStatus::Created | OrderStatus::Failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_payable_order_expires_at_zero() {
        assert!(expires_here(OrderStatus::Created, Some(0)));
        assert!(expires_here(OrderStatus::Failed, Some(0)));
        assert!(!expires_here(OrderStatus::Created, Some(1)));
        assert!(!expires_here(OrderStatus::Created, None));
        assert!(!expires_here(OrderStatus::Pending, Some(0)));
        assert!(!expires_here(OrderStatus::Paid, Some(0)));
    }

    #[test]
    fn each_order_status_has_its_phase() {
        let idle = |s| Phase::of(Activity::Idle, s);
        assert_eq!(idle(OrderStatus::Created), Phase::Choose);
        assert_eq!(idle(OrderStatus::Pending), Phase::Pending);
        assert_eq!(idle(OrderStatus::Paid), Phase::Paid);
        assert_eq!(idle(OrderStatus::Failed), Phase::Failed);
        assert_eq!(idle(OrderStatus::Expired), Phase::Expired);
        assert_eq!(idle(OrderStatus::Cancelled), Phase::Cancelled);
    }

    #[test]
    fn choosing_again_reopens_a_failed_or_pending_order() {
        let again = |s| Phase::of(Activity::ChoosingAgain, s);
        assert_eq!(again(OrderStatus::Failed), Phase::Choose);
        assert_eq!(again(OrderStatus::Pending), Phase::Choose);
        assert_eq!(again(OrderStatus::Paid), Phase::Paid);
        assert_eq!(again(OrderStatus::Expired), Phase::Expired);
        assert_eq!(again(OrderStatus::Cancelled), Phase::Cancelled);
    }

    #[test]
    fn activity_wins_over_status() {
        for s in OrderStatus::ALL {
            assert_eq!(Phase::of(Activity::Loading, s), Phase::Loading);
            assert_eq!(Phase::of(Activity::LoadFailed, s), Phase::Error);
            assert_eq!(Phase::of(Activity::Redirecting, s), Phase::Redirecting);
        }
    }

    #[test]
    fn only_a_final_status_ends_choosing_again() {
        use OrderStatus::*;
        let a = Activity::ChoosingAgain;
        // The first bank declining while the shopper picks another.
        assert_eq!(after_status_change(a, Failed), a);
        assert_eq!(after_status_change(a, Pending), a);
        assert_eq!(after_status_change(a, Paid), Activity::Idle);
        assert_eq!(after_status_change(a, Expired), Activity::Idle);
        assert_eq!(
            after_status_change(Activity::Redirecting, Pending),
            Activity::Redirecting
        );
    }

    #[test]
    fn redirecting_keeps_the_checkout_screen() {
        assert_eq!(Phase::Choose.screen(), Phase::Redirecting.screen());
    }

    #[test]
    fn paid_is_a_screen_of_its_own() {
        assert_ne!(Phase::Pending.screen(), Phase::Paid.screen());
    }
}
