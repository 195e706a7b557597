//! What applying a bank verdict does, decided from the order as it stands: the rules
//! for duplicates, verdicts out of order, mismatches and payments that cannot be kept.
//! Pure: the store executes the plan (compare-and-set) in one transaction.

use paydesk_shared::payment::{AttemptStatus, OrderTransition};
use paydesk_shared::{Currency, Money, OrderStatus};

use super::events::order_event;
use crate::ids::new_id;
use crate::store::{InboxEntry, InboxPlan, NewAlert, NewRefund, OrderRecord};

/// Why the gateway gives a payment back.
pub(crate) const LATE_PAYMENT: &str = "late_payment";
pub(crate) const DUPLICATE_PAYMENT: &str = "duplicate_payment";
pub(crate) const ORDER_CANCELLED: &str = "order_cancelled";
pub(crate) const ORDER_NOT_PAYABLE: &str = "order_not_payable";

pub(crate) const ALERT_MISMATCH: &str = "notification_mismatch";
pub(crate) const ALERT_CONFLICT: &str = "verdict_conflict";

/// Plans `entry` against `order` (which must hold the entry's attempt).
pub(crate) fn plan(
    order: &OrderRecord,
    entry: &InboxEntry,
    public_url: &str,
    now: i64,
) -> InboxPlan {
    let v = &entry.verdict;
    let Some(attempt) = order.attempts.iter().find(|a| a.id == v.attempt_id) else {
        return quarantine(
            entry,
            ALERT_MISMATCH,
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
            ALERT_MISMATCH,
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
        (AttemptStatus::Pending, outcome) => decide(order, entry, outcome, public_url, now),
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
            ALERT_CONFLICT,
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
    order: &OrderRecord,
    entry: &InboxEntry,
    outcome: AttemptStatus,
    public_url: &str,
    now: i64,
) -> InboxPlan {
    let v = &entry.verdict;
    let (transition, refund) = match outcome {
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
                id: new_id("rfd"),
                order_id: order.id.clone(),
                attempt_id: v.attempt_id.clone(),
                amount: order.total,
                reason: reason.to_owned(),
                created_at: now,
            };
            (
                payable.then_some(OrderTransition::ConfirmPayment),
                Some(refund),
            )
        }
        _ => {
            let latest =
                order.latest_attempt().map(|a| a.id.as_str()) == Some(v.attempt_id.as_str());
            let moves = order.status == OrderStatus::Pending && latest;
            (moves.then_some(OrderTransition::DeclinePayment), None)
        }
    };
    let mut plan = InboxPlan::Decide {
        outcome,
        failure_reason: v.failure_reason.clone(),
        bank_transaction_id: v.bank_transaction_id.clone(),
        transition,
        event: None,
        refund,
        decided_at: now,
    };
    // The event carries the order as it will be once the plan is applied.
    let mut after = order.clone();
    record(&mut after, entry, &plan);
    if let (InboxPlan::Decide { event, .. }, Some(t)) = (&mut plan, transition) {
        let kind = if t == OrderTransition::ConfirmPayment {
            "order.paid"
        } else {
            "order.failed"
        };
        *event = Some(Box::new(order_event(&after, public_url, kind, now)));
    }
    plan
}

fn quarantine(entry: &InboxEntry, kind: &str, message: String, now: i64) -> InboxPlan {
    InboxPlan::Quarantine {
        alert: NewAlert {
            id: new_id("alr"),
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
pub(crate) fn record(order: &mut OrderRecord, entry: &InboxEntry, plan: &InboxPlan) {
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
    use crate::store::{AttemptRecord, StatedVerdict};
    use paydesk_shared::api::WidgetMode;
    use paydesk_shared::bank::CardKind;

    const NOW: i64 = 1_800_000_000_000;

    fn order(status: OrderStatus, attempts: Vec<AttemptRecord>) -> OrderRecord {
        let total = Money::parse("25.00", Currency::Cny).unwrap();
        OrderRecord {
            id: "ord_1".into(),
            merchant_id: "mer_1".into(),
            status,
            currency: Currency::Cny,
            items: Vec::new(),
            total,
            merchant_reference: "r".into(),
            return_url: "https://shop.example/done".into(),
            client_token: "ct".into(),
            created_at: NOW - 60_000,
            expires_at: NOW + 60_000,
            paid_at: None,
            paid_attempt_id: None,
            attempts,
        }
    }

    fn attempt(id: &str, status: AttemptStatus, txn: Option<&str>) -> AttemptRecord {
        AttemptRecord {
            id: id.into(),
            order_id: "ord_1".into(),
            bank_code: "ICBC".into(),
            card_kind: CardKind::Debit,
            mode: WidgetMode::Embedded,
            status,
            amount: Money::parse("25.00", Currency::Cny).unwrap(),
            failure_reason: None,
            bank_transaction_id: txn.map(Into::into),
            created_at: NOW - 30_000,
            decided_at: None,
        }
    }

    fn entry(attempt: &str, outcome: AttemptStatus, amount: &str, received_at: i64) -> InboxEntry {
        InboxEntry {
            id: 1,
            connector: "sandbox".into(),
            received_at,
            verdict: StatedVerdict {
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
            "http://gw",
            NOW,
        );
        assert_eq!(transition_of(&p), Some(OrderTransition::ConfirmPayment));
        let InboxPlan::Decide { event: Some(e), .. } = &p else {
            panic!("{p:?}")
        };
        assert_eq!(e.kind, "order.paid");
        assert_eq!(e.data.order.status, OrderStatus::Paid);
    }

    #[test]
    fn duplicates_and_a_failure_after_success_change_nothing() {
        let mut o = order(
            OrderStatus::Pending,
            vec![attempt("a1", AttemptStatus::Pending, None)],
        );
        let first = entry("a1", AttemptStatus::Succeeded, "25.00", NOW);
        let p = plan(&o, &first, "http://gw", NOW);
        record(&mut o, &first, &p);
        assert_eq!(o.status, OrderStatus::Paid);
        assert_eq!(plan(&o, &first, "http://gw", NOW), InboxPlan::Duplicate);
        let late_failure = entry("a1", AttemptStatus::Failed, "25.00", NOW);
        assert!(matches!(
            plan(&o, &late_failure, "http://gw", NOW),
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
            let p = plan(&o, &e, "http://gw", NOW);
            let InboxPlan::Quarantine { alert } = &p else {
                panic!("{p:?}")
            };
            assert_eq!(alert.kind, ALERT_MISMATCH);
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
            "http://gw",
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
        assert_eq!(r.reason, LATE_PAYMENT);

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
            "http://gw",
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
        assert_eq!(r.reason, DUPLICATE_PAYMENT);
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
            "http://gw",
            NOW,
        );
        assert_eq!(transition_of(&p), None);
        let p = plan(
            &o,
            &entry("a2", AttemptStatus::Failed, "25.00", NOW),
            "http://gw",
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
            "http://gw",
            NOW,
        );
        let InboxPlan::Quarantine { alert } = &p else {
            panic!("{p:?}")
        };
        assert_eq!(alert.kind, ALERT_CONFLICT);
    }
}
