//! `GET /`: the products and the form that starts checkout.

use axum::http::StatusCode;
use axum::response::Response;

use super::layout::page;
use super::price;
use crate::cart::{FIELD_PREFIX, MAX_QUANTITY};
use crate::catalog::{CURRENCY, Catalog, Product};
use crate::html::esc;

pub(crate) fn render(catalog: &Catalog) -> Response {
    let products: String = catalog
        .products()
        .iter()
        .enumerate()
        // A first-time visitor can check out straight away with one tin of tea.
        .map(|(index, product)| product_card(product, if index == 0 { 1 } else { 0 }))
        .collect();
    let body = format!(
        r#"<section class="hero">
<p class="eyebrow">Spring harvest</p>
<h1>Tea, poured slowly.</h1>
<p class="lede">Hand-picked leaves from Hangzhou and Fujian, and teaware fired in Longquan. Choose what you like and pay through your own bank with Paydesk.</p>
</section>
<form class="shop" method="post" action="/checkout">
<ul class="products">
{products}</ul>
<div class="checkout-bar">
<p>Prices in Chinese yuan ({code}). You review the order and choose your bank on the next page.</p>
<button type="submit" class="button primary" data-action="checkout">Check out</button>
</div>
</form>"#,
        code = CURRENCY.code(),
    );
    page(StatusCode::OK, "Tea and teaware", &body)
}

fn product_card(product: &Product, default_quantity: u8) -> String {
    let field = format!("{FIELD_PREFIX}{}", product.id);
    format!(
        r#"<li class="product">
<img class="product-image" src="{image}" alt="{alt}" width="320" height="240">
<div class="product-body">
<h2>{name}</h2>
<p class="product-description">{description}</p>
<div class="product-buy">
<span class="price">{price}</span>
<label class="quantity" for="{field}"><span>Quantity</span>
<input type="number" id="{field}" name="{field}" value="{default_quantity}" min="0" max="{MAX_QUANTITY}" step="1" inputmode="numeric"></label>
</div>
</div>
</li>
"#,
        image = esc(product.image_path),
        alt = esc(product.image_alt),
        name = esc(product.name),
        description = esc(product.description),
        price = price(
            &product.unit_price.to_string(),
            product.unit_price.currency()
        ),
        field = esc(&field),
    )
}
