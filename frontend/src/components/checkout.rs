//! The checkout before Pay: review, card kind, bank, Pay button. It holds the
//! shopper's choice; starting the payment is left to whoever mounts it.

use std::sync::Arc;

use leptos::prelude::*;
use paydesk_shared::api::{BankOption, WidgetSession};
use paydesk_shared::bank::CardKind;

use crate::bank_choice::availability;
use crate::components::bank_list::{BankList, ReadBank};
use crate::components::card_kind::card_kind_picker;
use crate::components::countdown::countdown;
use crate::components::pay_button::pay_button;
use crate::components::review::Review;
use crate::countdown::ReadSeconds;
use crate::format;
use crate::i18n::{Language, Locale};

/// What the shopper chose to pay with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayChoice {
    pub bank_code: String,
    pub card_kind: CardKind,
}

/// `error` is read reactively, through a plain closure rather than a signal: each
/// signal value type costs the widget its own copy of the reactive code.
#[component]
pub fn Checkout<E>(
    session: WidgetSession,
    /// The payment is being started: every control is locked.
    #[prop(into)]
    busy: Signal<bool>,
    /// Why the last Pay did not go through, in the shopper's words.
    error: E,
    /// Seconds until the order expires; at zero Pay is impossible.
    #[prop(optional)]
    seconds_left: Option<ReadSeconds>,
    /// The bank last used on this device: offered first, and chosen if it can
    /// take this payment.
    #[prop(optional_no_strip)]
    last_used: Option<String>,
    /// Called when the shopper presses Pay with an available bank chosen.
    on_pay: Callback<PayChoice>,
    locale: Locale,
) -> impl IntoView
where
    E: Fn() -> Option<&'static str> + Copy + Send + Sync + 'static,
{
    let WidgetSession { order, banks } = session;
    let initial_kind = initial_card_kind(&banks);
    let preselected = last_used.clone().filter(|code| {
        banks
            .iter()
            .any(|b| &b.code == code && availability(b, initial_kind).unavailable.is_none())
    });
    let kind = RwSignal::new(initial_kind);
    let selected = RwSignal::new(preselected);
    let catalogue = Arc::new(banks.clone());
    let language = locale.language();
    // The chosen bank, while it can take this payment with the chosen card kind;
    // switching to a kind it does not take un-chooses it without forgetting it.
    let chosen = {
        let catalogue = catalogue.clone();
        move || {
            let code = selected.get()?;
            let kind = kind.get();
            catalogue
                .iter()
                .find(|b| b.code == code && availability(b, kind).unavailable.is_none())
                .map(|b| b.code.clone())
        }
    };
    // Chinese shoppers know their bank by its Chinese name, others by its
    // abbreviation.
    let chosen_name: ReadBank = Arc::new({
        let chosen = chosen.clone();
        move || {
            let code = chosen()?;
            if language == Language::English {
                return Some(code);
            }
            catalogue
                .iter()
                .find(|b| b.code == code)
                .map(|b| b.name_zh.clone())
        }
    });
    let seconds_left: ReadSeconds = seconds_left.unwrap_or_else(|| Arc::new(|| None));
    let closed = Signal::derive({
        let seconds_left = seconds_left.clone();
        move || seconds_left() == Some(0)
    });
    let amount = format::money(&locale, order.currency, &order.total);
    let currency = order.currency;
    let expires_at = order.expires_at.clone();
    let selected_bank: ReadBank = Arc::new(chosen.clone());
    let pay = move |()| {
        if let Some(bank_code) = untrack(&chosen) {
            on_pay.run(PayChoice {
                bank_code,
                card_kind: kind.get_untracked(),
            });
        }
    };

    view! {
        <div class="paydesk-checkout">
            <Review order=order locale=locale.clone() />
            <section class="paydesk-choice">
                <h2 class="paydesk-heading">{locale.text().banks_heading}</h2>
                {card_kind_picker(kind, busy, locale.clone())}
                <BankList
                    banks=banks
                    currency=currency
                    card_kind=kind
                    selected=selected_bank
                    disabled=busy
                    on_select=Callback::new(move |code| selected.set(Some(code)))
                    last_used=last_used
                    locale=locale.clone()
                />
            </section>
            <div class="paydesk-paybar">
                <p class="paydesk-alert" role="alert" hidden=move || error().is_none()>
                    {move || error().unwrap_or_default()}
                </p>
                {countdown(expires_at, seconds_left, locale.clone())}
                {pay_button(amount, chosen_name, busy, closed, Callback::new(pay), locale)}
            </div>
        </div>
    }
}

/// Debit, unless only credit cards can pay this order.
fn initial_card_kind(banks: &[BankOption]) -> CardKind {
    let takes = |kind| {
        banks
            .iter()
            .any(|b| availability(b, kind).unavailable.is_none())
    };
    if !takes(CardKind::Debit) && takes(CardKind::Credit) {
        CardKind::Credit
    } else {
        CardKind::Debit
    }
}
