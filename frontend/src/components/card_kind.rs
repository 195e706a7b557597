//! Debit or credit: banks take them with different limits, or not at all.

use leptos::prelude::*;
use paydesk_shared::bank::CardKind;

use crate::i18n::Locale;

/// A radio group `name="paydesk-card-kind"` with the values `debit` and `credit`.
pub fn card_kind_picker(
    // The card kind currently chosen, set when the shopper changes it.
    kind: RwSignal<CardKind>,
    // Locks the choice, e.g. while the shopper is being sent to the bank.
    disabled: Signal<bool>,
    locale: Locale,
) -> impl IntoView + use<> {
    let text = locale.text();
    let options = CardKind::ALL
        .into_iter()
        .map(|option| {
            let label = match option {
                CardKind::Debit => text.debit,
                CardKind::Credit => text.credit,
            };
            view! {
                <label class="paydesk-kind">
                    <input
                        class="paydesk-kind__input"
                        type="radio"
                        name="paydesk-card-kind"
                        value=option.as_str()
                        prop:checked=move || kind.get() == option
                        on:change=move |_| kind.set(option)
                    />
                    <span class="paydesk-kind__label">{label}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="paydesk-kinds" part="card-kind" disabled=move || disabled.get()>
            <legend class="paydesk-subheading">{text.card_kind_legend}</legend>
            {options}
        </fieldset>
    }
}
