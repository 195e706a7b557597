//! What every bank shows, as a tile or in the list: its monogram badge in the
//! bank's colour, its Chinese and English name, and why it cannot take this payment.

use std::sync::Arc;

use leptos::prelude::*;
use paydesk_shared::bank::CardKind;

use crate::bank_choice::BankEntry;

/// Badges hold up to this many letters at full size; longer codes get a smaller font.
const BADGE_LETTERS: usize = 4;

/// The face of `banks[index]`. Its reason, if any, is the element
/// `[data-testid=bank-reason]`.
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
    let reason = {
        let banks = banks.clone();
        move || {
            banks[index]
                .reason(card_kind.get())
                .unwrap_or_default()
                .to_owned()
        }
    };
    let has_reason = {
        let banks = banks.clone();
        move || banks[index].reason(card_kind.get()).is_some()
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
            <span class="paydesk-bank__reason" data-testid="bank-reason" hidden=move || !has_reason()>
                {reason}
            </span>
        </span>
    }
}
