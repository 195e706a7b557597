//! Bank verdicts: stored before the bank is told "received", then applied. What
//! applying one does is decided here from the order as it stands (duplicates, verdicts
//! out of order, mismatches, payments that cannot be kept); the store executes the
//! plan (compare-and-set) in one transaction.

use paydesk_shared::payment::{AttemptStatus, OrderTransition};
use paydesk_shared::{Currency, Money, OrderStatus};

use super::alert::{self, NewAlert};
use super::event::{Compose, EventType, NewEvent};
use super::fee::FeePlan;
use super::ids::{AlertId, AttemptId, OrderId, RefundId};
use super::ledger::Posting;
use super::order::{Attempt, Order};
use super::postings;
use super::refund::{
    DUPLICATE_PAYMENT, LATE_PAYMENT, NewRefund, ORDER_CANCELLED, ORDER_NOT_PAYABLE,
};
use super::time::Millis;

/// Where a verdict came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerdictSource {
    /// The bank's signed asynchronous notification.
    Notification,
    /// The bank's signed answer to the gateway's status query, or the gateway's own
    /// conclusion from it (an attempt the bank never saw, past the order's expiry).
    Query,
}

impl VerdictSource {
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictSource::Notification => "notification",
            VerdictSource::Query => "query",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Notification, Self::Query]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A verified verdict to store before the bank is told "received".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInboxEntry {
    pub connector: String,
    pub source: VerdictSource,
    /// The signature's key id, timestamp (unix seconds) and nonce, when signed.
    pub signature: Option<SignatureFacts>,
    pub verdict: Verdict,
    pub body: String,
    pub received_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureFacts {
    pub key_id: String,
    pub signed_at: i64,
    pub nonce: String,
    /// Until when (ms) the nonce must be remembered to refuse a replay.
    pub remember_until: Millis,
}

/// A bank's verdict on one payment attempt, as the bank stated it: from a signed
/// notification or a status query. Amount and currency stay unparsed so a mismatch is
/// detected rather than coerced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub attempt_id: AttemptId,
    pub order_id: OrderId,
    pub bank_code: String,
    pub bank_transaction_id: Option<String>,
    pub amount: String,
    pub currency: String,
    pub outcome: AttemptStatus,
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiveOutcome {
    Stored {
        inbox_id: i64,
    },
    /// A message with this nonce was seen before: nothing was stored.
    Replayed,
}

/// A stored verdict waiting to be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEntry {
    pub id: i64,
    pub connector: String,
    pub verdict: Verdict,
    /// The last four digits of the card paid with, as the bank's verified message
    /// named them (four ASCII digits), for the shopper's receipt. Kept beside the
    /// verdict rather than in it: [`Verdict`] is built by the connectors and the status
    /// querier, which do not carry the card yet.
    pub card_last4: Option<String>,
    pub received_at: Millis,
}

/// What applying one inbox entry does. Decided by the applier, executed by the store
/// in one transaction with the entry's new state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxPlan {
    /// Decide the pending attempt; move the order if `transition` is given and the
    /// order still allows it; enqueue `event` and post `payment` iff it moved. A
    /// success whose order did not move to paid gets `refund` instead: the money goes
    /// back.
    Decide {
        outcome: AttemptStatus,
        failure_reason: Option<String>,
        bank_transaction_id: Option<String>,
        /// Stored on the attempt for the receipt.
        card_last4: Option<String>,
        transition: Option<OrderTransition>,
        /// Boxed: an event carries the whole order and would dwarf the other plans.
        event: Option<Box<NewEvent>>,
        payment: Option<Box<Posting>>,
        refund: Option<Box<HeldPayment>>,
        decided_at: Millis,
    },
    /// Already applied the same way.
    Duplicate,
    /// Changes nothing and is logged (a failure after a success).
    Ignore { detail: String },
    /// Disagrees with the attempt: kept aside for an operator, the order untouched.
    Quarantine { alert: NewAlert },
}

