//! Checks on the page as a whole: the console, horizontal scrolling, colour scheme,
//! full-page screenshots.

use anyhow::Context;

use crate::Browser;
use crate::driver::{self, ConsoleEntry};

/// How Chromium words a Content-Security-Policy violation in the console.
const CSP_MARKER: &str = "Content Security Policy";

impl Browser {
    /// The console messages logged since the previous call.
    pub async fn console(&self) -> anyhow::Result<Vec<ConsoleEntry>> {
        driver::console_log(&self.client).await
    }

    /// Fails with every Content-Security-Policy violation the console reported since
    /// the previous console read. Other messages are returned for the caller to judge.
    pub async fn expect_no_csp_violations(&self) -> anyhow::Result<Vec<ConsoleEntry>> {
        let entries = self.console().await?;
        let violations: Vec<&ConsoleEntry> = entries
            .iter()
            .filter(|e| e.message.contains(CSP_MARKER))
            .collect();
        anyhow::ensure!(
            violations.is_empty(),
            "the page broke its Content-Security-Policy:\n{}",
            violations
                .iter()
                .map(|e| format!("  {} {}", e.level, e.message))
                .collect::<Vec<_>>()
                .join("\n")
        );
        Ok(entries)
    }

    /// `(scrollWidth, clientWidth)` of the page when it scrolls sideways.
    pub async fn horizontal_overflow(&self) -> anyhow::Result<Option<(u64, u64)>> {
        let sizes = self
            .client
            .execute(
                "const e = document.scrollingElement; return [e.scrollWidth, e.clientWidth];",
                vec![],
            )
            .await?;
        let width = |i: usize| sizes[i].as_u64().context("a page width");
        let (scroll, client) = (width(0)?, width(1)?);
        Ok((scroll > client).then_some((scroll, client)))
    }

    /// Whether the page sees `prefers-color-scheme: dark`.
    pub async fn page_prefers_dark(&self) -> anyhow::Result<bool> {
        let dark = self
            .client
            .execute(
                "return matchMedia('(prefers-color-scheme: dark)').matches;",
                vec![],
            )
            .await?;
        dark.as_bool().context("matchMedia answers a boolean")
    }

    /// The viewport's width in CSS pixels.
    pub async fn viewport_width(&self) -> anyhow::Result<u64> {
        let width = self
            .client
            .execute("return document.documentElement.clientWidth;", vec![])
            .await?;
        width.as_u64().context("a viewport width")
    }

    /// A PNG of the whole page, as tall as its content.
    pub async fn full_page_png(&self) -> anyhow::Result<Vec<u8>> {
        use base64::Engine as _;
        // The height the shopper can scroll through.
        let size = self
            .client
            .execute(
                "const e = document.scrollingElement; return [e.clientWidth, e.scrollHeight];",
                vec![],
            )
            .await?;
        let shot = driver::cdp(
            &self.client,
            "Page.captureScreenshot",
            serde_json::json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "scale": 1, "width": size[0], "height": size[1] },
            }),
        )
        .await?;
        let data = shot["data"]
            .as_str()
            .context("Page.captureScreenshot returned no data")?;
        Ok(base64::engine::general_purpose::STANDARD.decode(data)?)
    }
}
