//! Where the payment stands once the shopper has been to a bank (or the order can
//! no longer be paid), kept up to date by the status stream.

use leptos::prelude::*;
use paydesk_shared::OrderStatus;

use crate::i18n::{Locale, Text};
use crate::stream::StreamHealth;

#[component]
pub fn StatusView(
    #[prop(into)] status: Signal<OrderStatus>,
    /// The bank's decline code of the last attempt (`insufficient_funds`, …).
    #[prop(into)]
    failure_reason: Signal<Option<String>>,
    /// The live connection, shown only while the status can still change.
    #[prop(into)]
    health: Signal<StreamHealth>,
    /// Called when the shopper wants to try another bank after a decline.
    on_choose_again: Callback<()>,
    locale: Locale,
) -> impl IntoView {
    let text = locale.text();
    let title = move || title(text, status.get(), failure_reason.get().as_deref());
    let detail = move || detail(text, status.get());
    let tone = move || tone(status.get());
    let health_note = move || {
        if status.get().is_final() {
            return None;
        }
        match health.get() {
            StreamHealth::Live => None,
            StreamHealth::Reconnecting => Some(text.stream_interrupted),
            StreamHealth::Stopped => Some(text.stream_stopped),
        }
    };
    view! {
        <section class="paydesk-status" data-tone=tone>
            <span class="paydesk-status__icon" aria-hidden="true"></span>
            <p class="paydesk-status__title" data-testid="paydesk-status" role="status">
                {title}
            </p>
            {move || {
                let detail = detail();
                (!detail.is_empty())
                    .then(|| view! { <p class="paydesk-status__detail">{detail}</p> })
            }}
            {move || {
                health_note()
                    .map(|note| view! { <p class="paydesk-status__stream" role="alert">{note}</p> })
            }}
            <Show when=move || status.get() == OrderStatus::Failed>
                <button
                    type="button"
                    class="paydesk-button paydesk-button--secondary"
                    data-action="choose-again"
                    on:click=move |_| on_choose_again.run(())
                >
                    {text.choose_another_bank}
                </button>
            </Show>
        </section>
    }
}

fn title(text: &Text, status: OrderStatus, failure_reason: Option<&str>) -> String {
    match status {
        OrderStatus::Paid => text.paid.to_owned(),
        // Not shown by the widget (a new order is a choice of bank); said plainly in
        // case it ever is.
        OrderStatus::Created => text.choose_bank_first.to_owned(),
        OrderStatus::Pending => text.pending.to_owned(),
        OrderStatus::Failed => (text.failed)((text.decline_reason)(failure_reason)),
        OrderStatus::Expired => text.expired.to_owned(),
        OrderStatus::Cancelled => text.cancelled.to_owned(),
    }
}

fn detail(text: &Text, status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Paid => text.paid_detail,
        OrderStatus::Pending => text.pending_detail,
        OrderStatus::Created | OrderStatus::Failed => "",
        OrderStatus::Expired => text.expired_detail,
        OrderStatus::Cancelled => text.cancelled_detail,
    }
}

/// The look of the status: drives the icon and colour in the stylesheet.
fn tone(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Paid => "success",
        OrderStatus::Created | OrderStatus::Pending => "waiting",
        OrderStatus::Failed => "error",
        OrderStatus::Expired | OrderStatus::Cancelled => "neutral",
    }
}
