//! What the contract's checks are made of: a merchant, its orders and attempts, bank
//! verdicts, plans, events and endpoints, built through the store under test.

use paydesk_shared::api::WidgetMode;
use paydesk_shared::bank::CardKind;
use paydesk_shared::order::DraftItem;
use paydesk_shared::payment::{AttemptStatus, OrderTransition};
use paydesk_shared::{Currency, Money, OrderStatus};

use crate::domain::event::{EventType, NewEvent};
use crate::domain::fee::FeePlan;
use crate::domain::merchant::{Merchant, MerchantKey, SettlementAccount};
use crate::domain::order::{Attempt, NewAttempt, NewOrder, Order, StartAttemptOutcome};
use crate::domain::time::Millis;
use crate::domain::verdict::{
    Applied, InboxEntry, InboxPlan, NewInboxEntry, PlannedEntry, ReceiveOutcome, SignatureFacts,
    Verdict, VerdictSource,
};
use crate::domain::webhook::{EndpointStatus, WebhookEndpoint};
use crate::store::{CreateOrder, SaveEndpoint, Store};

pub(crate) const NOW: Millis = 1_800_000_000_000;
/// Orders made by [`order`] expire this long after `NOW`.
pub(crate) const TTL: Millis = 15 * 60 * 1000;
pub(crate) const MERCHANT: &str = "mer_contract";
/// The card every verdict [`received`] stores names.
pub(crate) const CARD_LAST4: &str = "4242";

pub(crate) fn cny(amount: &str) -> Money {
    Money::parse(amount, Currency::Cny).expect("a CNY amount")
}

pub(crate) fn merchant(id: &str) -> Merchant {
    Merchant {
        id: id.into(),
        name: format!("Merchant {id}"),
        return_urls: vec!["https://shop.example/done".into()],
        settlement_account: Some(SettlementAccount {
            bank: "ICBC".into(),
            account_number: "6222000011112222".into(),
        }),
        fee_plan: FeePlan::default(),
        created_at: NOW,
    }
}

pub(crate) fn key(id: &str, merchant_id: &str) -> MerchantKey {
    MerchantKey {
        id: id.into(),
        merchant_id: merchant_id.into(),
        key_hash: format!("hash-of-{id}"),
        last4: "abcd".into(),
        created_at: NOW,
        revoked_at: None,
    }
}

pub(crate) fn new_order(id: &str, merchant_id: &str) -> NewOrder {
    let items = vec![
        DraftItem {
            name: "Longjing tea".into(),
            quantity: 2,
            unit_price: cny("25.00"),
            line_total: cny("50.00"),
            image_url: None,
        },
        DraftItem {
            name: "Celadon cup".into(),
            quantity: 1,
            unit_price: cny("68.00"),
            line_total: cny("68.00"),
            image_url: Some("https://shop.example/cup.svg".into()),
        },
    ];
    NewOrder {
        id: id.into(),
        merchant_id: merchant_id.into(),
        currency: Currency::Cny,
        items,
        total: cny("118.00"),
        merchant_reference: format!("ref-{id}"),
        return_url: "https://shop.example/done".into(),
        client_token: format!("ct_{id}"),
        created_at: NOW,
        expires_at: NOW + TTL,
    }
}

/// A merchant and one of its orders, stored.
pub(crate) async fn order<S: Store>(store: &S, id: &str) -> Order {
    if store
        .merchant(&MERCHANT.into())
        .await
        .expect("read")
        .is_none()
    {
        store
            .upsert_merchant(&merchant(MERCHANT))
            .await
            .expect("merchant stored");
    }
    let new = new_order(id, MERCHANT);
    store
        .create_order(CreateOrder {
            order: new.clone(),
            answer: None,
        })
        .await
        .expect("order stored");
    new.to_order()
}

pub(crate) fn new_attempt(order: &Order, id: &str, at: Millis) -> NewAttempt {
    NewAttempt {
        id: id.into(),
        order_id: order.id.clone(),
        bank_code: "ICBC".into(),
        card_kind: CardKind::Debit,
        mode: WidgetMode::Embedded,
        amount: order.total,
        idempotency_key: format!("click-{id}"),
        created_at: at,
        first_query_at: at + 30_000,
    }
}

/// An attempt started on `order`; the order is pending.
pub(crate) async fn attempt<S: Store>(store: &S, order: &Order, id: &str, at: Millis) -> Attempt {
    match store
        .start_attempt(new_attempt(order, id, at))
        .await
        .expect("attempt stored")
    {
        StartAttemptOutcome::Started(a) => a,
        other => panic!("attempt {id} did not start: {other:?}"),
    }
}

pub(crate) fn verdict(order: &Order, attempt: &str, outcome: AttemptStatus) -> Verdict {
    Verdict {
        attempt_id: attempt.into(),
        order_id: order.id.clone(),
        bank_code: "ICBC".into(),
        bank_transaction_id: Some(format!("SBX-{attempt}")),
        amount: order.total.to_string(),
        currency: "CNY".into(),
        outcome,
        failure_reason: (outcome == AttemptStatus::Failed).then(|| "insufficient_funds".into()),
    }
}

