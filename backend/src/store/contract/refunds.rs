//! Refunds: never more than the payment, decided once, retried while pending.

use super::fixtures::*;
use crate::domain::event::EventType;
use crate::domain::postings;
use crate::domain::refund::{NewRefund, RefundDecision, RefundOutcome, RefundStatus};
use crate::store::{CreateRefund, Store};

fn refund(id: &str, amount: &str, at: i64) -> NewRefund {
    NewRefund {
        id: id.into(),
        order_id: "ord_1".into(),
        attempt_id: "att_paid".into(),
        amount: cny(amount),
        reason: "requested_by_customer".into(),
        created_at: at,
    }
}

async fn create<S: Store>(store: &S, r: NewRefund) -> RefundOutcome {
    let order = store
        .order_by_id(&r.order_id)
        .await
        .expect("read")
        .expect("the order");
    let command = CreateRefund {
        posting: postings::refund(&order, "ICBC", &r),
        refund: r,
        paid: cny("118.00"),
        answer: None,
    };
    store.create_refund(&command).await.expect("refund")
}

/// `RefundsWithinPayment`: refunds add up to the payment at most; the refusal says
/// what is left.
pub(crate) async fn refunds_never_exceed_the_payment<S: Store>(store: &S) {
    paid_order(store, "ord_1").await;
    assert_eq!(
        create(store, refund("rfd_1", "100.00", NOW)).await,
        RefundOutcome::Created
    );
    let over = create(store, refund("rfd_2", "18.01", NOW + 1)).await;
    assert_eq!(
        over,
        RefundOutcome::Exceeds {
            refundable: cny("18.00")
        }
    );
    assert_eq!(
        create(store, refund("rfd_3", "18.00", NOW + 2)).await,
        RefundOutcome::Created
    );
    let refunds = store
        .refunds_for_order(&"ord_1".into())
        .await
        .expect("read");
    let ids: Vec<_> = refunds.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["rfd_1", "rfd_3"]);
    assert!(
        store
            .refund(&MERCHANT.into(), &"rfd_1".into())
            .await
            .expect("read")
            .is_some()
    );
    assert!(
        store
            .refund(&"mer_other".into(), &"rfd_1".into())
            .await
            .expect("read")
            .is_none()
    );
}

pub(crate) async fn a_refund_is_retried_on_its_schedule<S: Store>(store: &S) {
    paid_order(store, "ord_1").await;
    create(store, refund("rfd_1", "10.00", NOW)).await;
    assert_eq!(store.next_refund_due().await.expect("read"), Some(NOW));
    assert_eq!(store.due_refunds(NOW, 10).await.expect("read").len(), 1);
    store
        .retry_refund(&"rfd_1".into(), NOW + 5_000, "bank unreachable")
        .await
        .expect("retry");
    assert!(
        store
            .due_refunds(NOW + 4_999, 10)
            .await
            .expect("read")
            .is_empty()
    );
    let due = store.due_refunds(NOW + 5_000, 10).await.expect("read");
    assert_eq!(
        (due[0].tries, due[0].failure_reason.as_deref()),
        (1, Some("bank unreachable"))
    );
}

/// `RefundPending`: the bank's final word is recorded once, with its event; a late
/// retry or second decision changes nothing.
pub(crate) async fn a_refund_is_decided_once<S: Store>(store: &S) {
    let order = paid_order(store, "ord_1").await;
    create(store, refund("rfd_1", "10.00", NOW)).await;
    let decision = |event_id: &str, status| RefundDecision {
        refund_id: "rfd_1".into(),
        status,
        bank_refund_id: Some("R-1".into()),
        failure_reason: None,
        decided_at: NOW + 10,
        event: event(&order, event_id, EventType::RefundSucceeded, NOW + 10),
        alert: None,
        reversal: None,
    };
    let first = decision("evt_r1", RefundStatus::Succeeded);
    assert!(store.decide_refund(&first).await.expect("decided"));
    let second = decision("evt_r2", RefundStatus::Failed);
    assert!(!store.decide_refund(&second).await.expect("read"));
    store
        .retry_refund(&"rfd_1".into(), NOW + 20, "late retry")
        .await
        .expect("retry");
    let stored = store
        .refund(&MERCHANT.into(), &"rfd_1".into())
        .await
        .expect("read")
        .expect("refund");
    assert_eq!(stored.status, RefundStatus::Succeeded);
    assert_eq!((stored.tries, stored.failure_reason), (1, None));
    assert!(
        store
            .event(&MERCHANT.into(), &"evt_r1".into())
            .await
            .expect("read")
            .is_some()
    );
    assert!(
        store
            .event(&MERCHANT.into(), &"evt_r2".into())
            .await
            .expect("read")
            .is_none()
    );
    assert_eq!(store.next_refund_due().await.expect("read"), None);
}
