//! The store contract: one suite, generic over the store, that every adapter must
//! pass. Each check takes a fresh, empty store and works only through the `Store`
//! ports. An adapter runs the whole suite with [`contract_suite!`], one test per check.
//!
//! Every write command has a check, and every [`Precondition`] a check that shows the
//! store refusing the change when it fails ([`REFUSALS`] names them; a test keeps the
//! list complete).

pub(crate) mod fixtures;
pub(crate) mod keys;
pub(crate) mod ledger;
pub(crate) mod merchants;
pub(crate) mod orders;
pub(crate) mod refunds;
pub(crate) mod verdicts;
pub(crate) mod webhooks;

use paydesk_shared::payment::OrderTransition;

use crate::domain::change::Precondition;

/// Which check shows each precondition refusing a change.
pub(crate) const REFUSALS: [(Precondition, &str); 17] = [
    (
        Precondition::OrderIn(OrderTransition::StartAttempt),
        "no_attempt_starts_on_a_final_order",
    ),
    (
        Precondition::OrderIn(OrderTransition::ConfirmPayment),
        "a_paid_order_is_not_paid_twice",
    ),
    (
        Precondition::OrderIn(OrderTransition::DeclinePayment),
        "a_decline_does_not_fail_a_paid_order",
    ),
    (
        Precondition::OrderIn(OrderTransition::Expire),
        "a_paid_order_does_not_expire",
    ),
    (
        Precondition::OrderIn(OrderTransition::Cancel),
        "an_order_at_the_bank_is_not_cancelled",
    ),
    (
        Precondition::OrderNotExpired,
        "an_order_past_its_expiry_is_not_cancelled",
    ),
    (Precondition::OrderExpired, "an_order_is_not_expired_early"),
    (
        Precondition::VerdictBeforeExpiry,
        "a_success_after_expiry_does_not_pay",
    ),
    (
        Precondition::NoEarlierSuccessWaiting,
        "a_success_waiting_in_the_inbox_holds_off_expiry",
    ),
    (
        Precondition::LatestAttempt,
        "only_the_latest_attempt_fails_the_order",
    ),
    (
        Precondition::AttemptPending,
        "a_decided_attempt_is_not_decided_again",
    ),
    (Precondition::RefundPending, "a_refund_is_decided_once"),
    (
        Precondition::RefundsWithinPayment,
        "refunds_never_exceed_the_payment",
    ),
    (Precondition::NonceUnseen, "a_replayed_nonce_is_refused"),
    (
        Precondition::EndpointLive,
        "only_a_live_endpoint_rotates_its_secret",
    ),
    (
        Precondition::EndpointEnabled,
        "redelivery_needs_enabled_endpoints",
    ),
    (
        Precondition::DeliveryPending,
        "a_cancelled_delivery_stays_cancelled",
    ),
];

/// One `#[tokio::test]` per check, each on a fresh store from `$open` (an async
/// expression giving the store and whatever must outlive it, such as its directory).
macro_rules! contract_suite {
    ($open:expr) => {
        $crate::store::contract::contract_suite!(@checks $open;
            keys::merchants_are_replaced_and_found_by_key_hash,
            keys::a_claimed_key_is_in_use_until_released,
            keys::an_answer_is_recorded_with_its_change,
            keys::old_answers_are_pruned,
            orders::a_created_order_reads_back_with_its_items,
            orders::starting_an_attempt_moves_the_order_once_per_click,
            orders::no_attempt_starts_on_a_final_order,
            orders::an_order_at_the_bank_is_not_cancelled,
            orders::an_order_past_its_expiry_is_not_cancelled,
            orders::a_cancelled_order_has_its_event,
            orders::due_orders_expire_with_their_events,
            orders::an_order_is_not_expired_early,
            orders::an_expiry_is_brought_forward_only_while_unpaid,
            orders::a_paid_order_does_not_expire,
            orders::a_success_waiting_in_the_inbox_holds_off_expiry,
            verdicts::a_confirmed_payment_pays_the_order_with_its_event,
            verdicts::a_replayed_nonce_is_refused,
            verdicts::expired_nonces_are_forgotten,
            verdicts::a_decided_attempt_is_not_decided_again,
            verdicts::a_success_after_expiry_does_not_pay,
            verdicts::a_paid_order_is_not_paid_twice,
            verdicts::a_decline_does_not_fail_a_paid_order,
            verdicts::only_the_latest_attempt_fails_the_order,
            verdicts::status_queries_are_scheduled_until_a_verdict,
            refunds::refunds_never_exceed_the_payment,
            refunds::a_refund_is_retried_on_its_schedule,
            refunds::a_refund_is_decided_once,
            merchants::a_merchant_is_created_once_with_its_first_key,
            merchants::a_revoked_key_stops_working_and_the_others_do_not,
            merchants::return_urls_are_replaced,
            ledger::a_kept_payment_is_posted_with_its_balance_transaction,
            ledger::a_cause_is_posted_once,
            ledger::refunds_and_their_failures_move_the_merchant_balance,
            ledger::balance_transactions_page_and_filter,
            webhooks::an_event_is_delivered_to_each_subscribed_endpoint,
            webhooks::delivery_results_are_recorded_with_their_attempts,
            webhooks::a_cancelled_delivery_stays_cancelled,
            webhooks::gone_disables_the_endpoint,
            webhooks::only_a_live_endpoint_rotates_its_secret,
            webhooks::redelivery_needs_enabled_endpoints,
            webhooks::endpoints_are_saved_and_listed_without_deleted_ones,
        );
    };
    (@checks $open:expr; $($module:ident :: $check:ident),* $(,)?) => {
        /// The checks this adapter runs, for the coverage test.
        #[allow(dead_code)]
        const CHECKS: &[&str] = &[$(stringify!($check)),*];

        $(
            #[tokio::test]
            async fn $check() {
                let (store, _keep) = $open.await;
                $crate::store::contract::$module::$check(&store).await;
            }
        )*

        #[test]
        fn every_precondition_has_a_refusal_check() {
            for p in $crate::domain::change::Precondition::ALL {
                let (_, check) = $crate::store::contract::REFUSALS
                    .iter()
                    .find(|(q, _)| *q == p)
                    .unwrap_or_else(|| panic!("no refusal check for {p:?}"));
                assert!(CHECKS.contains(check), "{check} is not run");
            }
        }
    };
}

pub(crate) use contract_suite;
