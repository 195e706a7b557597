//! Orders: created, started, cancelled, expired; each move refused when one of its
//! preconditions fails.

use paydesk_shared::OrderStatus;
use paydesk_shared::payment::AttemptStatus;

use super::fixtures::*;
use crate::domain::event::EventType;
use crate::domain::order::{CancelOutcome, OrderFilter, StartAttemptOutcome};
use crate::store::{CancelOrder, Store};

fn cancel(order: &crate::domain::order::Order, at: i64) -> CancelOrder {
    CancelOrder {
        event: event(
            order,
            &format!("evt_cancel_{at}"),
            EventType::OrderCancelled,
            at,
        ),
        now: at,
        answer: None,
    }
}

pub(crate) async fn a_created_order_reads_back_with_its_items<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    let read = store
        .order(&MERCHANT.into(), &"ord_1".into())
        .await
        .expect("read");
    assert_eq!(read, Some(order.clone()));
    assert_eq!(
        store
            .order(&"mer_other".into(), &"ord_1".into())
            .await
            .expect("read"),
        None
    );
    let listed = store
        .orders(&MERCHANT.into(), &OrderFilter::default(), 10)
        .await
        .expect("list");
    assert_eq!(listed, vec![order]);
}

pub(crate) async fn starting_an_attempt_moves_the_order_once_per_click<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    let first = attempt(store, &order, "att_1", NOW).await;
    assert_eq!(first.status, AttemptStatus::Pending);
    assert_eq!(order_status(store, "ord_1").await, OrderStatus::Pending);
    let again = store
        .start_attempt(new_attempt(&order, "att_other_id", NOW + 5))
        .await
        .expect("start");
    // Same order, same click key: the attempt it already made.
    let mut same_click = new_attempt(&order, "att_1", NOW + 5);
    same_click.id = "att_2".into();
    let repeated = store.start_attempt(same_click).await.expect("start");
    assert!(
        matches!(again, StartAttemptOutcome::Started(_)),
        "{again:?}"
    );
    assert_eq!(repeated, StartAttemptOutcome::Existing(first));
    assert_eq!(
        store
            .attempt_bank(&"att_1".into())
            .await
            .expect("read")
            .as_deref(),
        Some("ICBC")
    );
}

/// `OrderIn(StartAttempt)`: a cancelled order takes no attempt.
pub(crate) async fn no_attempt_starts_on_a_final_order<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    let cancelled = store
        .cancel_order(&cancel(&order, NOW))
        .await
        .expect("cancel");
    assert_eq!(cancelled, CancelOutcome::Cancelled);
    let refused = store
        .start_attempt(new_attempt(&order, "att_1", NOW + 1))
        .await
        .expect("start");
    assert_eq!(
        refused,
        StartAttemptOutcome::NotPayable(OrderStatus::Cancelled)
    );
    assert_eq!(
        store.attempt_bank(&"att_1".into()).await.expect("read"),
        None
    );
}

/// `OrderIn(Cancel)`: a shopper at the bank keeps the order pending.
pub(crate) async fn an_order_at_the_bank_is_not_cancelled<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    attempt(store, &order, "att_1", NOW).await;
    let outcome = store
        .cancel_order(&cancel(&order, NOW + 1))
        .await
        .expect("cancel");
    assert_eq!(outcome, CancelOutcome::NotCancellable(OrderStatus::Pending));
    assert_eq!(store.totals().await.expect("totals").events, 0);
}

/// `OrderNotExpired`: past its expiry an order reads expired and is not cancelled.
pub(crate) async fn an_order_past_its_expiry_is_not_cancelled<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    let late = order.expires_at;
    let outcome = store
        .cancel_order(&cancel(&order, late))
        .await
        .expect("cancel");
    assert_eq!(outcome, CancelOutcome::NotCancellable(OrderStatus::Expired));
    assert_eq!(order_status(store, "ord_1").await, OrderStatus::Created);
}

