//! The Paydesk checkout widget: a Leptos app compiled to WebAssembly.
//!
//! The loader script (`assets/paydesk.js`) initialises the module and calls
//! [`mount`]; nothing runs before that.

pub mod api;
pub mod app;
pub mod bank_choice;
pub mod browser;
pub mod change_tick;
pub mod components;
pub mod countdown;
pub mod format;
pub mod i18n;
pub mod idempotency;
pub mod state;
pub mod stream;
pub mod theme;
pub mod wire;

use leptos::prelude::*;
use paydesk_shared::api::WidgetMode;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::api::Api;
use crate::app::App;
use crate::browser::StatusCallback;
use crate::i18n::Locale;

/// Mounts the widget into `container` for the order behind `client_token`.
///
/// `api_base` is the gateway origin, e.g. `https://pay.example`. `locale` is a BCP 47
/// tag; without one the browser's languages decide. `mode` is `"embedded"` (the
/// default) or `"hosted"`. `on_status` is called with
/// `{status, orderId, bankCode, failureReason}` on the first load and every change.
/// `session`, if given, is the `fetch` of `GET /v1/widget/session` in the widget's
/// language that the loader started alongside the widget's files; the first load
/// reads it instead of asking again.
#[wasm_bindgen]
pub fn mount(
    container: HtmlElement,
    client_token: String,
    api_base: String,
    locale: Option<String>,
    mode: Option<String>,
    on_status: Option<js_sys::Function>,
    session: Option<js_sys::Promise>,
) {
    let locale = Locale::choose(locale.as_deref(), &browser::languages());
    let mode = mode
        .as_deref()
        .and_then(WidgetMode::parse)
        .unwrap_or_default();
    let api = Api::new(&api_base, &client_token, locale.language().tag());
    let on_status = StatusCallback::new(on_status);
    leptos::mount::mount_to(container, move || {
        view! { <App api=api locale=locale mode=mode on_status=on_status prefetched=session /> }
    })
    .forget();
}
