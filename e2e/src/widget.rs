//! Reaching into the widget, which lives in an open shadow root the loader attaches to
//! the merchant's element. WebDriver's ordinary finds stop at shadow roots, so these
//! go through Find Element From Shadow Root, and clicks stay real WebDriver clicks.

use std::time::{Duration, Instant};

use anyhow::Context;
use fantoccini::Locator;
use fantoccini::elements::{Element, ElementRef};

use crate::Browser;
use crate::browser::WAIT;

/// The W3C WebDriver key under which a script's returned element travels.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The one element on the page whose shadow root holds the widget.
const FIND_HOST: &str = r#"
const hosts = Array.from(document.querySelectorAll("*"))
  .filter((e) => e.shadowRoot && e.shadowRoot.querySelector("div.paydesk"));
return hosts.length === 1 ? hosts[0] : hosts.length;
"#;

/// What the widget shows: its state and its text, for error messages.
const DESCRIBE: &str = r#"
const host = Array.from(document.querySelectorAll("*"))
  .find((e) => e.shadowRoot && e.shadowRoot.querySelector("div.paydesk"));
if (!host) { return "no widget shadow root on " + location.href + "; the page reads: "
  + document.body.innerText.slice(0, 1500); }
const root = host.shadowRoot.querySelector("div.paydesk");
return "widget on " + location.href + " in state `" + root.dataset.state + "` reads: "
  + root.innerText.slice(0, 1500);
"#;

/// Relative luminance of the widget root's text colour, above one half.
const WIDGET_IS_DARK: &str = r#"
const host = Array.from(document.querySelectorAll("*"))
  .find((e) => e.shadowRoot && e.shadowRoot.querySelector("div.paydesk"));
const color = getComputedStyle(host.shadowRoot.querySelector("div.paydesk")).color;
const [r, g, b] = color.match(/[\d.]+/g).slice(0, 3).map((v) => {
  const c = Number(v) / 255;
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
});
return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5;
"#;

impl Browser {
    /// The widget's host element, once the loader has mounted it.
    pub async fn widget_host(&self) -> anyhow::Result<Element> {
        self.poll("the widget's shadow host", || async {
            let found = self.client.execute(FIND_HOST, vec![]).await?;
            Ok(found.get(ELEMENT_KEY).and_then(|id| id.as_str()).map(|id| {
                Element::from_element_id(self.client.clone(), ElementRef::from(id.to_owned()))
            }))
        })
        .await
    }

    /// The first element matching `css` inside the widget's shadow root, waiting for
    /// it to appear.
    pub async fn widget_find(&self, css: &str) -> anyhow::Result<Element> {
        self.poll(&format!("`{css}` in the widget"), || async {
            self.widget_find_now(css).await
        })
        .await
    }

    /// The element matching `css` in the widget right now, if any.
    pub async fn widget_find_now(&self, css: &str) -> anyhow::Result<Option<Element>> {
        let found = self.client.execute(FIND_HOST, vec![]).await?;
        let Some(id) = found.get(ELEMENT_KEY).and_then(|id| id.as_str()) else {
            return Ok(None);
        };
        let host = Element::from_element_id(self.client.clone(), ElementRef::from(id.to_owned()));
        let root = host.shadow_root().await?;
        match root.find(Locator::Css(css)).await {
            Ok(element) => Ok(Some(element)),
            Err(e) if e.is_no_such_element() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Waits for the widget's root to reach `state` (`choose`, `pending`, `paid`, …).
    pub async fn widget_state(&self, state: &str) -> anyhow::Result<()> {
        self.widget_find(&format!("div.paydesk[data-state={state}]"))
            .await
            .map(drop)
    }

    /// The widget's current `data-state`.
    pub async fn widget_current_state(&self) -> anyhow::Result<String> {
        let root = self.widget_find("div.paydesk").await?;
        Ok(root.attr("data-state").await?.unwrap_or_default())
    }

    /// Whether the widget is drawn dark: its text is lighter than mid-grey.
    pub async fn widget_is_dark(&self) -> anyhow::Result<bool> {
        self.widget_find("div.paydesk").await?;
        let dark = self.client.execute(WIDGET_IS_DARK, vec![]).await?;
        dark.as_bool()
            .with_context(|| format!("reading the widget's text colour: {dark}"))
    }

    /// Clicks a widget element as a shopper would; see [`Browser::tap`].
    pub async fn widget_click(&self, css: &str) -> anyhow::Result<()> {
        let element = self.widget_find(css).await?;
        self.tap(&element)
            .await
            .with_context(|| format!("clicking `{css}` in the widget"))
    }

    /// Types into a widget field, replacing what it held.
    pub async fn widget_fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let field = self.widget_find(css).await?;
        crate::browser::replace_text(&field, text).await
    }

    /// The visible text of a widget element.
    pub async fn widget_text(&self, css: &str) -> anyhow::Result<String> {
        Ok(self.widget_find(css).await?.text().await?.trim().to_owned())
    }

    /// Retries `attempt` until it yields something or [`WAIT`] passes; the error then
    /// says what the widget showed.
    async fn poll<T, F, Fut>(&self, what: &str, mut attempt: F) -> anyhow::Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<Option<T>>>,
    {
        let deadline = Instant::now() + WAIT;
        let mut last_error = None;
        loop {
            match attempt().await {
                Ok(Some(found)) => return Ok(found),
                Ok(None) => {}
                // A page navigating away mid-lookup makes the element stale; try again.
                Err(e) => last_error = Some(e),
            }
            if Instant::now() > deadline {
                let shows = self
                    .client
                    .execute(DESCRIBE, vec![])
                    .await
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let error = last_error.unwrap_or_else(|| anyhow::anyhow!("not found"));
                return Err(error.context(format!("waiting {WAIT:?} for {what}; {shows}")));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