/// A payment the order cannot keep: held, then refunded, each posted to the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldPayment {
    pub refund: NewRefund,
    /// The unapplied payment, then its refund.
    pub postings: [Posting; 2],
}

/// Where a stored verdict stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxState {
    /// Stored, not applied yet.
    Received,
    Applied,
    /// The same verdict was applied before.
    Duplicate,
    Ignored,
    /// Kept aside for an operator.
    Quarantined,
}

impl InboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxState::Received => "received",
            InboxState::Applied => "applied",
            InboxState::Duplicate => "duplicate",
            InboxState::Ignored => "ignored",
            InboxState::Quarantined => "quarantined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Received,
            Self::Applied,
            Self::Duplicate,
            Self::Ignored,
            Self::Quarantined,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// A stored verdict as the operator sees it: where it came from, which key signed it
/// and what applying it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVerdict {
    pub id: i64,
    pub connector: String,
    pub source: VerdictSource,
    /// The bank key that signed it, if signed.
    pub key_id: Option<String>,
    pub verdict: Verdict,
    pub state: InboxState,
    pub detail: Option<String>,
    pub received_at: Millis,
}

/// Stored bank verdicts by state; `received` is the backlog not applied yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InboxCounts {
    pub received: i64,
    pub applied: i64,
    pub duplicate: i64,
    pub ignored: i64,
    pub quarantined: i64,
}

/// An inbox entry with what applying it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEntry {
    pub entry: InboxEntry,
    pub plan: InboxPlan,
}

/// What applying one entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    pub order_moved: bool,
    pub refund_created: bool,
    pub alert_raised: bool,
}

/// Plans `entry` against `order` (which must hold the entry's attempt).
pub fn plan(
    order: &Order,
    entry: &InboxEntry,
    events: &dyn Compose,
    fees: &FeePlan,
    now: Millis,
) -> InboxPlan {
    let v = &entry.verdict;
    let Some(attempt) = order.attempts.iter().find(|a| a.id == v.attempt_id) else {
        return quarantine(
            entry,
            alert::MISMATCH,
            format!(
                "attempt {} is not an attempt of order {}",
                v.attempt_id, order.id
            ),
            now,
        );
    };
    let stated = v
        .currency
        .parse::<Currency>()
        .ok()
        .and_then(|c| Money::parse(&v.amount, c).ok());
    if v.order_id != order.id || v.bank_code != attempt.bank_code || stated != Some(attempt.amount)
    {
        return quarantine(
            entry,
            alert::MISMATCH,
            format!(
                "bank {} stated {} {} for attempt {} of order {} (attempt is {} {} at {}); order left unchanged",
                v.bank_code,
                v.amount,
                v.currency,
                v.attempt_id,
                v.order_id,
                attempt.amount,
                attempt.amount.currency(),
                attempt.bank_code,
            ),
            now,
        );
    }
    match (attempt.status, v.outcome) {
        (AttemptStatus::Pending, outcome) => {
            decide(order, attempt, entry, outcome, events, fees, now)
        }
        (AttemptStatus::Succeeded, AttemptStatus::Succeeded)
            if attempt.bank_transaction_id == v.bank_transaction_id =>
        {
            InboxPlan::Duplicate
        }
        (AttemptStatus::Succeeded, AttemptStatus::Failed) => InboxPlan::Ignore {
            detail: format!(
                "failure ({}) after the attempt succeeded: attempt stays succeeded",
                v.failure_reason.as_deref().unwrap_or("no reason")
            ),
        },
        (AttemptStatus::Failed, AttemptStatus::Failed) => InboxPlan::Duplicate,
        (existing, _) => quarantine(
            entry,
            alert::CONFLICT,
            format!(
                "bank {} says attempt {} {} (transaction {}), but it was {} (transaction {}); money may have moved, check with the bank",
                v.bank_code,
                v.attempt_id,
                v.outcome.as_str(),
                v.bank_transaction_id.as_deref().unwrap_or("none"),
                existing.as_str(),
                attempt.bank_transaction_id.as_deref().unwrap_or("none"),
            ),
            now,
        ),
    }
}

