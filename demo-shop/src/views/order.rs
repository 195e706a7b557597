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
    let status_class = match order.payment {
        Payment::AwaitingPayment => "status-awaiting",
        Payment::Paid { .. } => "status-paid",
    };
    let body = html! {
        section class="card order" aria-labelledby="order-title" {
            div class="order-head" {
                h1 id="order-title" { "Order " code { (reference) } }
                span class={ "status " (status_class) } data-testid="shop-order-status" { (order.payment.label()) }
            }
            @match &order.payment {
                Payment::AwaitingPayment => p {
                    "The shop has not heard from Paydesk that this order is paid. "
                    a href={ "/checkout/" (reference) } { "Return to payment" }
                    " or "
                    a href={ "/orders/" (reference) } { "check again" }
                    "."
                },
                Payment::Paid { event_id, paid_at } => p {
                    "Paydesk confirmed the payment at " (timestamp(*paid_at))
                    " with webhook event " code { (event_id) } ". Time to pack the parcel."
                },
            }
            (order_lines(&order.items, &order.total.to_string(), order.currency))
            dl class="facts" {
                dt { "Placed" } dd { (timestamp(order.created_at)) }
                dt { "Paydesk order" } dd { code { (order.gateway_order_id) } }
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
                " when the bank confirms or declines the payment."
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
