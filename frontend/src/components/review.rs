//! The order as the shopper checks it before paying: items and total.

use leptos::either::Either;
use leptos::prelude::*;
use paydesk_shared::api::{LineItem, WidgetOrder};

use crate::format::{self, MoneyFormat};
use crate::i18n::{Locale, fill};

/// Orders longer than this collapse behind a toggle on small screens.
pub const COLLAPSED_ITEMS: usize = 3;

/// The order's line items and its total, as computed by the gateway.
#[component]
pub fn Review(
    /// The order from the widget session.
    order: WidgetOrder,
    locale: Locale,
) -> impl IntoView {
    let text = locale.text();
    let money = MoneyFormat::new(&locale, order.currency);
    let count = order.items.len();
    let items = order
        .items
        .into_iter()
        .map(|item| line_item(item, &money, &locale))
        .collect_view();
    let expanded = RwSignal::new(false);
    // The stylesheet hides items after the third on small screens while the list
    // is collapsed; the toggle only shows there.
    let toggle = (count > COLLAPSED_ITEMS).then(|| {
        let show_all = fill(text.show_all_items, &[&format::number(&locale, count_u32(count))]);
        view! {
            <button
                type="button"
                class="paydesk-link paydesk-items__toggle"
                aria-expanded=move || if expanded.get() { "true" } else { "false" }
                on:click=move |_| expanded.update(|e| *e = !*e)
            >
                {move || if expanded.get() { text.show_fewer_items.to_owned() } else { show_all.clone() }}
            </button>
        }
    });
    view! {
        <section class="paydesk-review" part="review">
            <h2 class="paydesk-heading">{fill(text.order_from, &[&order.merchant_name])}</h2>
            <ul
                class="paydesk-items"
                part="items"
                data-collapsed=move || (count > COLLAPSED_ITEMS && !expanded.get()).then_some("true")
            >
                {items}
            </ul>
            {toggle}
            <p class="paydesk-total" part="total">
                <span>{text.total}</span>
                <strong class="paydesk-total__amount">{money.format(&order.total)}</strong>
            </p>
        </section>
    }
}

fn count_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn line_item(item: LineItem, money: &MoneyFormat, locale: &Locale) -> impl IntoView + use<> {
    let quantity = fill(
        locale.text().quantity_times_price,
        &[
            &format::number(locale, item.quantity),
            &money.format(&item.unit_price),
        ],
    );
    // Only web images: the URL comes from the merchant, and anything else would be
    // resolved against whatever page the widget happens to be on.
    let image = item
        .image_url
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"));
    // Without an image, the item's first letter holds the same square, so rows
    // line up and nothing shifts when images arrive.
    let thumbnail = match image {
        Some(src) => Either::Left(view! {
            <img class="paydesk-item__thumb" src=src alt="" width="48" height="48" loading="lazy" decoding="async" />
        }),
        None => Either::Right(view! {
            <span class="paydesk-item__thumb" aria-hidden="true">{monogram(&item.name)}</span>
        }),
    };
    view! {
        <li class="paydesk-item" part="item">
            {thumbnail}
            <span class="paydesk-item__name">{item.name}</span>
            <span class="paydesk-item__quantity">{quantity}</span>
            <span class="paydesk-item__total">{money.format(&item.line_total)}</span>
        </li>
    }
}

/// The first letter of a name; Latin letters upper-cased (ASCII only: the Unicode
/// case tables would cost more than they add to a one-letter badge).
fn monogram(name: &str) -> String {
    name.trim()
        .chars()
        .next()
        .map(|c| c.to_ascii_uppercase().to_string())
        .unwrap_or_default()
}
