//! The banks to pay with: searchable, popular ones first, each a button showing its
//! badge, Chinese and English name, and why it cannot take this payment if so.

use leptos::prelude::*;
use paydesk_shared::Currency;
use paydesk_shared::api::BankOption;
use paydesk_shared::bank::CardKind;

use crate::bank_choice::{SearchKey, availability, unavailable_reason};
use crate::format::MoneyFormat;
use crate::i18n::{Locale, Text};
use crate::theme::badge_colours;

/// Badges hold up to this many letters at full size; longer codes get a smaller font.
const BADGE_LETTERS: usize = 4;

#[component]
pub fn BankList(
    /// The banks in the gateway's order; popular ones are shown first.
    banks: Vec<BankOption>,
    /// The order's currency, for the limits shown.
    currency: Currency,
    /// Availability is shown for this card kind.
    #[prop(into)]
    card_kind: Signal<CardKind>,
    /// The code of the chosen bank.
    #[prop(into)]
    selected: Signal<Option<String>>,
    /// Locks every bank, e.g. while the shopper is being sent to one.
    #[prop(into)]
    disabled: Signal<bool>,
    /// Called with the bank's code when the shopper picks an available bank.
    on_select: Callback<String>,
    locale: Locale,
) -> impl IntoView {
    let text = locale.text();
    let query = RwSignal::new(String::new());
    let money = MoneyFormat::new(&locale, currency);
    let keys: Vec<SearchKey> = banks.iter().map(SearchKey::new).collect();
    let any_found = move || {
        let query = query.get();
        keys.iter().any(|k| k.matches(&query))
    };
    let (popular, other): (Vec<_>, Vec<_>) = banks.into_iter().partition(|b| b.popular);
    let shared = ButtonProps {
        text,
        query,
        card_kind,
        selected,
        disabled,
        on_select,
    };

    view! {
        <div class="paydesk-banks">
            <label class="paydesk-search">
                <span class="paydesk-search__label">{text.search_label}</span>
                <input
                    class="paydesk-search__input"
                    type="search"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder=text.search_placeholder
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </label>
            {group(text.popular_banks, popular, &money, shared)}
            {group(text.other_banks, other, &money, shared)}
            <p class="paydesk-banks__empty" hidden=any_found>
                {text.no_bank_matches}
            </p>
        </div>
    }
}

/// What every bank button of one list shares.
#[derive(Clone, Copy)]
struct ButtonProps {
    text: &'static Text,
    query: RwSignal<String>,
    card_kind: Signal<CardKind>,
    selected: Signal<Option<String>>,
    disabled: Signal<bool>,
    on_select: Callback<String>,
}

fn group(
    title: &'static str,
    banks: Vec<BankOption>,
    money: &MoneyFormat,
    props: ButtonProps,
) -> Option<impl IntoView + use<>> {
    if banks.is_empty() {
        return None;
    }
    let keys: Vec<SearchKey> = banks.iter().map(SearchKey::new).collect();
    let query = props.query;
    let empty = move || {
        let query = query.get();
        !keys.iter().any(|k| k.matches(&query))
    };
    let buttons = banks
        .into_iter()
        .map(|bank| bank_item(bank, money, props))
        .collect_view();
    Some(view! {
        <div class="paydesk-bank-group" hidden=empty>
            <h3 class="paydesk-bank-group__title">{title}</h3>
            <ul class="paydesk-bank-group__list">{buttons}</ul>
        </div>
    })
}

fn bank_item(bank: BankOption, money: &MoneyFormat, props: ButtonProps) -> impl IntoView + use<> {
    let ButtonProps {
        text,
        query,
        card_kind,
        selected,
        disabled,
        on_select,
    } = props;
    let key = SearchKey::new(&bank);
    let reasons = [CardKind::Debit, CardKind::Credit]
        .map(|kind| unavailable_reason(text, kind, availability(&bank, kind), |a| money.format(a)));
    let reason = move || match card_kind.get() {
        CardKind::Debit => reasons[0].clone(),
        CardKind::Credit => reasons[1].clone(),
    };
    let unavailable = {
        let reason = reason.clone();
        move || reason().is_some()
    };
    let colours = badge_colours(&bank.colour);
    let (background, ink) = colours.map_or((String::new(), ""), |c| (c.background, c.ink));
    let long_code = bank.code.chars().count() > BADGE_LETTERS;
    let code = bank.code.clone();
    let is_selected = move || selected.get().as_deref() == Some(code.as_str());
    let code = bank.code.clone();
    let choose = {
        let unavailable = unavailable.clone();
        move |_| {
            if !disabled.get_untracked() && !unavailable() {
                on_select.run(code.clone());
            }
        }
    };

    view! {
        <li class="paydesk-bank-group__item" hidden=move || !key.matches(&query.get())>
            <button
                type="button"
                class="paydesk-bank"
                data-bank=bank.code.clone()
                disabled=move || disabled.get() || unavailable()
                aria-pressed=move || if is_selected() { "true" } else { "false" }
                style:--paydesk-bank-colour=background
                style:--paydesk-bank-ink=ink
                on:click=choose
            >
                <span
                    class="paydesk-bank__badge"
                    class:paydesk-bank__badge--long=long_code
                    aria-hidden="true"
                >
                    {bank.code.clone()}
                </span>
                <span class="paydesk-bank__names">
                    <span class="paydesk-bank__name-zh" lang="zh-CN">
                        {bank.name_zh}
                    </span>
                    <span class="paydesk-bank__name-en">{bank.name_en}</span>
                    {move || {
                        reason().map(|r| view! { <span class="paydesk-bank__reason">{r}</span> })
                    }}
                </span>
            </button>
        </li>
    }
}
