//! Where the payment stands once the shopper has been to a bank (or the order can
//! no longer be paid), kept up to date by the status stream.

use leptos::prelude::*;
use paydesk_shared::OrderStatus;

use crate::i18n::{Locale, Text, fill};

/// `status`, `failure_reason` and `extra_payment_refunded` are read reactively. Plain closures rather than
/// signals: each signal value type costs the widget its own copy of the reactive code.
#[component]
pub fn StatusView<S, R, E>(
    /// Where the order stands.
    status: S,
    /// The bank's decline code of the last attempt (`insufficient_funds`, …).
    failure_reason: R,
    /// A payment the order could not keep is being refunded.
    extra_payment_refunded: E,
    /// The shopper's receipt, once the order is paid (the paid screen is built afresh).
    receipt_url: Option<String>,
    /// Called when the shopper wants to try another bank: after a decline, or while
    /// the last bank has not answered (the shopper may never have paid there).
    on_choose_again: Callback<()>,
    locale: Locale,
) -> impl IntoView
where
    S: Fn() -> OrderStatus + Copy + Send + Sync + 'static,
    R: Fn() -> Option<String> + Send + Sync + 'static,
    E: Fn() -> bool + Copy + Send + Sync + 'static,
{
    let text = locale.text();
    let title = move || title(text, status(), failure_reason().as_deref());
    let detail = move || detail(text, status(), extra_payment_refunded());
    view! {
        <section class="paydesk-status" part="status" data-tone=move || tone(status())>
            <span class="paydesk-status__icon" aria-hidden="true"></span>
            <p class="paydesk-status__title" data-testid="paydesk-status">{title}</p>
            <p class="paydesk-status__detail" hidden=move || detail().is_empty()>{detail}</p>
            // A new tab (which browsers open without `opener`): the merchant's page
            // behind the widget stays where it is. Without a URL it is not shown (CSS).
            <a class="paydesk-button" href=receipt_url target="_blank">
                {text.view_receipt}
            </a>
            <button
                type="button"
                class="paydesk-button"
                data-action="choose-again"
                hidden=move || !matches!(status(), OrderStatus::Failed | OrderStatus::Pending)
                on:click=move |_| on_choose_again.run(())
            >
                {text.choose_another_bank}
            </button>
        </section>
    }
}

/// The headline for `status`, also what the widget announces when it changes.
pub fn title(text: &Text, status: OrderStatus, failure_reason: Option<&str>) -> String {
    match status {
        OrderStatus::Paid => text.paid.to_owned(),
        // Not shown by the widget (a new order is a choice of bank); said plainly in
        // case it ever is.
        OrderStatus::Created => text.choose_bank_first.to_owned(),
        OrderStatus::Pending => text.pending.to_owned(),
        OrderStatus::Failed => fill(text.failed, &[text.declined.reason(failure_reason)]),
        OrderStatus::Expired => text.expired.to_owned(),
        OrderStatus::Cancelled => text.cancelled.to_owned(),
    }
}

fn detail(text: &Text, status: OrderStatus, extra_payment_refunded: bool) -> &'static str {
    match status {
        OrderStatus::Paid if extra_payment_refunded => text.paid_twice,
        OrderStatus::Paid => text.paid_detail,
        OrderStatus::Pending => text.pending_detail,
        OrderStatus::Created | OrderStatus::Failed => "",
        OrderStatus::Expired | OrderStatus::Cancelled if extra_payment_refunded => {
            text.late_payment_refunded
        }
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
