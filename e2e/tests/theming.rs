//! Theming as a designer does it, read back as computed styles in headless Chromium:
//! tokens from the merchant's own stylesheet and through `appearance.variables`,
//! `::part()` rules, the flat preset, and the demo shop's live theming page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fantoccini::elements::Element;
use paydesk_e2e::{Browser, Mode, SharedStack, StackOptions, block_on, eventually};
use serde_json::{Value, json};

static STACK: SharedStack = SharedStack::new(StackOptions::default);

/// The light preset's primary colour, `#1d4ed8`.
const PRIMARY: &str = "rgb(29, 78, 216)";

/// The computed `property` of `css` in the shadow root of the host `#id`, once the
/// widget there has drawn it.
async fn computed(browser: &Browser, id: &str, css: &str, property: &str) -> Option<String> {
    let script = "const host = document.getElementById(arguments[0]);
        const el = host && host.shadowRoot && host.shadowRoot.querySelector(arguments[1]);
        return el ? getComputedStyle(el).getPropertyValue(arguments[2]) : null;";
    let value = browser
        .client
        .execute(script, vec![json!(id), json!(css), json!(property)])
        .await
        .unwrap();
    value.as_str().map(str::to_owned)
}

/// Waits until the computed `property` of the Pay button in `#id` reads `expected`.
async fn pay_button_becomes(browser: &Browser, id: &str, property: &str, expected: &str) {
    let what = format!("#{id} Pay button {property} = {expected}");
    let seen = eventually(&what, || async {
        computed(browser, id, "button[data-action=pay]", property)
            .await
            .filter(|v| v == expected)
    })
    .await;
    assert_eq!(seen, expected);
}

async fn run(browser: &Browser, script: &str, args: Vec<Value>) -> Value {
    browser.client.execute(script, args).await.unwrap()
}

#[test]
fn tokens_parts_and_presets_change_what_the_shopper_sees() {
    block_on(async {
        let stack = STACK.get().await;
        let browser = Browser::start(1280).await.unwrap();
        browser
            .start_checkout(stack, Mode::Embedded, None)
            .await
            .unwrap();
        let host = "paydesk-checkout";
        pay_button_becomes(&browser, host, "background-color", PRIMARY).await;
        let rounded = computed(
            &browser,
            host,
            "button[data-action=pay]",
            "border-top-left-radius",
        )
        .await
        .unwrap();
        assert_ne!(rounded, "2px");

        // The merchant's own stylesheet: a token on the host and a ::part() rule,
        // added through the CSSOM as a stylesheet of the shop's origin would carry them.
        run(
            &browser,
            "const sheet = Array.from(document.styleSheets).find((s) => s.href);
             sheet.insertRule('#paydesk-checkout { --paydesk-color-primary: #0f766e; }', sheet.cssRules.length);
             sheet.insertRule('#paydesk-checkout::part(pay-button) { text-transform: uppercase; }', sheet.cssRules.length);",
            vec![],
        )
        .await;
        pay_button_becomes(&browser, host, "background-color", "rgb(15, 118, 110)").await;
        pay_button_becomes(&browser, host, "text-transform", "uppercase").await;

        // appearance.variables on a second widget of the same order: its own colour,
        // the first keeps the stylesheet's.
        run(
            &browser,
            "const second = document.createElement('div');
             second.id = 'second-checkout';
             document.body.append(second);
             const token = document.querySelector('script[data-client-token]').dataset.clientToken;
             Paydesk.mount(second, { clientToken: token, appearance: { variables: { colorPrimary: '#7c3aed', radiusSmall: '0px', radius: '0px' } } });",
            vec![],
        )
        .await;
        pay_button_becomes(
            &browser,
            "second-checkout",
            "background-color",
            "rgb(124, 58, 237)",
        )
        .await;
        pay_button_becomes(&browser, "second-checkout", "border-top-left-radius", "0px").await;
        pay_button_becomes(&browser, host, "background-color", "rgb(15, 118, 110)").await;

        // The flat preset: square corners and no card shadow.
        browser
            .start_checkout(stack, Mode::Embedded, Some("flat"))
            .await
            .unwrap();
        pay_button_becomes(&browser, host, "border-top-left-radius", "2px").await;
        let shadow = computed(&browser, host, ".paydesk", "box-shadow").await;
        assert_eq!(shadow.as_deref(), Some("none"));
        browser.close().await.unwrap();
    });
}

/// Sets a control of the theming page as the shopper's picker or menu does: a new
/// value, then the `input` event the page listens for.
async fn choose(browser: &Browser, css: &str, value: &str) {
    let control: Element = browser.wait_for(css).await.unwrap();
    run(
        browser,
        "arguments[0].value = arguments[1];
         arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
        vec![serde_json::to_value(&control).unwrap(), json!(value)],
    )
    .await;
}

#[test]
fn the_theming_page_changes_the_widget_live() {
    block_on(async {
        let stack = STACK.get().await;
        let browser = Browser::start(1280).await.unwrap();
        browser
            .client
            .goto(&format!("{}/theme", stack.shop_url))
            .await
            .unwrap();
        browser.widget_state("choose").await.unwrap();
        let host = "paydesk-checkout";
        pay_button_becomes(&browser, host, "background-color", PRIMARY).await;

        // A colour picked (colour inputs take no typing: set it as the picker does).
        choose(&browser, "input[data-token=color-primary]", "#b45309").await;
        pay_button_becomes(&browser, host, "background-color", "rgb(180, 83, 9)").await;
        let snippet = browser.wait_for("#theme-snippet").await.unwrap();
        assert!(snippet.text().await.unwrap().contains("#b45309"));

        // The flat preset chosen from the menu.
        choose(&browser, "#theme-preset", "flat").await;
        pay_button_becomes(&browser, host, "border-top-left-radius", "2px").await;
        pay_button_becomes(&browser, host, "background-color", "rgb(180, 83, 9)").await;
        browser.expect_no_csp_violations().await.unwrap();
        browser.close().await.unwrap();
    });
}
