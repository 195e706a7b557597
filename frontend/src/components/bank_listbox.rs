//! Every bank in one list, usable by keyboard as an ARIA listbox with a roving
//! focus: Up/Down/Home/End move, typing letters jumps to the next bank whose
//! English name, abbreviation or pinyin starts with them, Enter or Space chooses.
//! A bank that cannot take the payment stays reachable, so its reason is heard.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::html::Ul;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

use crate::change_tick::ChangeTick;
use crate::components::bank_face::bank_face;
use crate::components::bank_list::Banks;
use crate::format;

/// Letters typed within this long of each other make one type-ahead prefix.
const TYPE_AHEAD_MS: i64 = 700;

/// Where a key press moves the focus among the `visible` banks (indices into the
/// banks), from the bank at `current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Next,
    Previous,
    First,
    Last,
}

/// The bank a move lands on; `None` if no bank is visible.
pub fn step(visible: &[usize], current: Option<usize>, to: Move) -> Option<usize> {
    let at = current.and_then(|c| visible.iter().position(|&v| v == c));
    let last = visible.len().checked_sub(1)?;
    let position = match (to, at) {
        (Move::First, _) | (Move::Next, None) => 0,
        (Move::Last, _) | (Move::Previous, None) => last,
        (Move::Next, Some(p)) => (p + 1).min(last),
        (Move::Previous, Some(p)) => p.saturating_sub(1),
    };
    visible.get(position).copied()
}

/// The list and a callback that moves the focus into it.
pub fn bank_listbox(
    banks: Banks,
    query: RwSignal<String>,
) -> (impl IntoView + use<>, Callback<()>) {
    let text = banks.text;
    let active = Active::default();
    let typed = Rc::new(RefCell::new((String::new(), 0_i64)));
    let visible = {
        let entries = banks.entries.clone();
        move || {
            let q = query.get();
            (0..entries.len())
                .filter(|&i| entries[i].key.matches(&q))
                .collect::<Vec<usize>>()
        }
    };
    // The one option Tab reaches: the last one focused, else the chosen bank, else
    // the first shown.
    let tab_stop = {
        let banks = banks.clone();
        let visible = visible.clone();
        let active = active.clone();
        move || {
            let v = visible();
            active
                .get()
                .filter(|i| v.contains(i))
                .or_else(|| v.iter().copied().find(|&i| banks.is_selected(i)))
                .or_else(|| v.first().copied())
        }
    };
    let list = NodeRef::<Ul>::new();
    let focus = {
        let active = active.clone();
        move |index: usize| {
            active.set(index);
            let option = list
                .get_untracked()
                .and_then(|ul| ul.children().item(u32::try_from(index).ok()?));
            if let Some(option) = option {
                let _ = option.unchecked_into::<HtmlElement>().focus();
            }
        }
    };
    let focus_list = Callback::new({
        let tab_stop = tab_stop.clone();
        let focus = focus.clone();
        move |()| {
            if let Some(i) = untrack(&tab_stop) {
                focus(i);
            }
        }
    });

    let on_key = {
        let banks = banks.clone();
        let tab_stop = tab_stop.clone();
        let visible = visible.clone();
        move |ev: KeyboardEvent| {
            let current = untrack(&tab_stop);
            let v = untrack(&visible);
            let key = ev.key();
            let target = match key.as_str() {
                "ArrowDown" => step(&v, current, Move::Next),
                "ArrowUp" => step(&v, current, Move::Previous),
                "Home" => step(&v, current, Move::First),
                "End" => step(&v, current, Move::Last),
                "Enter" | " " => {
                    ev.prevent_default();
                    if let Some(i) = current {
                        banks.choose(i);
                    }
                    return;
                }
                _ if key.chars().nth(1).is_none()
                    && !(ev.ctrl_key() || ev.meta_key() || ev.alt_key()) =>
                {
                    let prefix = type_ahead_prefix(&typed, &key);
                    let entries = &banks.entries;
                    next_match(&v, current, &prefix, |i, p| entries[i].key.starts_with(p))
                }
                _ => return,
            };
            ev.prevent_default();
            if let Some(i) = target {
                focus(i);
            }
        }
    };

    let options = (0..banks.entries.len())
        .map(|i| option(&banks, i, query, tab_stop.clone(), active.clone()))
        .collect_view();
    let busy = banks.busy;
    let nothing_found = move || visible().is_empty();
    let view = view! {
        <h3 class="paydesk-subheading">{text.all_banks}</h3>
        <ul
            class="paydesk-list"
            role="listbox"
            part="bank-list"
            aria-label=text.all_banks
            aria-disabled=move || busy.get().then_some("true")
            node_ref=list
            on:keydown=on_key
        >
            {options}
        </ul>
        <p class="paydesk-empty" hidden=move || !nothing_found()>{text.no_bank_matches}</p>
    };
    (view, focus_list)
}