pub(crate) async fn a_cancelled_order_has_its_event<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    let outcome = store
        .cancel_order(&cancel(&order, NOW))
        .await
        .expect("cancel");
    assert_eq!(outcome, CancelOutcome::Cancelled);
    assert_eq!(order_status(store, "ord_1").await, OrderStatus::Cancelled);
    let stored = store
        .event(&MERCHANT.into(), &format!("evt_cancel_{NOW}").into())
        .await
        .expect("read")
        .expect("the event");
    assert_eq!(
        (stored.kind, stored.sequence),
        (EventType::OrderCancelled, 1)
    );
}

pub(crate) async fn due_orders_expire_with_their_events<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    assert_eq!(
        store.next_order_expiry().await.expect("read"),
        Some(order.expires_at)
    );
    let at = order.expires_at;
    let due = store.expired_unpaid_orders(at, 10).await.expect("read");
    assert_eq!(due.len(), 1);
    let expired = event(&order, "evt_expired", EventType::OrderExpired, at);
    let moved = store.expire_orders(&[expired], at).await.expect("expire");
    assert_eq!(moved, 1);
    assert_eq!(order_status(store, "ord_1").await, OrderStatus::Expired);
    assert_eq!(store.next_order_expiry().await.expect("read"), None);
}

/// The test helpers' "expire now": the expiry comes forward, never back, and only on
/// an order that may still expire.
pub(crate) async fn an_expiry_is_brought_forward_only_while_unpaid<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    let now = order.expires_at - 60_000;
    assert!(store.expire_at(&order.id, now).await.expect("expire at"));
    assert_eq!(store.next_order_expiry().await.expect("read"), Some(now));
    assert!(
        !store
            .expire_at(&order.id, now + 1)
            .await
            .expect("expire at"),
        "an expiry never moves later"
    );
    assert_eq!(
        store
            .expired_unpaid_orders(now, 10)
            .await
            .expect("read")
            .len(),
        1
    );
    let paid = paid_order(store, "ord_2").await;
    assert!(!store.expire_at(&paid.id, now).await.expect("expire at"));
    let unknown = crate::domain::ids::OrderId::from("ord_none");
    assert!(!store.expire_at(&unknown, now).await.expect("expire at"));
}

/// `OrderExpired`: an order is not expired before its time.
pub(crate) async fn an_order_is_not_expired_early<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    let early = order.expires_at - 1;
    let expired = event(&order, "evt_expired", EventType::OrderExpired, early);
    assert_eq!(
        store
            .expire_orders(&[expired], early)
            .await
            .expect("expire"),
        0
    );
    assert_eq!(order_status(store, "ord_1").await, OrderStatus::Created);
    assert_eq!(store.totals().await.expect("totals").events, 0);
}

/// `OrderIn(Expire)`: a paid order never expires.
pub(crate) async fn a_paid_order_does_not_expire<S: Store>(store: &S) {
    let order = paid_order(store, "ord_1").await;
    let at = order.expires_at;
    let expired = event(&order, "evt_expired", EventType::OrderExpired, at);
    assert_eq!(
        store.expire_orders(&[expired], at).await.expect("expire"),
        0
    );
    assert_eq!(order_status(store, "ord_1").await, OrderStatus::Paid);
}

/// `NoEarlierSuccessWaiting`: a success the bank sent in time, not applied yet, keeps
/// the order from expiring (the applier will pay it).
pub(crate) async fn a_success_waiting_in_the_inbox_holds_off_expiry<S: Store>(store: &S) {
    let order = order(store, "ord_1").await;
    attempt(store, &order, "att_1", NOW).await;
    let in_time = signed(
        verdict(&order, "att_1", AttemptStatus::Succeeded),
        "n1",
        NOW + 5,
    );
    received(store, in_time).await;
    let at = order.expires_at;
    let expired = event(&order, "evt_expired", EventType::OrderExpired, at);
    assert_eq!(
        store.expire_orders(&[expired], at).await.expect("expire"),
        0
    );
    assert_eq!(order_status(store, "ord_1").await, OrderStatus::Pending);
}