pub(crate) fn signed(verdict: Verdict, nonce: &str, at: Millis) -> NewInboxEntry {
    NewInboxEntry {
        connector: "sandbox".into(),
        source: VerdictSource::Notification,
        signature: Some(SignatureFacts {
            key_id: "bank-1".into(),
            signed_at: at / 1000,
            nonce: nonce.into(),
            remember_until: at + 600_000,
        }),
        verdict,
        body: "{}".into(),
        received_at: at,
    }
}

/// Stores a signed verdict naming card [`CARD_LAST4`] and reads it back from the inbox.
pub(crate) async fn received<S: Store>(store: &S, entry: NewInboxEntry) -> InboxEntry {
    let ReceiveOutcome::Stored { inbox_id } = store
        .receive_verdict(entry, Some(CARD_LAST4.into()))
        .await
        .expect("stored")
    else {
        panic!("the verdict was taken for a replay");
    };
    store
        .unapplied_verdicts(1000)
        .await
        .expect("inbox read")
        .into_iter()
        .find(|e| e.id == inbox_id)
        .expect("the stored verdict waits to be applied")
}

/// Decides the entry's attempt as it says, moving the order by `transition`.
pub(crate) fn decide(
    entry: InboxEntry,
    transition: Option<OrderTransition>,
    event: Option<NewEvent>,
) -> PlannedEntry {
    let v = &entry.verdict;
    let plan = InboxPlan::Decide {
        outcome: v.outcome,
        failure_reason: v.failure_reason.clone(),
        bank_transaction_id: v.bank_transaction_id.clone(),
        card_last4: entry.card_last4.clone(),
        transition,
        event: event.map(Box::new),
        payment: None,
        refund: None,
        decided_at: entry.received_at,
    };
    PlannedEntry { entry, plan }
}

pub(crate) fn event(order: &Order, id: &str, kind: EventType, at: Millis) -> NewEvent {
    NewEvent {
        id: id.into(),
        merchant_id: order.merchant_id.clone(),
        subject: order.id.to_string(),
        kind,
        data: format!(r#"{{"order":{{"id":"{}"}}}}"#, order.id),
        created_at: at,
    }
}

/// What a bank said of one attempt, in a message signed with `nonce` that arrived `at`.
pub(crate) struct BankSaid<'a> {
    pub(crate) attempt: &'a str,
    pub(crate) outcome: AttemptStatus,
    pub(crate) nonce: &'a str,
    pub(crate) at: Millis,
}

/// Stores what the bank said and applies it: the attempt decided, the order moved by
/// `transition` if its preconditions hold.
pub(crate) async fn apply_said<S: Store>(
    store: &S,
    order: &Order,
    said: BankSaid<'_>,
    transition: Option<OrderTransition>,
) -> Applied {
    let v = verdict(order, said.attempt, said.outcome);
    let entry = received(store, signed(v, said.nonce, said.at)).await;
    let applied = store
        .apply_verdicts(&[decide(entry, transition, None)], said.at)
        .await
        .expect("applied");
    applied[0]
}

/// The order's stored status.
pub(crate) async fn order_status<S: Store>(store: &S, id: &str) -> OrderStatus {
    store
        .order_by_id(&id.into())
        .await
        .expect("read")
        .expect("the order")
        .status
}

/// An order paid by attempt `att_paid`, its verdict applied.
pub(crate) async fn paid_order<S: Store>(store: &S, id: &str) -> Order {
    let order = order(store, id).await;
    attempt(store, &order, "att_paid", NOW).await;
    let said = BankSaid {
        attempt: "att_paid",
        outcome: AttemptStatus::Succeeded,
        nonce: "n-paid",
        at: NOW + 1,
    };
    apply_said(store, &order, said, Some(OrderTransition::ConfirmPayment)).await;
    store
        .order_by_id(&id.into())
        .await
        .expect("read")
        .expect("the order")
}

pub(crate) fn endpoint(id: &str, status: EndpointStatus) -> WebhookEndpoint {
    WebhookEndpoint {
        id: id.into(),
        merchant_id: MERCHANT.into(),
        url: "https://shop.example/webhooks".into(),
        event_types: vec!["*".into()],
        description: None,
        secret: "whsec_one".into(),
        previous_secret: None,
        previous_secret_until: None,
        status,
        disabled_reason: None,
        created_at: NOW,
        updated_at: NOW,
    }
}

pub(crate) async fn save_endpoint<S: Store>(store: &S, endpoint: WebhookEndpoint) {
    store
        .save_webhook_endpoint(&SaveEndpoint {
            endpoint,
            answer: None,
        })
        .await
        .expect("endpoint saved");
}
