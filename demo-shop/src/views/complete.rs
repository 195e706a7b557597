//! `GET /checkout/complete?ref=…`: where the shopper lands after the bank.

use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::layout::page;
use super::widget;
use crate::appearance::Appearance;
use crate::order::ShopOrder;

pub(crate) fn render(order: &ShopOrder, loader_url: &str, appearance: Appearance) -> Response {
    let reference = order.reference.as_str();
    let body = html! {
        nav class="steps" aria-label="Checkout progress" {
            ol {
                li class="done" { "Basket" }
                li class="done" { "Payment" }
                li class="current" aria-current="step" { "Done" }
            }
        }
        section class="card narrow" aria-labelledby="complete-title" {
            h1 id="complete-title" { "Thank you" }
            p { "You are back from your bank or from Paydesk's payment page. The status below comes straight from Paydesk and updates by itself." }
            (widget::mount(loader_url, &order.client_token, appearance))
            p class="actions" {
                a class="button" href={ "/orders/" (reference) } { "View order " (reference) }
            }
            p class="fine-print" { "Coming back from the bank is not proof of payment. The shop prepares your parcel when Paydesk confirms the payment to the shop's server." }
        }
    };
    page(StatusCode::OK, "Payment status", body)
}
