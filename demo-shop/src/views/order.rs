//! `GET /orders/{reference}`: the shop's own view of an order, as its staff would see
//! it before shipping.

use axum::http::StatusCode;
use axum::response::Response;

use super::layout::page;
use super::{order_lines, timestamp};
use crate::html::esc;
use crate::order::{Payment, ReceivedEvent, ShopOrder};

pub(crate) fn render(order: &ShopOrder) -> Response {
    let reference = esc(order.reference.as_str());
    let explanation = match &order.payment {
        Payment::AwaitingPayment => format!(
            r#"<p>The shop has not heard from Paydesk that this order is paid. <a href="/checkout/{reference}">Return to payment</a> or <a href="/orders/{reference}">check again</a>.</p>"#
        ),
        Payment::Paid { event_id, paid_at } => format!(
            r#"<p>Paydesk confirmed the payment at {at} with webhook event <code>{event}</code>. Time to pack the parcel.</p>"#,
            at = timestamp(*paid_at),
            event = esc(event_id),
        ),
    };
    let status_class = match order.payment {
        Payment::AwaitingPayment => "status-awaiting",
        Payment::Paid { .. } => "status-paid",
    };
    let body = format!(
        r#"<section class="card order" aria-labelledby="order-title">
<div class="order-head">
<h1 id="order-title">Order <code>{reference}</code></h1>
<span class="status {status_class}" data-testid="shop-order-status">{status_text}</span>
</div>
{explanation}
{lines}
<dl class="facts">
<dt>Placed</dt><dd>{created}</dd>
<dt>Paydesk order</dt><dd><code>{gateway_id}</code></dd>
</dl>
</section>
<section class="card events" aria-labelledby="events-title">
<h2 id="events-title">Webhook events received</h2>
{events}
</section>"#,
        status_text = order.payment.label(),
        lines = order_lines(&order.items, &order.total.to_string(), order.currency),
        created = timestamp(order.created_at),
        gateway_id = esc(&order.gateway_order_id),
        events = events(&order.events),
    );
    page(StatusCode::OK, &format!("Order {}", order.reference), &body)
}

fn events(events: &[ReceivedEvent]) -> String {
    if events.is_empty() {
        return r#"<p class="muted">None yet. Paydesk sends a signed webhook to <code>/webhooks/paydesk</code> when the bank confirms or declines the payment.</p>"#.to_owned();
    }
    let items: String = events
        .iter()
        .map(|event| {
            format!(
                r#"<li class="event"><code class="event-type">{kind}</code> <span class="event-outcome">{outcome}</span><span class="event-meta"><code>{id}</code> · {at}</span></li>"#,
                kind = event.kind.as_str(),
                outcome = esc(event.outcome.describe()),
                id = esc(&event.id),
                at = timestamp(event.received_at),
            )
        })
        .collect();
    format!(r#"<ol class="event-list">{items}</ol>"#)
}