fn option<TabStop>(
    banks: &Banks,
    index: usize,
    query: RwSignal<String>,
    tab_stop: TabStop,
    active: Active,
) -> impl IntoView + use<TabStop>
where
    TabStop: Fn() -> Option<usize> + Send + 'static,
{
    let selected = {
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
    let entries = banks.entries.clone();
    let hidden = move || !entries[index].key.matches(&query.get());
    view! {
        <li
            class="paydesk-bank paydesk-option"
            role="option"
            part="bank-option"
            data-bank=banks.entries[index].code.clone()
            aria-selected=selected
            aria-disabled=unavailable
            tabindex=move || if tab_stop() == Some(index) { "0" } else { "-1" }
            hidden=hidden
            on:focus=move |_| active.set(index)
            on:click=choose
        >
            {bank_face(&banks.entries, index, banks.card_kind)}
        </li>
    }
}

/// The option last focused, read reactively: kept in an atomic with a
/// [`ChangeTick`], rather than in a signal of its own type.
#[derive(Clone)]
struct Active {
    index: Arc<AtomicUsize>,
    changed: ChangeTick,
}

impl Default for Active {
    fn default() -> Self {
        Active {
            index: Arc::new(AtomicUsize::new(usize::MAX)),
            changed: ChangeTick::default(),
        }
    }
}

impl Active {
    fn get(&self) -> Option<usize> {
        self.changed.track();
        Some(self.index.load(Ordering::Relaxed)).filter(|&i| i != usize::MAX)
    }

    fn set(&self, index: usize) {
        self.index.store(index, Ordering::Relaxed);
        self.changed.changed();
    }
}

/// The type-ahead prefix after typing `key`: typed letters within
/// [`TYPE_AHEAD_MS`] add up, a pause starts over.
fn type_ahead_prefix(typed: &RefCell<(String, i64)>, key: &str) -> String {
    let now = format::now_ms();
    let (prefix, at) = &mut *typed.borrow_mut();
    if now.saturating_sub(*at) > TYPE_AHEAD_MS {
        prefix.clear();
    }
    *at = now;
    prefix.push_str(&key.to_ascii_lowercase());
    prefix.clone()
}

/// The next visible bank after `current` whose names start with `prefix`, wrapping
/// round. Repeating one letter ("ccc") cycles through the banks starting with it;
/// a longer prefix may stay on the current bank while it still matches.
pub fn next_match(
    visible: &[usize],
    current: Option<usize>,
    prefix: &str,
    starts_with: impl Fn(usize, &str) -> bool,
) -> Option<usize> {
    let first = prefix.chars().next()?;
    let repeated = prefix.chars().all(|c| c == first);
    let (prefix, skip) = if repeated {
        (prefix.get(..first.len_utf8()).unwrap_or(prefix), 1)
    } else {
        (prefix, 0)
    };
    let at = current
        .and_then(|c| visible.iter().position(|&v| v == c))
        .map_or(0, |p| p + skip);
    let n = visible.len();
    (0..n)
        .map(|k| visible[(at + k) % n])
        .find(|&i| starts_with(i, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_stay_among_the_visible_banks() {
        let v = [2, 5, 7];
        assert_eq!(step(&v, Some(2), Move::Next), Some(5));
        assert_eq!(step(&v, Some(7), Move::Next), Some(7));
        assert_eq!(step(&v, Some(5), Move::Previous), Some(2));
        assert_eq!(step(&v, Some(2), Move::Previous), Some(2));
        assert_eq!(step(&v, Some(5), Move::First), Some(2));
        assert_eq!(step(&v, None, Move::Last), Some(7));
        assert_eq!(step(&v, Some(3), Move::Next), Some(2));
        assert_eq!(step(&[], Some(3), Move::Next), None);
    }

    #[test]
    fn type_ahead_cycles_and_extends() {
        let names = ["abc", "bank of china", "bocom", "ccb", "cmb"];
        let starts = |i: usize, p: &str| names[i].starts_with(p);
        let v = [0, 1, 2, 3, 4];
        assert_eq!(next_match(&v, Some(0), "b", starts), Some(1));
        assert_eq!(next_match(&v, Some(1), "bb", starts), Some(2));
        assert_eq!(next_match(&v, Some(2), "bbb", starts), Some(1));
        assert_eq!(next_match(&v, Some(1), "bo", starts), Some(2));
        assert_eq!(next_match(&v, Some(1), "ba", starts), Some(1));
        assert_eq!(next_match(&v, None, "c", starts), Some(3));
        assert_eq!(next_match(&v, Some(0), "z", starts), None);
        assert_eq!(next_match(&[0, 2], Some(0), "b", starts), Some(2));
    }
}
