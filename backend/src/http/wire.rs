//! Stored records → the JSON shapes of `paydesk_shared::api`.

use paydesk_shared::OrderStatus;
use paydesk_shared::api::{
    AttemptResponse, LineItem, OrderResponse, WidgetAttempt, WidgetOrder, WidgetStatus,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::store::{AttemptRecord, ItemRecord, OrderRecord};

/// RFC 3339 in UTC, millisecond precision.
pub(crate) fn timestamp(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// The status the shopper and merchant see: an unpaid order past its expiry is expired
/// even before anything has recorded that.
pub(crate) fn effective_status(order: &OrderRecord, now_ms: i64) -> OrderStatus {
    if !order.status.is_final() && now_ms >= order.expires_at {
        OrderStatus::Expired
    } else {
        order.status
    }
}

pub(crate) fn line_items(items: &[ItemRecord]) -> Vec<LineItem> {
    items.iter().map(ItemRecord::to_line_item).collect()
}

/// The gateway's hosted checkout page for an order.
pub(crate) fn hosted_url(public_url: &str, client_token: &str) -> String {
    format!("{public_url}/pay/{client_token}")
}

pub(crate) fn order_response(order: &OrderRecord, public_url: &str, now_ms: i64) -> OrderResponse {
    OrderResponse {
        id: order.id.clone(),
        status: effective_status(order, now_ms),
        currency: order.currency,
        items: line_items(&order.items),
        total: order.total.to_string(),
        merchant_reference: order.merchant_reference.clone(),
        return_url: order.return_url.clone(),
        client_token: order.client_token.clone(),
        hosted_url: hosted_url(public_url, &order.client_token),
        created_at: timestamp(order.created_at),
        expires_at: timestamp(order.expires_at),
        attempts: order.attempts.iter().map(attempt_response).collect(),
    }
}

/// The answer `POST /v1/orders` gave: the order as it was when created. A replay of
/// the same request renders the same bytes from the stored order.
pub(crate) fn created_order_response(order: &OrderRecord, public_url: &str) -> OrderResponse {
    let mut created = order.clone();
    created.status = OrderStatus::Created;
    created.attempts.clear();
    created.paid_at = None;
    created.paid_attempt_id = None;
    order_response(&created, public_url, order.created_at)
}

fn attempt_response(a: &AttemptRecord) -> AttemptResponse {
    AttemptResponse {
        id: a.id.clone(),
        bank_code: a.bank_code.clone(),
        card_kind: a.card_kind,
        status: a.status,
        failure_reason: a.failure_reason.clone(),
        bank_transaction_id: a.bank_transaction_id.clone(),
        created_at: timestamp(a.created_at),
    }
}

fn widget_attempt(a: &AttemptRecord) -> WidgetAttempt {
    WidgetAttempt {
        bank_code: a.bank_code.clone(),
        card_kind: a.card_kind,
        status: a.status,
        failure_reason: a.failure_reason.clone(),
    }
}

pub(crate) fn widget_order(order: &OrderRecord, merchant_name: &str, now_ms: i64) -> WidgetOrder {
    WidgetOrder {
        id: order.id.clone(),
        merchant_name: merchant_name.to_owned(),
        status: effective_status(order, now_ms),
        currency: order.currency,
        items: line_items(&order.items),
        total: order.total.to_string(),
        expires_at: timestamp(order.expires_at),
        last_attempt: order.latest_attempt().map(widget_attempt),
    }
}

pub(crate) fn widget_status(order: &OrderRecord, now_ms: i64) -> WidgetStatus {
    WidgetStatus {
        order_id: order.id.clone(),
        status: effective_status(order, now_ms),
        last_attempt: order.latest_attempt().map(widget_attempt),
    }
}
