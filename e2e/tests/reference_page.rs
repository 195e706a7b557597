//! The API reference page (`/docs`) in real headless Chromium, on a desktop and on a
//! 360 px phone: every operation of the live document is on it, it loads nothing the
//! gateway does not serve, breaks no Content-Security-Policy, has no axe-core violation
//! and never scrolls sideways.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use paydesk_e2e::{Axe, AxeScope, Browser, Network, NetworkOptions};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_page_lists_every_operation_accessibly_under_its_policy() {
    let axe = Axe::from_env().unwrap();
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let doc = net.openapi_document().await.unwrap();
    let operation_ids: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        // The page's anchors spell the id with hyphens.
        .filter_map(|op| op["operationId"].as_str().map(|id| id.replace('_', "-")))
        .collect();
    assert!(operation_ids.len() >= 50);

    for width in [1280, 360] {
        let label = format!("/docs at {width} px");
        let browser = Browser::start(width).await.unwrap();
        browser
            .client
            .goto(&format!("{}/docs", net.gateway_url))
            .await
            .unwrap();
        browser.wait_for("main h1").await.unwrap();
        // Every operation has its own heading on the page, by its id.
        let anchors = browser
            .client
            .execute(
                "return Array.from(document.querySelectorAll('[id]')).map(e => e.id);",
                vec![],
            )
            .await
            .unwrap();
        let anchors: Vec<&str> = anchors
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for id in &operation_ids {
            assert!(
                anchors.iter().any(|a| a.contains(id.as_str())),
                "{label}: no section for {id}"
            );
        }
        // The stylesheet applied: the page is laid out by it, not by the defaults.
        let font = browser
            .client
            .execute("return getComputedStyle(document.body).fontFamily;", vec![])
            .await
            .unwrap();
        assert_ne!(
            font.as_str(),
            Some("\"Times New Roman\""),
            "{label}: unstyled"
        );
        assert_eq!(
            browser.horizontal_overflow().await.unwrap(),
            None,
            "{label} scrolls sideways"
        );
        browser.expect_no_csp_violations().await.unwrap();
        browser
            .expect_accessible(&axe, AxeScope::Page, &label)
            .await
            .unwrap();
        browser.close().await.unwrap();
    }
}
