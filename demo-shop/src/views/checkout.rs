//! `GET /checkout/{reference}`: the shop's order summary next to the Paydesk widget.

use axum::http::StatusCode;
use axum::response::Response;

use super::layout::page;
use super::{order_lines, widget};
use crate::appearance::Appearance;
use crate::html::esc;
use crate::order::ShopOrder;

pub(crate) fn render(order: &ShopOrder, loader_url: &str, appearance: Appearance) -> Response {
    let body = format!(
        r#"<nav class="steps" aria-label="Checkout progress"><ol><li class="done">Basket</li><li class="current" aria-current="step">Payment</li><li>Done</li></ol></nav>
<div class="checkout-grid">
<section class="card summary" aria-labelledby="summary-title">
<h1 id="summary-title">Your order</h1>
<p class="muted">Reference <code>{reference}</code></p>
{lines}
<p class="fine-print">Paydesk computed these totals from the shop's prices on the shop's server; nothing here comes from your browser.</p>
</section>
<section class="card payment" aria-labelledby="payment-title">
<h2 id="payment-title">Payment</h2>
{mount}
{hosted}
</section>
<aside class="card help" aria-labelledby="cards-title">
<h2 id="cards-title">Sandbox test cards</h2>
<p>Every sandbox bank accepts these cards. The payment password is <code>123456</code>.</p>
<table class="test-cards">
<thead><tr><th scope="col">Card number</th><th scope="col">Kind</th><th scope="col">Result</th></tr></thead>
<tbody>
<tr><td><code>6222 0000 0000 0001</code></td><td>debit</td><td>pays</td></tr>
<tr><td><code>6222 0000 0000 0002</code></td><td>debit</td><td>insufficient funds</td></tr>
<tr><td><code>6250 0000 0000 0003</code></td><td>credit</td><td>pays</td></tr>
</tbody>
</table>
</aside>
<aside class="card integration" aria-labelledby="integration-title">
<h2 id="integration-title">How this page takes payment</h2>
<p>The shop's server created the order with <code>POST /v1/orders</code> and its secret key. The page then needs one element and one script tag:</p>
<pre><code>&lt;div id="{target}"&gt;&lt;/div&gt;
{tag}</code></pre>
<p>The widget shows the order, lets the shopper pick a bank and brings them back to <code>/checkout/complete</code>. The shop ships when Paydesk's signed <code>order.paid</code> webhook arrives.</p>
</aside>
</div>"#,
        reference = esc(order.reference.as_str()),
        lines = order_lines(&order.items, &order.total.to_string(), order.currency),
        mount = widget::mount(loader_url, &order.client_token, appearance),
        hosted = hosted_option(order),
        target = widget::TARGET_ID,
        tag = esc(&widget::script_tag_listing(
            loader_url,
            &order.client_token,
            appearance
        )),
    );
    page(StatusCode::OK, "Checkout", &body)
}

/// The way to Paydesk's own checkout page, for shoppers who would rather pay there.
fn hosted_option(order: &ShopOrder) -> String {
    if order.hosted_url.is_none() {
        return String::new();
    }
    format!(
        r#"<div class="pay-elsewhere">
<p>Prefer a full page? Paydesk's own checkout page takes the same payment and brings you back here.</p>
<a class="button" href="/checkout/{reference}/hosted" data-action="pay-hosted">Pay on a Paydesk page</a>
</div>"#,
        reference = esc(order.reference.as_str()),
    )
}
