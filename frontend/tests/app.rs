#![cfg(target_arch = "wasm32")]
// `#[wasm_bindgen_test]` functions are tests too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{mount, wait_until};
use leptos::prelude::*;
use paydesk_widget::api::Api;
use paydesk_widget::app::App;
use paydesk_widget::browser::StatusCallback;
use paydesk_widget::i18n::Locale;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const STATUS: &str = "[data-testid=\"paydesk-status\"]";

/// A gateway nobody answers at: the session cannot load.
fn mount_unreachable() -> common::Mounted {
    mount(|| {
        view! {
            <App
                api=Api::new("http://127.0.0.1:9", "ct_unreachable", "en")
                locale=Locale::new("en")
                on_status=StatusCallback::new(None)
            />
        }
    })
}

fn state(m: &common::Mounted) -> Option<String> {
    m.find(".paydesk").get_attribute("data-state")
}

#[wasm_bindgen_test]
async fn a_session_that_cannot_load_offers_a_retry() {
    let m = mount_unreachable();
    assert!(wait_until(5_000, || state(&m).as_deref() == Some("error")).await);
    assert_eq!(m.find_all(STATUS).len(), 1, "one screen at a time");
    assert!(!m.text(STATUS).is_empty());

    // The retry loads again (and fails again): still one screen, one retry button.
    m.click("button[data-action=retry]");
    assert!(wait_until(5_000, || state(&m).as_deref() == Some("error")).await);
    assert_eq!(m.find_all("button[data-action=retry]").len(), 1);
}
