//! Bank verdicts: stored once per signed message, applied by plan, each move of the
//! order refused when one of its preconditions fails.

use paydesk_shared::OrderStatus;
use paydesk_shared::payment::{AttemptStatus, OrderTransition};

use super::fixtures::*;
use crate::domain::event::EventType;
use crate::domain::verdict::{Applied, InboxCounts, ReceiveOutcome};
use crate::store::{Store, StoreError};

const CONFIRM: Option<OrderTransition> = Some(OrderTransition::ConfirmPayment);
const DECLINE: Option<OrderTransition> = Some(OrderTransition::DeclinePayment);

fn said(
    attempt: &'static str,
    outcome: AttemptStatus,
    nonce: &'static str,
    at: i64,
) -> BankSaid<'static> {
    BankSaid {
        attempt,
        outcome,
        nonce,
        at,
    }
}

pub(crate) async fn a_confirmed_payment_pays_the_order_with_its_event<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    attempt(store, &order, "att_1", NOW).await;
    let entry = received(
        store,
        signed(
            verdict(&order, "att_1", AttemptStatus::Succeeded),
            "n1",
            NOW + 1,
        ),
    )
    .await;
    let paid = event(&order, "evt_paid", EventType::OrderPaid, NOW + 1);
    let applied = store
        .apply_verdicts(
            &[decide(
                entry,
                Some(OrderTransition::ConfirmPayment),
                Some(paid),
            )],
            NOW + 2,
        )
        .await
        .expect("applied");
    assert_eq!(
        applied,
        vec![Applied {
            order_moved: true,
            ..Applied::default()
        }]
    );
    let read = store
        .order_by_id(&"ord_1".into())
        .await
        .expect("read")
        .expect("order");
    assert_eq!(read.status, OrderStatus::Paid);
    assert_eq!(read.paid_attempt_id.as_deref(), Some("att_1"));
    assert_eq!(read.attempts[0].status, AttemptStatus::Succeeded);
    assert_eq!(
        read.attempts[0].bank_transaction_id.as_deref(),
        Some("SBX-att_1")
    );
    // The card the bank named lands on the attempt; an unknown attempt has none.
    assert_eq!(
        store
            .attempt_card_last4(&"att_1".into())
            .await
            .expect("read")
            .as_deref(),
        Some(CARD_LAST4)
    );
    assert_eq!(
        store
            .attempt_card_last4(&"att_unknown".into())
            .await
            .expect("read"),
        None
    );
    assert!(
        store
            .event(&MERCHANT.into(), &"evt_paid".into())
            .await
            .expect("read")
            .is_some()
    );
    let counts = store.inbox_counts().await.expect("counts");
    assert_eq!(
        counts,
        InboxCounts {
            applied: 1,
            ..InboxCounts::default()
        }
    );
}

/// `NonceUnseen`: a signed message arriving twice is stored once.
pub(crate) async fn a_replayed_nonce_is_refused<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    attempt(store, &order, "att_1", NOW).await;
    let v = verdict(&order, "att_1", AttemptStatus::Succeeded);
    let first = store
        .receive_verdict(signed(v.clone(), "n1", NOW), None)
        .await
        .expect("stored");
    assert!(matches!(first, ReceiveOutcome::Stored { .. }));
    let again = store
        .receive_verdict(signed(v, "n1", NOW + 1), None)
        .await
        .expect("read");
    assert_eq!(again, ReceiveOutcome::Replayed);
    assert_eq!(store.unapplied_verdicts(10).await.expect("inbox").len(), 1);
}

pub(crate) async fn expired_nonces_are_forgotten<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    attempt(store, &order, "att_1", NOW).await;
    let v = verdict(&order, "att_1", AttemptStatus::Succeeded);
    let entry = signed(v.clone(), "n1", NOW);
    let remembered_until = entry.signature.as_ref().expect("signed").remember_until;
    store.receive_verdict(entry, None).await.expect("stored");
    assert_eq!(
        store.prune_nonces(remembered_until).await.expect("prune"),
        0
    );
    assert_eq!(
        store
            .prune_nonces(remembered_until + 1)
            .await
            .expect("prune"),
        1
    );
    let after = store
        .receive_verdict(signed(v, "n1", NOW), None)
        .await
        .expect("stored");
    assert!(matches!(after, ReceiveOutcome::Stored { .. }), "{after:?}");
}

