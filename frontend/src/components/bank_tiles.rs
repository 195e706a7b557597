//! The banks offered first, as big buttons: the one last used on this device, then
//! the popular ones.

use leptos::prelude::*;

use crate::components::bank_face::bank_face;
use crate::components::bank_list::Banks;

/// Tiles for the last-used bank (`last_used`, an index into the banks) and the
/// popular ones; nothing if there are none.
pub fn bank_tiles(banks: Banks, last_used: Option<usize>) -> Option<impl IntoView + use<>> {
    let popular =
        (0..banks.entries.len()).filter(|&i| banks.entries[i].popular && Some(i) != last_used);
    let order: Vec<usize> = last_used.into_iter().chain(popular).collect();
    if order.is_empty() {
        return None;
    }
    let text = banks.text;
    let tiles = order
        .into_iter()
        .map(|i| tile(&banks, i, Some(i) == last_used))
        .collect_view();
    Some(view! {
        <h3 class="paydesk-subheading">{text.popular_banks}</h3>
        <ul class="paydesk-tiles" role="list">{tiles}</ul>
    })
}

fn tile(banks: &Banks, index: usize, last_used: bool) -> impl IntoView + use<> {
    let text = banks.text;
    let busy = banks.busy;
    let pressed = {
        let banks = banks.clone();
        move || {
            if banks.is_selected(index) {
                "true"
            } else {
                "false"
            }
        }
    };
    let unavailable = {
        let banks = banks.clone();
        move || banks.is_unavailable(index).then_some("true")
    };
    let choose = {
        let banks = banks.clone();
        move |_| banks.choose(index)
    };
    view! {
        <li>
            <button
                type="button"
                class="paydesk-bank paydesk-tile"
                part="bank-tile"
                data-bank=banks.entries[index].code.clone()
                aria-pressed=pressed
                aria-disabled=unavailable
                disabled=move || busy.get()
                on:click=choose
            >
                {bank_face(&banks.entries, index, banks.card_kind)}
                {last_used.then(|| view! { <span class="paydesk-tile__flag">{text.last_used}</span> })}
            </button>
        </li>
    }
}
