//! The Paydesk checkout widget: a Leptos app compiled to WebAssembly.
//!
//! The loader script (`assets/paydesk.js`) initialises the module and calls
//! [`mount`]; nothing runs before that.

pub mod api;
pub mod app;
pub mod bank_choice;
pub mod components;
pub mod format;
pub mod i18n;
pub mod idempotency;
pub mod state;
pub mod stream;
pub mod theme;

use std::sync::Once;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::api::Api;
use crate::app::App;
use crate::i18n::Locale;

/// Mounts the widget into `target` for the order behind `client_token`.
///
/// `api_base` is the gateway origin, e.g. `https://pay.example`. `locale` is a BCP 47
/// tag; without one the browser's language is used.
#[wasm_bindgen]
pub fn mount(target: HtmlElement, client_token: String, api_base: String, locale: Option<String>) {
    install_panic_hook();
    let locale = locale
        .filter(|l| !l.trim().is_empty())
        .or_else(browser_language)
        .map_or_else(Locale::default, |tag| Locale::new(&tag));
    let api = Api::new(&api_base, &client_token);
    leptos::mount::mount_to(target, move || view! { <App api=api locale=locale /> }).forget();
}

fn browser_language() -> Option<String> {
    web_sys::window()?.navigator().language()
}

/// Sends panic messages to the console: with `panic = "abort"` they would otherwise
/// vanish into an opaque "unreachable" trap.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            web_sys::console::error_1(&JsValue::from_str(&format!("paydesk: {info}")));
        }));
    });
}
