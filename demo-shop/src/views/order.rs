//! `GET /orders/{reference}`: the shop's own view of an order, as its staff would see
//! it before shipping.

use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::layout::page;
use super::{order_lines, timestamp};
use crate::order::{Payment, ReceivedEvent, ShopOrder};

pub(crate) fn render(order: &ShopOrder) -> Response {
    let reference = order.reference.as_str();
    let fully_refunded = order.payment.refunded(order.total) == Some(order.total);
    let status_class = match order.payment {
        Payment::Awaiting => "status-awaiting",
        Payment::Paid { .. } if !fully_refunded => "status-paid",
        _ => "status-closed",
    };
    let body = html! {
        section class="card order" aria-labelledby="order-title" {
            div class="order-head" {
                h1 id="order-title" { "Order " code { (reference) } }
                span class={ "status " (status_class) } data-testid="shop-order-status" { (order.status()) }
            }
            @match &order.payment {
                Payment::Awaiting => p {
                    "The shop has not heard from Paydesk that this order is paid. "
                    a href={ "/checkout/" (reference) } { "Return to payment" }
                    " or "
                    a href={ "/orders/" (reference) } { "check again" }
                    "."
                },
                Payment::Paid { event_id, paid_at, .. } => p {
                    "Paydesk confirmed the payment at " (timestamp(*paid_at))
                    " with webhook event " code { (event_id) } "."
                    @match order.payment.refunded(order.total) {
                        _ if fully_refunded => " Everything was refunded since: do not ship.",
                        Some(refunded) if refunded.minor() > 0 => {
                            " " (refunded) " " (order.currency.code())
                            " was refunded since: ship what is still paid for."
                        }
                        _ => " Time to pack the parcel.",
                    }
                },
                Payment::Expired => p {
                    "Paydesk stopped taking payment for this order before anyone paid. "
                    "Nothing to ship."
                },
                Payment::Cancelled => p { "The order was cancelled before anyone paid. Nothing to ship." },
            }
            (order_lines(&order.items, &order.total.to_string(), order.currency))
            dl class="facts" {
                dt { "Placed" } dd { (timestamp(order.created_at)) }
                dt { "Paydesk order" } dd { code { (order.gateway_order_id) } }
                @if let Some(refunded) = order.payment.refunded(order.total) {
                    dt { "Refunded" } dd data-testid="shop-order-refunded" { (refunded) " " (order.currency.code()) }
                }
            }
        }
        section class="card events" aria-labelledby="events-title" {
            h2 id="events-title" { "Webhook events received" }
            (events(&order.events))
        }
    };
    page(StatusCode::OK, &format!("Order {reference}"), body)
}

fn events(events: &[ReceivedEvent]) -> Markup {
    if events.is_empty() {
        return html! {
            p class="muted" {
                "None yet. Paydesk sends a signed webhook to " code { "/webhooks/paydesk" }
                " when the bank confirms or declines the payment, and when the order expires, "
                "is cancelled or refunded."
            }
        };
    }
    html! {
        ol class="event-list" {
            @for event in events {
                li class="event" {
                    code class="event-type" { (event.kind.as_str()) }
                    " "
                    span class="event-outcome" { (event.outcome.describe()) }
                    span class="event-meta" { code { (event.id) } " · " (timestamp(event.received_at)) }
                }
            }
        }
    }
}
