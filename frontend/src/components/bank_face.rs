//! What every bank shows, as a tile or in the list: its monogram badge in the
//! bank's colour, its Chinese and English name, and why it cannot take this payment
//! or else its single-payment limit.

use std::sync::Arc;

use leptos::prelude::*;
use paydesk_shared::bank::CardKind;

use crate::bank_choice::BankEntry;

/// Badges hold up to this many letters at full size; longer codes get a smaller font.
const BADGE_LETTERS: usize = 4;

/// The face of `banks[index]`. Its note (why it cannot be chosen, or its limit) is
/// the element `[data-testid=bank-note]`; the stylesheet draws it as a warning
/// inside an unavailable bank (`aria-disabled`).
pub fn bank_face(
    banks: &Arc<Vec<BankEntry>>,
    index: usize,
    card_kind: RwSignal<CardKind>,
) -> impl IntoView + use<> {
    let bank = &banks[index];
    let (background, ink) = bank
        .badge
        .clone()
        .map_or((String::new(), ""), |c| (c.background, c.ink));
    let long = bank.code.chars().nth(BADGE_LETTERS).is_some();
    let note = {
        let banks = banks.clone();
        move || banks[index].note(card_kind.get()).to_owned()
    };
    view! {
        <span
            class="paydesk-badge"
            class:paydesk-badge--long=long
            part="bank-badge"
            aria-hidden="true"
            style:--paydesk-bank-colour=background
            style:--paydesk-bank-ink=ink
        >
            {bank.code.clone()}
        </span>
        <span class="paydesk-bank__names">
            <span class="paydesk-bank__zh" lang=bank.zh_lang>{bank.name_zh.clone()}</span>
            <span class="paydesk-bank__en" lang="en">{bank.name_en.clone()}</span>
            <span class="paydesk-bank__note" data-testid="bank-note">{note}</span>
        </span>
    }
}