fn decide(
    order: &Order,
    attempt: &Attempt,
    entry: &InboxEntry,
    outcome: AttemptStatus,
    events: &dyn Compose,
    fees: &FeePlan,
    now: Millis,
) -> InboxPlan {
    let v = &entry.verdict;
    let (transition, payment, refund) = match outcome {
        AttemptStatus::Succeeded => {
            let payable = matches!(order.status, OrderStatus::Pending | OrderStatus::Failed)
                && entry.received_at < order.expires_at;
            let reason = if order.status == OrderStatus::Paid {
                DUPLICATE_PAYMENT
            } else if order.status == OrderStatus::Cancelled {
                ORDER_CANCELLED
            } else if entry.received_at >= order.expires_at || order.status == OrderStatus::Expired
            {
                LATE_PAYMENT
            } else {
                ORDER_NOT_PAYABLE
            };
            let refund = NewRefund {
                id: RefundId::generate(),
                order_id: order.id.clone(),
                attempt_id: v.attempt_id.clone(),
                amount: order.total,
                reason: reason.to_owned(),
                created_at: now,
            };
            let fee = fees.fee(attempt.amount, attempt.card_kind);
            let held = HeldPayment {
                postings: [
                    postings::unapplied_payment(attempt, now),
                    postings::refund(order, &attempt.bank_code, &refund),
                ],
                refund,
            };
            (
                payable.then_some(OrderTransition::ConfirmPayment),
                Some(Box::new(postings::payment(order, attempt, fee, now))),
                Some(Box::new(held)),
            )
        }
        _ => {
            let latest =
                order.latest_attempt().map(|a| a.id.as_str()) == Some(v.attempt_id.as_str());
            let moves = order.status == OrderStatus::Pending && latest;
            (moves.then_some(OrderTransition::DeclinePayment), None, None)
        }
    };
    let mut plan = InboxPlan::Decide {
        outcome,
        failure_reason: v.failure_reason.clone(),
        bank_transaction_id: v.bank_transaction_id.clone(),
        card_last4: entry.card_last4.clone(),
        transition,
        event: None,
        payment,
        refund,
        decided_at: now,
    };
    // The event carries the order as it will be once the plan is applied.
    let mut after = order.clone();
    record(&mut after, entry, &plan);
    if let (InboxPlan::Decide { event, .. }, Some(t)) = (&mut plan, transition) {
        let kind = if t == OrderTransition::ConfirmPayment {
            EventType::OrderPaid
        } else {
            EventType::OrderFailed
        };
        *event = Some(Box::new(events.order_event(&after, kind, now)));
    }
    plan
}

fn quarantine(entry: &InboxEntry, kind: &str, message: String, now: Millis) -> InboxPlan {
    InboxPlan::Quarantine {
        alert: NewAlert {
            id: AlertId::generate(),
            kind: kind.to_owned(),
            message,
            order_id: Some(entry.verdict.order_id.clone()),
            attempt_id: Some(entry.verdict.attempt_id.clone()),
            created_at: now,
        },
    }
}

