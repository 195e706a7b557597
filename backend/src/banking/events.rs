//! Events the bank side enqueues for the merchant, with the order as it stands after
//! the change they report.

use paydesk_shared::api::{RefundResponse, WebhookData};

use crate::ids::new_id;
use crate::store::{NewEvent, OrderRecord, RefundRecord, RefundStatus};
use crate::http::wire;

pub(crate) fn order_event(order: &OrderRecord, public_url: &str, kind: &str, now: i64) -> NewEvent {
    event(order, None, public_url, kind, now)
}

pub(crate) fn refund_event(
    order: &OrderRecord,
    refund: &RefundRecord,
    public_url: &str,
    kind: &str,
    now: i64,
) -> NewEvent {
    event(order, Some(refund_response(refund)), public_url, kind, now)
}

fn event(
    order: &OrderRecord,
    refund: Option<RefundResponse>,
    public_url: &str,
    kind: &str,
    now: i64,
) -> NewEvent {
    NewEvent {
        id: new_id("evt"),
        merchant_id: order.merchant_id.clone(),
        order_id: order.id.clone(),
        kind: kind.to_owned(),
        data: WebhookData {
            order: wire::order_response(order, public_url, now),
            refund,
        },
        created_at: now,
    }
}

pub(crate) fn refund_response(r: &RefundRecord) -> RefundResponse {
    RefundResponse {
        id: r.id.clone(),
        order_id: r.order_id.clone(),
        attempt_id: r.attempt_id.clone(),
        amount: r.amount.to_string(),
        currency: r.amount.currency(),
        reason: r.reason.clone(),
        status: r.status.as_str().to_owned(),
        // While pending it holds the last retry's error: the operator's, not the merchant's.
        failure_reason: r
            .failure_reason
            .clone()
            .filter(|_| r.status == RefundStatus::Failed),
        created_at: wire::timestamp(r.created_at),
        decided_at: r.decided_at.map(wire::timestamp),
    }
}
