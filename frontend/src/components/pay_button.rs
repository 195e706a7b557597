//! The Pay button, naming what is paid and where: "Pay ¥25.00 with ICBC".

use leptos::prelude::*;

use crate::components::bank_list::ReadBank;
use crate::i18n::{Locale, fill};

pub fn pay_button(
    // The order total, already formatted.
    amount: String,
    // The chosen bank's name as the shopper knows it, or `None` before they pick one.
    bank: ReadBank,
    // The payment is being started; the button shows it and ignores clicks.
    busy: Signal<bool>,
    // Paying is impossible (the order expired).
    closed: Signal<bool>,
    // Called once per click while a bank is chosen and nothing is in flight.
    on_pay: Callback<()>,
    locale: Locale,
) -> impl IntoView + use<> {
    let text = locale.text();
    let label = {
        let bank = bank.clone();
        move || match (bank(), busy.get()) {
            (Some(bank), true) => fill(text.redirecting, &[&bank]),
            (Some(bank), false) => fill(text.pay, &[&amount, &bank]),
            (None, _) => fill(text.pay_without_bank, &[&amount]),
        }
    };
    let hint = {
        let bank = bank.clone();
        move || {
            if bank().is_none() {
                text.choose_bank_first
            } else {
                text.redirect_note
            }
        }
    };
    let unusable = {
        let bank = bank.clone();
        move || busy.get() || closed.get() || bank().is_none()
    };
    let pay = move |_| {
        // `busy` turns true synchronously in `on_pay`, so a double click lands here
        // with it already set.
        if !busy.get_untracked() && !closed.get_untracked() && untrack(&*bank).is_some() {
            on_pay.run(());
        }
    };
    // `aria-disabled`, not `disabled`: the button keeps the focus while the
    // shopper is sent on, and stays reachable with its hint before a bank is chosen.
    view! {
        <div class="paydesk-pay">
            <button
                type="button"
                class="paydesk-pay__button"
                part="pay-button"
                data-action="pay"
                aria-disabled=move || unusable().then_some("true")
                aria-busy=move || if busy.get() { "true" } else { "false" }
                aria-describedby="paydesk-pay-hint"
                on:click=pay
            >
                <span class="paydesk-spinner" aria-hidden="true" hidden=move || !busy.get()></span>
                {label}
            </button>
            <p class="paydesk-pay__hint" id="paydesk-pay-hint">{hint}</p>
        </div>
    }
}