/// Updates `order` as the store will once `plan` is applied, so the next entry of the
/// same batch is planned against it.
pub fn record(order: &mut Order, entry: &InboxEntry, plan: &InboxPlan) {
    let InboxPlan::Decide {
        outcome,
        failure_reason,
        bank_transaction_id,
        transition,
        decided_at,
        ..
    } = plan
    else {
        return;
    };
    if let Some(a) = order
        .attempts
        .iter_mut()
        .find(|a| a.id == entry.verdict.attempt_id)
    {
        a.status = *outcome;
        a.failure_reason.clone_from(failure_reason);
        a.bank_transaction_id.clone_from(bank_transaction_id);
        a.decided_at = Some(*decided_at);
    }
    if let Some(t) = transition
        && let Some(status) = order.status.apply(*t)
    {
        order.status = status;
        if status == OrderStatus::Paid {
            order.paid_at = Some(*decided_at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::fixtures::{NOW, attempt, order};

    /// Renders an event's data as the order's status alone.
    struct Render;

    impl Compose for Render {
        fn order_event(&self, order: &Order, kind: EventType, now: Millis) -> NewEvent {
            NewEvent {
                id: "evt_1".into(),
                merchant_id: order.merchant_id.clone(),
                subject: order.id.to_string(),
                kind,
                data: format!(r#"{{"status":"{}"}}"#, order.status.as_str()),
                created_at: now,
            }
        }

        fn refund_event(
            &self,
            order: &Order,
            _: &crate::domain::refund::Refund,
            kind: EventType,
            now: Millis,
        ) -> NewEvent {
            self.order_event(order, kind, now)
        }

        fn settlement_event(
            &self,
            s: &crate::domain::settlement::Settlement,
            now: Millis,
        ) -> NewEvent {
            NewEvent {
                id: "evt_s".into(),
                merchant_id: s.merchant_id.clone(),
                subject: s.id.to_string(),
                kind: EventType::SettlementCreated,
                data: "{}".into(),
                created_at: now,
            }
        }

        fn payout_event(
            &self,
            p: &crate::domain::payout::Payout,
            kind: EventType,
            now: Millis,
        ) -> NewEvent {
            NewEvent {
                id: "evt_p".into(),
                merchant_id: p.merchant_id.clone(),
                subject: p.id.to_string(),
                kind,
                data: "{}".into(),
                created_at: now,
            }
        }
    }

    fn entry(attempt: &str, outcome: AttemptStatus, amount: &str, received_at: i64) -> InboxEntry {
        InboxEntry {
            id: 1,
            connector: "sandbox".into(),
            card_last4: Some("4242".into()),
            received_at,
            verdict: Verdict {
                attempt_id: attempt.into(),
                order_id: "ord_1".into(),
                bank_code: "ICBC".into(),
                bank_transaction_id: Some("txn_1".into()),
                amount: amount.into(),
                currency: "CNY".into(),
                outcome,
                failure_reason: (outcome == AttemptStatus::Failed)
                    .then(|| "insufficient_funds".into()),
            },
        }
    }

    fn transition_of(plan: &InboxPlan) -> Option<OrderTransition> {
        match plan {
            InboxPlan::Decide { transition, .. } => *transition,
            _ => None,
        }
    }

    #[test]
    fn a_success_pays_a_pending_order_with_an_event() {
        let o = order(
            OrderStatus::Pending,
            vec![attempt("a1", AttemptStatus::Pending, None)],
        );
        let p = plan(
            &o,
            &entry("a1", AttemptStatus::Succeeded, "25.00", NOW),
            &Render,
            &FeePlan::default(),
            NOW,
        );
        assert_eq!(transition_of(&p), Some(OrderTransition::ConfirmPayment));
        let InboxPlan::Decide { event: Some(e), .. } = &p else {
            panic!("{p:?}")
        };
        assert_eq!(e.kind, EventType::OrderPaid);
        let InboxPlan::Decide { card_last4, .. } = &p else {
            panic!("{p:?}")
        };
        assert_eq!(card_last4.as_deref(), Some("4242"), "the card goes with it");
        // Rendered from the order as it will be once the plan is applied.
        assert_eq!(e.data, r#"{"status":"paid"}"#);
    }

    #[test]
    fn duplicates_and_a_failure_after_success_change_nothing() {
        let mut o = order(
            OrderStatus::Pending,
            vec![attempt("a1", AttemptStatus::Pending, None)],
        );
        let first = entry("a1", AttemptStatus::Succeeded, "25.00", NOW);
        let p = plan(&o, &first, &Render, &FeePlan::default(), NOW);
        record(&mut o, &first, &p);
        assert_eq!(o.status, OrderStatus::Paid);
        assert_eq!(
            plan(&o, &first, &Render, &FeePlan::default(), NOW),
            InboxPlan::Duplicate
        );
        let late_failure = entry("a1", AttemptStatus::Failed, "25.00", NOW);
        assert!(matches!(
            plan(&o, &late_failure, &Render, &FeePlan::default(), NOW),
            InboxPlan::Ignore { .. }
        ));
    }

    #[test]
    fn wrong_amount_currency_or_bank_is_quarantined() {
        let o = order(
            OrderStatus::Pending,
            vec![attempt("a1", AttemptStatus::Pending, None)],
        );
        for mutate in [
            |e: &mut InboxEntry| e.verdict.amount = "25.01".into(),
            |e: &mut InboxEntry| e.verdict.currency = "USD".into(),
            |e: &mut InboxEntry| e.verdict.currency = "XXX".into(),
            |e: &mut InboxEntry| e.verdict.bank_code = "ABC".into(),
            |e: &mut InboxEntry| e.verdict.order_id = "ord_2".into(),
            |e: &mut InboxEntry| e.verdict.amount = "abc".into(),
        ] {
            let mut e = entry("a1", AttemptStatus::Succeeded, "25.00", NOW);
            mutate(&mut e);
            let p = plan(&o, &e, &Render, &FeePlan::default(), NOW);
            let InboxPlan::Quarantine { alert } = &p else {
                panic!("{p:?}")
            };
            assert_eq!(alert.kind, alert::MISMATCH);
        }
    }

    #[test]
    fn a_success_that_cannot_be_kept_is_refunded_with_its_reason() {
        let late = order(
            OrderStatus::Pending,
            vec![attempt("a1", AttemptStatus::Pending, None)],
        );
        let p = plan(
            &late,
            &entry("a1", AttemptStatus::Succeeded, "25.00", late.expires_at),
            &Render,
            &FeePlan::default(),
            NOW,
        );
        let InboxPlan::Decide {
            transition: None,
            refund: Some(r),
            ..
        } = &p
        else {
            panic!("{p:?}")
        };
        assert_eq!(r.refund.reason, LATE_PAYMENT);

        let twice = order(
            OrderStatus::Paid,
            vec![
                attempt("a1", AttemptStatus::Succeeded, Some("txn_0")),
                attempt("a2", AttemptStatus::Pending, None),
            ],
        );
        let p = plan(
            &twice,
            &entry("a2", AttemptStatus::Succeeded, "25.00", NOW),
            &Render,
            &FeePlan::default(),
            NOW,
        );
        let InboxPlan::Decide {
            transition: None,
            refund: Some(r),
            ..
        } = &p
        else {
            panic!("{p:?}")
        };
        assert_eq!(r.refund.reason, DUPLICATE_PAYMENT);
    }

    #[test]
    fn an_older_attempt_failing_does_not_fail_the_order() {
        let o = order(
            OrderStatus::Pending,
            vec![
                attempt("a1", AttemptStatus::Pending, None),
                attempt("a2", AttemptStatus::Pending, None),
            ],
        );
        let p = plan(
            &o,
            &entry("a1", AttemptStatus::Failed, "25.00", NOW),
            &Render,
            &FeePlan::default(),
            NOW,
        );
        assert_eq!(transition_of(&p), None);
        let p = plan(
            &o,
            &entry("a2", AttemptStatus::Failed, "25.00", NOW),
            &Render,
            &FeePlan::default(),
            NOW,
        );
        assert_eq!(transition_of(&p), Some(OrderTransition::DeclinePayment));
    }

    #[test]
    fn success_after_failure_needs_an_operator() {
        let o = order(
            OrderStatus::Failed,
            vec![attempt("a1", AttemptStatus::Failed, Some("txn_1"))],
        );
        let p = plan(
            &o,
            &entry("a1", AttemptStatus::Succeeded, "25.00", NOW),
            &Render,
            &FeePlan::default(),
            NOW,
        );
        let InboxPlan::Quarantine { alert } = &p else {
            panic!("{p:?}")
        };
        assert_eq!(alert.kind, alert::CONFLICT);
    }
}
