//! The Pay button, naming what is paid and where: "Pay ¥25.00 with ICBC".

use leptos::prelude::*;

use crate::i18n::Locale;

#[component]
pub fn PayButton(
    /// The order total, already formatted.
    #[prop(into)]
    amount: String,
    /// The chosen bank's short name, or `None` before the shopper picks one.
    #[prop(into)]
    bank: Signal<Option<String>>,
    /// The payment is being started; the button shows it and ignores clicks.
    #[prop(into)]
    busy: Signal<bool>,
    /// Called once per click while a bank is chosen and nothing is in flight.
    on_pay: Callback<()>,
    locale: Locale,
) -> impl IntoView {
    let text = locale.text();
    let label = move || match (bank.get(), busy.get()) {
        (Some(bank), true) => (text.redirecting)(&bank),
        (Some(bank), false) => (text.pay)(&amount, &bank),
        (None, _) => (text.pay_without_bank)(&amount),
    };
    let hint = move || {
        if bank.with(Option::is_none) {
            text.choose_bank_first
        } else {
            text.redirect_note
        }
    };
    let pay = move |_| {
        // `busy` turns true synchronously in `on_pay`, so a double click lands here
        // with it already set.
        if !busy.get_untracked() && bank.with_untracked(Option::is_some) {
            on_pay.run(());
        }
    };
    view! {
        <div class="paydesk-pay">
            <button
                type="button"
                class="paydesk-pay__button"
                data-action="pay"
                disabled=move || busy.get() || bank.with(Option::is_none)
                aria-busy=move || if busy.get() { "true" } else { "false" }
                on:click=pay
            >
                {label}
            </button>
            <p class="paydesk-pay__hint">{hint}</p>
        </div>
    }
}
