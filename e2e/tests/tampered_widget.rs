//! A widget file that does not match its Subresource Integrity is refused by the
//! browser, and the loader says so in the widget's place instead of leaving a blank
//! box. The gateway serves a copy of the built widget with one file changed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use paydesk_e2e::{Browser, BrowserOptions, Stack, StackOptions, block_on, eventually};

/// The text of the alert in the shop's widget element, once there is one.
const ALERT: &str = r##"
const root = document.querySelector("#paydesk-checkout")?.shadowRoot;
const alert = root && root.querySelector("p[role=alert]");
return alert ? alert.textContent : null;
"##;

/// Whether the widget itself ever started.
const WIDGET_RAN: &str = r##"
const root = document.querySelector("#paydesk-checkout")?.shadowRoot;
return !!(root && root.querySelector("div.paydesk"));
"##;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Opens the shop's checkout in a fresh browser (nothing cached) and returns what the
/// widget's element says.
async fn alert_shown(stack: &Stack, language: &'static str) -> String {
    let browser = Browser::start_with(&BrowserOptions::width(1280).language(language))
        .await
        .unwrap();
    browser.client.goto(&stack.shop_url).await.unwrap();
    browser.click("button[data-action=checkout]").await.unwrap();
    let text = eventually("the loader's alert", || async {
        browser
            .client
            .execute(ALERT, vec![])
            .await
            .ok()?
            .as_str()
            .map(str::to_owned)
    })
    .await;
    let ran = browser.client.execute(WIDGET_RAN, vec![]).await.unwrap();
    assert_eq!(ran, false, "a refused file never runs");
    let console = browser.console().await.unwrap();
    assert!(
        console
            .iter()
            .any(|e| e.message.contains("could not start the checkout")),
        "the developer is told why: {console:?}"
    );
    browser.close().await.unwrap();
    text
}

#[test]
fn a_tampered_widget_file_is_refused_and_the_shopper_told() {
    block_on(async {
        let copy = tempfile::tempdir().unwrap();
        copy_dir(&paydesk_e2e::widget_dir().unwrap(), copy.path());
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(copy.path().join("manifest.json")).unwrap())
                .unwrap();
        let version = copy.path().join(manifest["version"].as_str().unwrap());
        let stack = Stack::start_with(StackOptions {
            widget_dir: Some(copy.path().to_owned()),
            ..StackOptions::default()
        })
        .await
        .unwrap();

        let cases = [
            (
                "paydesk-widget.js",
                "en-GB",
                "The checkout could not load. Reload the page to try again.",
            ),
            (
                "paydesk-widget_bg.wasm",
                "zh-CN",
                "支付页面加载失败，请刷新页面重试。",
            ),
            (
                "paydesk-widget.css",
                "zh-TW",
                "支付頁面載入失敗，請重新整理頁面再試。",
            ),
        ];
        for (file, language, expected) in cases {
            let path = version.join(file);
            let original = std::fs::read(&path).unwrap();
            let compressed = version.join(format!("{file}.br"));
            let original_br = std::fs::read(&compressed).ok();
            // One byte more, as a compromised server or cache might add.
            let mut tampered = original.clone();
            tampered.push(b'\n');
            std::fs::write(&path, &tampered).unwrap();
            let _ = std::fs::remove_file(&compressed);

            assert_eq!(alert_shown(&stack, language).await, expected, "{file}");

            std::fs::write(&path, &original).unwrap();
            if let Some(br) = original_br {
                std::fs::write(&compressed, br).unwrap();
            }
        }
    });
}
