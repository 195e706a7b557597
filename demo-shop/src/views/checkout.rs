//! `GET /checkout/{reference}`: the shop's order summary next to the Paydesk widget.

use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::layout::page;
use super::{order_lines, widget};
use crate::appearance::Appearance;
use crate::order::ShopOrder;

pub(crate) fn render(order: &ShopOrder, loader_url: &str, appearance: Appearance) -> Response {
    let body = html! {
        nav class="steps" aria-label="Checkout progress" {
            ol {
                li class="done" { "Basket" }
                li class="current" aria-current="step" { "Payment" }
                li { "Done" }
            }
        }
        div class="checkout-grid" {
            section class="card summary" aria-labelledby="summary-title" {
                h1 id="summary-title" { "Your order" }
                p class="muted" { "Reference " code { (order.reference.as_str()) } }
                (order_lines(&order.items, &order.total.to_string(), order.currency))
                p class="fine-print" { "Paydesk computed these totals from the shop's prices on the shop's server; nothing here comes from your browser." }
            }
            section class="card payment" aria-labelledby="payment-title" {
                h2 id="payment-title" { "Payment" }
                (widget::mount(loader_url, &order.client_token, appearance))
                (hosted_option(order))
            }
            aside class="card help" aria-labelledby="cards-title" {
                h2 id="cards-title" { "Sandbox test cards" }
                p { "Every sandbox bank accepts these cards. The payment password is " code { "123456" } "." }
                table class="test-cards" {
                    thead {
                        tr { th scope="col" { "Card number" } th scope="col" { "Kind" } th scope="col" { "Result" } }
                    }
                    tbody {
                        tr { td { code { "6222 0000 0000 0001" } } td { "debit" } td { "pays" } }
                        tr { td { code { "6222 0000 0000 0002" } } td { "debit" } td { "insufficient funds" } }
                        tr { td { code { "6250 0000 0000 0003" } } td { "credit" } td { "pays" } }
                    }
                }
            }
            aside class="card integration" aria-labelledby="integration-title" {
                h2 id="integration-title" { "How this page takes payment" }
                p {
                    "The shop's server created the order with " code { "POST /v1/orders" }
                    " and its secret key. The page then needs one element and one script tag:"
                }
                // The listing is HTML source shown as text, so it is escaped once more here.
                pre {
                    code {
                        "<div id=\"" (widget::TARGET_ID) "\"></div>\n"
                        (widget::script_tag_listing(loader_url, &order.client_token, appearance))
                    }
                }
                p {
                    "The widget shows the order, lets the shopper pick a bank and brings them back to "
                    code { "/checkout/complete" }
                    ". The shop ships when Paydesk's signed " code { "order.paid" } " webhook arrives."
                }
            }
        }
    };
    page(StatusCode::OK, "Checkout", body)
}

/// The way to Paydesk's own checkout page, for shoppers who would rather pay there.
fn hosted_option(order: &ShopOrder) -> Markup {
    html! {
        @if order.hosted_url.is_some() {
            div class="pay-elsewhere" {
                p { "Prefer a full page? Paydesk's own checkout page takes the same payment and brings you back here." }
                a class="button" href={ "/checkout/" (order.reference.as_str()) "/hosted" }
                    data-action="pay-hosted" { "Pay on a Paydesk page" }
            }
        }
    }
}
