//! Domain types → the JSON shapes of `paydesk_shared::api`. No rules here.

use paydesk_shared::OrderStatus;
use paydesk_shared::api::{
    AttemptResponse, LineItem, OrderResponse, RefundResponse, WidgetAttempt, WidgetOrder,
    WidgetStatus,
};
use paydesk_shared::balance_api::{PayoutDestination, PayoutResponse, SettlementResponse};

use crate::domain::payout::{Payout, PayoutStatus};
use crate::domain::refund::{Refund, RefundStatus};
use crate::domain::settlement::Settlement;
use crate::domain::time::{Millis, rfc3339};

use crate::domain::ids;
use crate::domain::order::{Attempt, Item, Order};

/// RFC 3339 in UTC, millisecond precision.
pub(crate) fn timestamp(at: Millis) -> String {
    rfc3339(at)
}

pub(crate) fn line_items(items: &[Item]) -> Vec<LineItem> {
    items.iter().map(Item::to_line_item).collect()
}

/// The gateway's hosted checkout page for an order.
pub(crate) fn hosted_url(public_url: &str, client_token: &str) -> String {
    format!("{public_url}/pay/{client_token}")
}

/// The shopper's receipt for an order; it shows only once the order is paid.
pub(crate) fn receipt_url(public_url: &str, order: &Order) -> String {
    let token = ids::receipt_token(&order.id, &order.client_token);
    format!("{public_url}/receipts/{token}")
}

/// The receipt's URL if the order is paid, as every API answer gives it.
fn paid_receipt_url(public_url: &str, order: &Order, status: OrderStatus) -> Option<String> {
    (status == OrderStatus::Paid).then(|| receipt_url(public_url, order))
}

pub(crate) fn order_response(order: &Order, public_url: &str, now_ms: i64) -> OrderResponse {
    let status = order.status_at(now_ms);
    OrderResponse {
        id: order.id.to_string(),
        status,
        currency: order.currency,
        items: line_items(&order.items),
        total: order.total.to_string(),
        merchant_reference: order.merchant_reference.clone(),
        return_url: order.return_url.clone(),
        client_token: order.client_token.clone(),
        hosted_url: hosted_url(public_url, &order.client_token),
        receipt_url: paid_receipt_url(public_url, order, status),
        created_at: timestamp(order.created_at),
        expires_at: timestamp(order.expires_at),
        attempts: order.attempts.iter().map(attempt_response).collect(),
    }
}

/// The answer `POST /v1/orders` gave: the order as it was when created. A replay of
/// the same request renders the same bytes from the stored order.
pub(crate) fn created_order_response(order: &Order, public_url: &str) -> OrderResponse {
    let mut created = order.clone();
    created.status = OrderStatus::Created;
    created.attempts.clear();
    created.paid_at = None;
    created.paid_attempt_id = None;
    order_response(&created, public_url, order.created_at)
}

fn attempt_response(a: &Attempt) -> AttemptResponse {
    AttemptResponse {
        id: a.id.to_string(),
        bank_code: a.bank_code.clone(),
        card_kind: a.card_kind,
        status: a.status,
        failure_reason: a.failure_reason.clone(),
        bank_transaction_id: a.bank_transaction_id.clone(),
        created_at: timestamp(a.created_at),
    }
}

fn widget_attempt(a: &Attempt) -> WidgetAttempt {
    WidgetAttempt {
        bank_code: a.bank_code.clone(),
        card_kind: a.card_kind,
        status: a.status,
        failure_reason: a.failure_reason.clone(),
    }
}

pub(crate) fn widget_order(
    order: &Order,
    merchant_name: &str,
    public_url: &str,
    now_ms: i64,
) -> WidgetOrder {
    let status = order.status_at(now_ms);
    WidgetOrder {
        id: order.id.to_string(),
        merchant_name: merchant_name.to_owned(),
        status,
        currency: order.currency,
        items: line_items(&order.items),
        total: order.total.to_string(),
        expires_at: timestamp(order.expires_at),
        last_attempt: order.latest_attempt().map(widget_attempt),
        receipt_url: paid_receipt_url(public_url, order, status),
        awaiting_bank: order.awaiting_bank(),
        extra_payment_refunded: order.extra_payment().is_some(),
    }
}

pub(crate) fn widget_status(order: &Order, public_url: &str, now_ms: i64) -> WidgetStatus {
    let status = order.status_at(now_ms);
    WidgetStatus {
        order_id: order.id.to_string(),
        status,
        last_attempt: order.latest_attempt().map(widget_attempt),
        receipt_url: paid_receipt_url(public_url, order, status),
        awaiting_bank: order.awaiting_bank(),
        extra_payment_refunded: order.extra_payment().is_some(),
    }
}

pub(crate) fn refund_response(r: &Refund) -> RefundResponse {
    RefundResponse {
        id: r.id.to_string(),
        order_id: r.order_id.to_string(),
        attempt_id: r.attempt_id.to_string(),
        amount: r.amount.to_string(),
        currency: r.amount.currency(),
        reason: r.reason.clone(),
        status: r.status.as_str().to_owned(),
        // While pending it holds the last retry's error: the operator's, not the merchant's.
        failure_reason: r
            .failure_reason
            .clone()
            .filter(|_| r.status == RefundStatus::Failed),
        created_at: timestamp(r.created_at),
        decided_at: r.decided_at.map(timestamp),
    }
}

pub(crate) fn settlement_response(s: &Settlement) -> SettlementResponse {
    SettlementResponse {
        id: s.id.to_string(),
        object: "settlement".into(),
        currency: s.currency,
        net: major(s.net, s.currency),
        count: s.count,
        run_date: s.run_date.clone(),
        created_at: timestamp(s.created_at),
    }
}

pub(crate) fn payout_response(p: &Payout) -> PayoutResponse {
    PayoutResponse {
        id: p.id.to_string(),
        object: "payout".into(),
        amount: p.amount.to_string(),
        currency: p.amount.currency(),
        status: p.status.as_str().into(),
        automatic: p.automatic,
        destination: PayoutDestination {
            bank: p.destination.bank.clone(),
            account_number: p.destination.account_number.clone(),
        },
        bank_transfer_id: p.bank_transfer_id.clone(),
        // While in transit it holds the last retry's error: the operator's.
        failure_reason: p
            .failure_reason
            .clone()
            .filter(|_| p.status == PayoutStatus::Failed),
        created_at: timestamp(p.created_at),
        decided_at: p.decided_at.map(timestamp),
    }
}

/// Signed minor units as a decimal string in major units (`-1234` CNY → `"-12.34"`).
pub(crate) fn major(minor: i64, currency: paydesk_shared::Currency) -> String {
    rust_decimal::Decimal::new(minor, currency.minor_units()).to_string()
}