/// `AttemptPending`: a plan made for a pending attempt decided meanwhile is refused
/// whole, so the caller plans again.
pub(crate) async fn a_decided_attempt_is_not_decided_again<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    attempt(store, &order, "att_1", NOW).await;
    let v = verdict(&order, "att_1", AttemptStatus::Succeeded);
    let first = received(store, signed(v.clone(), "n1", NOW + 1)).await;
    let second = received(store, signed(v, "n2", NOW + 2)).await;
    let confirm = Some(OrderTransition::ConfirmPayment);
    store
        .apply_verdicts(&[decide(first, confirm, None)], NOW + 3)
        .await
        .expect("applied");
    let stale = store
        .apply_verdicts(&[decide(second, confirm, None)], NOW + 4)
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
    assert_eq!(store.unapplied_verdicts(10).await.expect("inbox").len(), 1);
}

/// `VerdictBeforeExpiry`: a success that arrived after the order expired decides the
/// attempt but does not pay the order.
pub(crate) async fn a_success_after_expiry_does_not_pay<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    attempt(store, &order, "att_1", NOW).await;
    let late = order.expires_at;
    let success = said("att_1", AttemptStatus::Succeeded, "n1", late);
    let applied = apply_said(store, &order, success, CONFIRM).await;
    assert!(!applied.order_moved);
    assert_eq!(order_status(store, "ord_1").await, OrderStatus::Pending);
}

/// An order paid by `att_1` while `att_2`, started after it, is still at the bank.
async fn paid_with_a_second_attempt_open<S: Store>(store: &S) -> crate::domain::order::Order {
    let order = order(store, "ord_1").await;
    attempt(store, &order, "att_1", NOW).await;
    attempt(store, &order, "att_2", NOW + 1).await;
    let success = said("att_1", AttemptStatus::Succeeded, "n1", NOW + 2);
    apply_said(store, &order, success, CONFIRM).await;
    assert_eq!(order_status(store, "ord_1").await, OrderStatus::Paid);
    order
}

/// `OrderIn(ConfirmPayment)`: a second success decides its attempt but does not pay
/// the order again.
pub(crate) async fn a_paid_order_is_not_paid_twice<S: Store>(store: &S) {
    let order = paid_with_a_second_attempt_open(store).await;
    let second = said("att_2", AttemptStatus::Succeeded, "n2", NOW + 3);
    let applied = apply_said(store, &order, second, CONFIRM).await;
    assert!(!applied.order_moved);
    let read = store
        .order_by_id(&"ord_1".into())
        .await
        .expect("read")
        .expect("order");
    assert_eq!(read.paid_attempt_id.as_deref(), Some("att_1"));
    assert_eq!(read.attempts[1].status, AttemptStatus::Succeeded);
}

/// `OrderIn(DeclinePayment)`: a decline of the latest attempt does not fail a paid
/// order.
pub(crate) async fn a_decline_does_not_fail_a_paid_order<S: Store>(store: &S) {
    let order = paid_with_a_second_attempt_open(store).await;
    let decline = said("att_2", AttemptStatus::Failed, "n2", NOW + 3);
    let applied = apply_said(store, &order, decline, DECLINE).await;
    assert!(!applied.order_moved);
    assert_eq!(order_status(store, "ord_1").await, OrderStatus::Paid);
}

/// `LatestAttempt`: an older attempt failing does not fail the order while a newer one
/// runs; the newer one failing does.
pub(crate) async fn only_the_latest_attempt_fails_the_order<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    attempt(store, &order, "att_1", NOW).await;
    attempt(store, &order, "att_2", NOW + 1).await;
    let older = said("att_1", AttemptStatus::Failed, "n1", NOW + 2);
    let applied = apply_said(store, &order, older, DECLINE).await;
    assert!(!applied.order_moved);
    assert_eq!(order_status(store, "ord_1").await, OrderStatus::Pending);
    let latest = said("att_2", AttemptStatus::Failed, "n2", NOW + 3);
    let applied = apply_said(store, &order, latest, DECLINE).await;
    assert!(applied.order_moved);
    assert_eq!(order_status(store, "ord_1").await, OrderStatus::Failed);
}

pub(crate) async fn status_queries_are_scheduled_until_a_verdict<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    attempt(store, &order, "att_1", NOW).await;
    let first = NOW + 30_000;
    assert_eq!(store.next_query_due().await.expect("read"), Some(first));
    assert!(
        store
            .due_queries(first - 1, 10)
            .await
            .expect("read")
            .is_empty()
    );
    let due = store.due_queries(first, 10).await.expect("read");
    assert_eq!((due.len(), due[0].queries), (1, 0));
    store
        .reschedule_query(&"att_1".into(), first + 60_000)
        .await
        .expect("rescheduled");
    let later = store.due_queries(first + 60_000, 10).await.expect("read");
    assert_eq!(later[0].queries, 1);
    let decline = said("att_1", AttemptStatus::Failed, "n1", NOW + 1);
    apply_said(store, &order, decline, DECLINE).await;
    assert_eq!(store.next_query_due().await.expect("read"), None);
}
