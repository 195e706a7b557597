//! What the widget asks of the browser beyond the DOM: the shopper's languages, a
//! remembered bank, a performance mark, the merchant's status callback, leaving for
//! the bank and coming back through the history. Each call is guarded: a merchant page may block storage, and nothing
//! here may break the checkout.

use std::sync::atomic::{AtomicBool, Ordering};

use js_sys::{Function, Object, Reflect};
use paydesk_shared::OrderStatus;
use paydesk_shared::api::WidgetAttempt;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

/// Where the bank last used on this device is kept.
pub const LAST_BANK_KEY: &str = "paydesk:last-bank";

/// The mark the time-to-interactive benchmark measures to.
pub const INTERACTIVE_MARK: &str = "paydesk:interactive";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = performance, js_name = mark)]
    fn performance_mark(name: &str) -> Result<JsValue, JsValue>;
}

/// The browser's preferred languages, most preferred first.
pub fn languages() -> Vec<String> {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let listed: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .collect();
    if listed.is_empty() {
        navigator.language().into_iter().collect()
    } else {
        listed
    }
}

fn storage() -> Option<web_sys::Storage> {
    // `localStorage` throws on some pages (sandboxed frames, blocked cookies).
    web_sys::window()?.local_storage().ok()?
}

/// The code of the bank last used on this device, if the browser lets the widget
/// keep one.
pub fn last_bank() -> Option<String> {
    storage()?
        .get_item(LAST_BANK_KEY)
        .ok()?
        .filter(|code| !code.is_empty())
}

/// Remembers `code` as the bank last used; silently skipped where storage is off.
pub fn remember_bank(code: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(LAST_BANK_KEY, code);
    }
}

/// Marks the moment the bank list can first be used, once per page.
pub fn mark_interactive() {
    static MARKED: AtomicBool = AtomicBool::new(false);
    if !MARKED.swap(true, Ordering::Relaxed) {
        let _ = performance_mark(INTERACTIVE_MARK);
    }
}

/// Sends the browser to the bank's page, exactly as the gateway gave it. Anything
/// but a web page (`javascript:` above all) is refused.
pub fn go_to(url: &str) -> bool {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return false;
    }
    web_sys::window().is_some_and(|w| w.location().assign(url).is_ok())
}

/// Calls `restored` each time the page comes back from the browser's back-forward
/// cache (the shopper pressed Back on the bank's page): it is shown as it was left,
/// in the middle of leaving for the bank. The listener lives as long as the page.
pub fn on_page_restored(restored: impl Fn() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    // The same closure shape as the status stream's listeners: no new glue.
    let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let persisted = Reflect::get(&event, &JsValue::from_str("persisted"));
        if persisted.is_ok_and(|p| p.is_truthy()) {
            restored();
        }
    });
    let _ = window.add_event_listener_with_callback("pageshow", listener.as_ref().unchecked_ref());
    listener.forget();
}

/// The merchant's `on_status` callback.
#[derive(Clone)]
pub struct StatusCallback(Option<Function>);

impl StatusCallback {
    pub fn new(callback: Option<Function>) -> StatusCallback {
        StatusCallback(callback)
    }

    /// Calls back with `{status, orderId, bankCode, failureReason}`. An exception in
    /// the merchant's code stays there.
    pub fn report(&self, status: OrderStatus, order_id: &str, attempt: Option<&WidgetAttempt>) {
        let Some(callback) = &self.0 else {
            return;
        };
        let detail = Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = Reflect::set(&detail, &JsValue::from_str(key), &value);
        };
        let text = |s: Option<&str>| s.map_or(JsValue::NULL, JsValue::from_str);
        set("status", JsValue::from_str(status.as_str()));
        set("orderId", JsValue::from_str(order_id));
        set("bankCode", text(attempt.map(|a| a.bank_code.as_str())));
        set(
            "failureReason",
            text(attempt.and_then(|a| a.failure_reason.as_deref())),
        );
        let _ = callback.call1(&JsValue::NULL, &detail);
    }
}
