//! The browser harness itself: the options the other tests rely on take effect.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use paydesk_e2e::{Browser, BrowserOptions};

/// A page laid out at the device's width, as every page of the product is.
const PAGE: &str = "data:text/html,<meta name=viewport content='width=device-width'><p>Paydesk";

#[tokio::test]
async fn viewport_width_and_colour_scheme_are_what_was_asked() {
    let light = Browser::start(360).await.unwrap();
    light.client.goto(PAGE).await.unwrap();
    assert_eq!(light.viewport_width().await.unwrap(), 360);
    assert!(!light.page_prefers_dark().await.unwrap());
    light.close().await.unwrap();

    let dark = Browser::start_with(&BrowserOptions::width(768).dark())
        .await
        .unwrap();
    dark.client.goto(PAGE).await.unwrap();
    assert_eq!(dark.viewport_width().await.unwrap(), 768);
    assert!(
        dark.page_prefers_dark().await.unwrap(),
        "the dark browser must report prefers-color-scheme: dark"
    );
    dark.close().await.unwrap();
}
