//! The ledger: postings go in with their causes, once per cause, and every balance is
//! derived from entries and agrees with the merchant's balance transactions.

use std::collections::HashMap;

use paydesk_shared::Currency;
use paydesk_shared::payment::{AttemptStatus, OrderTransition};

use super::fixtures::*;
use crate::domain::balance::{BalanceFilter, BalanceKind};
use crate::domain::event::EventType;
use crate::domain::ledger::Account;
use crate::domain::order::Order;
use crate::domain::postings;
use crate::domain::refund::{NewRefund, Refund, RefundDecision, RefundOutcome, RefundStatus};
use crate::domain::verdict::InboxPlan;
use crate::store::{CreateRefund, Store};

/// An order paid by `att_<id>` with its payment posted, as the applier plans it.
async fn paid_with_posting<S: Store>(store: &S, id: &str) -> Order {
    let order = order(store, id).await;
    let attempt_id = format!("att_{id}");
    let attempt = attempt(store, &order, &attempt_id, NOW).await;
    let v = verdict(&order, &attempt_id, AttemptStatus::Succeeded);
    let entry = received(store, signed(v, &format!("n-{id}"), NOW + 1)).await;
    let mut planned = decide(entry, Some(OrderTransition::ConfirmPayment), None);
    let fee = merchant(MERCHANT)
        .fee_plan
        .fee(attempt.amount, attempt.card_kind);
    if let InboxPlan::Decide { payment, .. } = &mut planned.plan {
        *payment = Some(Box::new(postings::payment(&order, &attempt, fee, NOW + 1)));
    }
    store
        .apply_verdicts(&[planned], NOW + 1)
        .await
        .expect("applied");
    store
        .order_by_id(&id.into())
        .await
        .expect("read")
        .expect("the order")
}

fn new_refund(order: &Order, id: &str, amount: &str) -> NewRefund {
    NewRefund {
        id: id.into(),
        order_id: order.id.clone(),
        attempt_id: order.paid_attempt_id.clone().expect("paid"),
        amount: cny(amount),
        reason: "requested_by_customer".into(),
        created_at: NOW + 2,
    }
}

async fn refund<S: Store>(store: &S, order: &Order, r: &NewRefund) -> RefundOutcome {
    let command = CreateRefund {
        refund: r.clone(),
        paid: order.total,
        posting: postings::refund(order, "ICBC", r),
        answer: None,
    };
    store.create_refund(&command).await.expect("refund")
}

/// Per account and currency, from the trial balance.
async fn books<S: Store>(store: &S) -> HashMap<(String, Currency), i64> {
    store
        .trial_balance()
        .await
        .expect("read")
        .into_iter()
        .map(|b| ((b.account.to_string(), b.currency), b.minor))
        .collect()
}

/// The books balance, and the merchant's balance (from entries) equals the sum of its
/// balance transactions' net, per currency.
async fn assert_consistent<S: Store>(store: &S) {
    let mut per_currency: HashMap<Currency, i64> = HashMap::new();
    for ((_, currency), minor) in books(store).await {
        *per_currency.entry(currency).or_default() += minor;
    }
    assert!(
        per_currency.values().all(|&sum| sum == 0),
        "{per_currency:?}"
    );
    let merchant = MERCHANT.into();
    let all = BalanceFilter {
        limit: 1000,
        ..BalanceFilter::default()
    };
    let lines = store
        .balance_transactions(&merchant, &all)
        .await
        .expect("read");
    for b in store.balances(&merchant).await.expect("read") {
        let net: i64 = lines
            .iter()
            .filter(|l| l.currency == b.currency)
            .map(|l| l.net)
            .sum();
        assert_eq!(b.available + b.pending, net, "{b:?}");
    }
}

/// A kept payment owes the merchant its net and the gateway its fee, with the
/// merchant's balance transaction, in the transaction that pays the order.
pub(crate) async fn a_kept_payment_is_posted_with_its_balance_transaction<S: Store>(store: &S) {
    let order = paid_with_posting(store, "ord_1").await;
    assert_eq!(order.status, paydesk_shared::OrderStatus::Paid);
    // 118.00 on a debit card at 0.6%: 0.708 → 0.71.
    let books = books(store).await;
    assert_eq!(books[&("bank_clearing:ICBC".into(), Currency::Cny)], 11800);
    assert_eq!(books[&("fee_revenue".into(), Currency::Cny)], -71);
    let pending = Account::MerchantPending(MERCHANT.into()).to_string();
    assert_eq!(books[&(pending, Currency::Cny)], -11729);
    let balances = store.balances(&MERCHANT.into()).await.expect("read");
    assert_eq!(
        balances
            .iter()
            .map(|b| (b.currency, b.available, b.pending))
            .collect::<Vec<_>>(),
        vec![(Currency::Cny, 0, 11729)]
    );
    let filter = BalanceFilter {
        limit: 10,
        ..BalanceFilter::default()
    };
    let lines = store
        .balance_transactions(&MERCHANT.into(), &filter)
        .await
        .expect("read");
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(
        (
            line.kind,
            line.amount,
            line.fee,
            line.net,
            line.source.as_str()
        ),
        (BalanceKind::Payment, 11800, 71, 11729, "ord_1")
    );
    assert_consistent(store).await;
}

