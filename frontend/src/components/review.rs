//! The order as the shopper checks it before paying: items and total.

use leptos::prelude::*;
use paydesk_shared::api::{LineItem, WidgetOrder};

use crate::format::MoneyFormat;
use crate::i18n::Locale;

/// The order's line items and its total, as computed by the gateway.
#[component]
pub fn Review(
    /// The order from the widget session.
    order: WidgetOrder,
    locale: Locale,
) -> impl IntoView {
    let text = locale.text();
    let money = MoneyFormat::new(&locale, order.currency);
    let items = order
        .items
        .into_iter()
        .map(|item| line_item(item, &money, &locale))
        .collect_view();
    view! {
        <section class="paydesk-review">
            <h2 class="paydesk-heading">{(text.order_from)(&order.merchant_name)}</h2>
            <ul class="paydesk-items">{items}</ul>
            <p class="paydesk-total">
                <span>{text.total}</span>
                <strong class="paydesk-total__amount">{money.format(&order.total)}</strong>
            </p>
        </section>
    }
}

fn line_item(item: LineItem, money: &MoneyFormat, locale: &Locale) -> impl IntoView + use<> {
    let quantity =
        (locale.text().quantity_times_price)(item.quantity, &money.format(&item.unit_price));
    // Only web images: the URL comes from the merchant, and anything else would be
    // resolved against whatever page the widget happens to be on.
    let image = item
        .image_url
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
        .map(|src| {
            view! {
                <img
                    class="paydesk-item__image"
                    src=src
                    alt=""
                    width="48"
                    height="48"
                    loading="lazy"
                    decoding="async"
                />
            }
        });
    let with_image = image.is_some();
    view! {
        <li class="paydesk-item" class:paydesk-item--image=with_image>
            {image}
            <span class="paydesk-item__name">{item.name}</span>
            <span class="paydesk-item__quantity">{quantity}</span>
            <span class="paydesk-item__total">{money.format(&item.line_total)}</span>
        </li>
    }
}
