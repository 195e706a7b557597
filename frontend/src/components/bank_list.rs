//! Choosing the bank: a search, the last-used and popular banks as tiles, then
//! every bank in a keyboard-usable list.

use std::sync::Arc;

use leptos::prelude::*;
use paydesk_shared::Currency;
use paydesk_shared::api::BankOption;
use paydesk_shared::bank::CardKind;

use crate::bank_choice::BankEntry;
use crate::browser;
use crate::components::bank_listbox::bank_listbox;
use crate::components::bank_tiles::bank_tiles;
use crate::format::MoneyFormat;
use crate::i18n::{Locale, Text};

/// A bank code or name read reactively. A plain closure rather than a signal: each
/// signal value type costs the widget its own copy of the reactive code.
pub type ReadBank = Arc<dyn Fn() -> Option<String> + Send + Sync>;

/// What the tiles and the list share.
#[derive(Clone)]
pub struct Banks {
    pub entries: Arc<Vec<BankEntry>>,
    pub text: &'static Text,
    pub card_kind: RwSignal<CardKind>,
    pub selected: ReadBank,
    pub busy: Signal<bool>,
    on_select: Callback<String>,
}

impl Banks {
    /// Chooses `entries[index]` if it can take this payment and nothing is in flight.
    pub fn choose(&self, index: usize) {
        let Some(bank) = self.entries.get(index) else {
            return;
        };
        if !self.busy.get_untracked() && bank.reason(self.card_kind.get_untracked()).is_none() {
            self.on_select.run(bank.code.clone());
        }
    }

    pub fn is_selected(&self, index: usize) -> bool {
        let code = &self.entries[index].code;
        (self.selected)().as_ref() == Some(code)
    }

    pub fn is_unavailable(&self, index: usize) -> bool {
        self.entries[index].reason(self.card_kind.get()).is_some()
    }
}

#[component]
pub fn BankList(
    /// The banks in the gateway's order.
    banks: Vec<BankOption>,
    /// The order's currency, for the limits shown.
    currency: Currency,
    /// Availability is shown for this card kind.
    card_kind: RwSignal<CardKind>,
    /// The code of the chosen bank.
    selected: ReadBank,
    /// Locks every bank, e.g. while the shopper is being sent to one.
    #[prop(into)]
    disabled: Signal<bool>,
    /// Called with the bank's code when the shopper picks an available bank.
    on_select: Callback<String>,
    /// The bank last used on this device, offered first.
    #[prop(optional_no_strip)]
    last_used: Option<String>,
    locale: Locale,
) -> impl IntoView {
    let text = locale.text();
    let money = MoneyFormat::new(&locale, currency);
    let entries: Vec<BankEntry> = banks
        .into_iter()
        .map(|b| BankEntry::new(b, locale.language(), text, &money))
        .collect();
    let last_used = last_used.and_then(|code| entries.iter().position(|b| b.code == code));
    let banks = Banks {
        entries: Arc::new(entries),
        text,
        card_kind,
        selected,
        busy: disabled,
        on_select,
    };
    let query = RwSignal::new(String::new());
    let searching = move || !query.get().trim().is_empty();
    let (list, focus_list) = bank_listbox(banks.clone(), query);
    // Effects run once the view is in the page: the list is usable from here.
    Effect::new(|_| browser::mark_interactive());

    view! {
        <div class="paydesk-banks">
            <label class="paydesk-search">
                <span class="paydesk-search__label">{text.search_label}</span>
                <input
                    class="paydesk-search__input"
                    part="search"
                    data-testid="paydesk-search"
                    type="search"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder=text.search_placeholder
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "ArrowDown" {
                            ev.prevent_default();
                            focus_list.run(());
                        }
                    }
                />
            </label>
            <div hidden=searching>{bank_tiles(banks.clone(), last_used)}</div>
            {list}
        </div>
    }
}