/// Posting the same cause twice posts once: a second refund command carrying the
/// first one's posting stores its refund but moves no money again.
pub(crate) async fn a_cause_is_posted_once<S: Store>(store: &S) {
    let order = paid_with_posting(store, "ord_1").await;
    let first = new_refund(&order, "rfd_1", "10.00");
    assert_eq!(refund(store, &order, &first).await, RefundOutcome::Created);
    let before = books(store).await;
    let command = CreateRefund {
        refund: new_refund(&order, "rfd_2", "10.00"),
        paid: order.total,
        posting: postings::refund(&order, "ICBC", &first),
        answer: None,
    };
    assert_eq!(
        store.create_refund(&command).await.expect("refund"),
        RefundOutcome::Created
    );
    assert_eq!(books(store).await, before);
    assert_consistent(store).await;
}

/// Refunds come out of the merchant's balance (below zero if need be) and a refund
/// the bank refuses puts its money back; the books balance throughout.
pub(crate) async fn refunds_and_their_failures_move_the_merchant_balance<S: Store>(store: &S) {
    let order = paid_with_posting(store, "ord_1").await;
    let whole = new_refund(&order, "rfd_1", "118.00");
    assert_eq!(refund(store, &order, &whole).await, RefundOutcome::Created);
    let balance = store.balances(&MERCHANT.into()).await.expect("read");
    assert_eq!(
        balance[0].pending, -71,
        "the fee is kept: the balance goes negative"
    );
    assert_consistent(store).await;
    let stored: Refund = store
        .refund(&MERCHANT.into(), &"rfd_1".into())
        .await
        .expect("read")
        .expect("the refund");
    let (failed, _, alert) = stored.decided(Err("account closed".into()), NOW + 3);
    let decision = RefundDecision {
        refund_id: failed.id.clone(),
        status: RefundStatus::Failed,
        bank_refund_id: None,
        failure_reason: failed.failure_reason.clone(),
        decided_at: NOW + 3,
        event: event(&order, "evt_rf", EventType::RefundFailed, NOW + 3),
        alert,
        reversal: Some(postings::refund_failure(&order, &failed, NOW + 3)),
    };
    assert!(store.decide_refund(&decision).await.expect("decided"));
    let balance = store.balances(&MERCHANT.into()).await.expect("read");
    assert_eq!(
        balance[0].pending, 11729,
        "the failed refund's money is back"
    );
    let kinds: Vec<BalanceKind> = store
        .balance_transactions(
            &MERCHANT.into(),
            &BalanceFilter {
                limit: 10,
                ..BalanceFilter::default()
            },
        )
        .await
        .expect("read")
        .into_iter()
        .map(|l| l.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            BalanceKind::RefundFailure,
            BalanceKind::Refund,
            BalanceKind::Payment
        ]
    );
    assert_eq!(
        books(store).await[&("bank_clearing:ICBC".into(), Currency::Cny)],
        11800
    );
    assert_consistent(store).await;
}

/// Balance transactions page newest first after a cursor, and filter by type.
pub(crate) async fn balance_transactions_page_and_filter<S: Store>(store: &S) {
    for id in ["ord_1", "ord_2", "ord_3"] {
        paid_with_posting(store, id).await;
    }
    let order = store
        .order_by_id(&"ord_2".into())
        .await
        .expect("read")
        .expect("the order");
    refund(store, &order, &new_refund(&order, "rfd_1", "1.00")).await;
    let merchant = MERCHANT.into();
    let page = |starting_after, kind| BalanceFilter {
        kind,
        starting_after,
        limit: 2,
        ..BalanceFilter::default()
    };
    let first = store
        .balance_transactions(&merchant, &page(None, None))
        .await
        .expect("read");
    assert_eq!(
        first.iter().map(|l| l.source.as_str()).collect::<Vec<_>>(),
        vec!["rfd_1", "ord_3"]
    );
    let next = store
        .balance_transactions(&merchant, &page(Some(first[1].id.clone()), None))
        .await
        .expect("read");
    assert_eq!(
        next.iter().map(|l| l.source.as_str()).collect::<Vec<_>>(),
        vec!["ord_2", "ord_1"]
    );
    let refunds = store
        .balance_transactions(&merchant, &page(None, Some(BalanceKind::Refund)))
        .await
        .expect("read");
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount, -100);
    let other = store
        .balance_transactions(&"mer_other".into(), &page(None, None))
        .await
        .expect("read");
    assert!(other.is_empty(), "another merchant sees none");
}
