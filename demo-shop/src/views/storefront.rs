//! `GET /`: the products and the form that starts checkout.

use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::layout::page;
use super::price;
use crate::cart::{FIELD_PREFIX, MAX_QUANTITY};
use crate::catalog::{CURRENCY, Catalog, Product};

pub(crate) fn render(catalog: &Catalog) -> Response {
    let body = html! {
        section class="hero" {
            p class="eyebrow" { "Spring harvest" }
            h1 { "Tea, poured slowly." }
            p class="lede" { "Hand-picked leaves from Hangzhou and Fujian, and teaware fired in Longquan. Choose what you like and pay through your own bank with Paydesk." }
        }
        form class="shop" method="post" action="/checkout" {
            ul class="products" {
                @for (index, product) in catalog.products().iter().enumerate() {
                    // A first-time visitor can check out straight away with one tin of tea.
                    (product_card(product, if index == 0 { 1 } else { 0 }))
                }
            }
            div class="checkout-bar" {
                p { "Prices in Chinese yuan (" (CURRENCY.code()) "). You review the order and choose your bank on the next page." }
                button type="submit" class="button primary" data-action="checkout" { "Check out" }
            }
        }
    };
    page(StatusCode::OK, "Tea and teaware", body)
}

fn product_card(product: &Product, default_quantity: u8) -> Markup {
    let field = format!("{FIELD_PREFIX}{}", product.id);
    html! {
        li class="product" {
            img class="product-image" src=(product.image_path) alt=(product.image_alt)
                width="320" height="240";
            div class="product-body" {
                h2 { (product.name) }
                p class="product-description" { (product.description) }
                div class="product-buy" {
                    span class="price" { (price(&product.unit_price.to_string(), product.unit_price.currency())) }
                    label class="quantity" for=(field) {
                        span { "Quantity" }
                        input type="number" id=(field) name=(field) value=(default_quantity) min="0"
                            max=(MAX_QUANTITY) step="1" inputmode="numeric";
                    }
                }
            }
        }
    }
}
