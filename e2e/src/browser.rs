use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// How a browser starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserOptions {
    /// Viewport width in CSS pixels.
    pub width: u32,
    /// Viewport height in CSS pixels.
    pub height: u32,
    /// Whether Chromium tells pages the system prefers dark (`prefers-color-scheme`).
    pub prefers_dark: bool,
    /// The browser's language (`navigator.languages` and `Accept-Language`); Chromium's
    /// own if `None`.
    pub language: Option<&'static str>,
}

impl BrowserOptions {
    pub fn width(width: u32) -> Self {
        BrowserOptions {
            width,
            height: 900,
            prefers_dark: false,
            language: None,
        }
    }

    /// A browser whose shopper reads `tag` (`zh-TW`, say).
    pub fn language(self, tag: &'static str) -> Self {
        BrowserOptions {
            language: Some(tag),
            ..self
        }
    }

    pub fn dark(self) -> Self {
        BrowserOptions {
            prefers_dark: true,
            ..self
        }
    }
}

/// A headless Chromium session through its own chromedriver process.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: tempfile::TempDir,
}

/// The narrowest window headless Chromium opens.
const MIN_WINDOW_WIDTH: u32 = 500;

pub(crate) const WAIT: Duration = Duration::from_secs(30);

fn free_port() -> anyhow::Result<u16> {
    Ok(StdListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Browser {
    /// A light-mode browser `width` px wide.
    pub async fn start(width: u32) -> anyhow::Result<Browser> {
        Browser::start_with(&BrowserOptions::width(width)).await
    }

    /// Starts chromedriver (`CHROMEDRIVER`, default `/usr/bin/chromedriver`) and a
    /// headless Chromium (`CHROMIUM`, default `/usr/bin/chromium`) with a fresh
    /// profile, so nothing is cached from an earlier run.
    pub async fn start_with(options: &BrowserOptions) -> anyhow::Result<Browser> {
        let driver_path =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port()?;
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| {
                format!("cannot start {driver_path}; `cargo xtask test` installs it")
            })?;
        let profile = tempfile::tempdir()?;
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--hide-scrollbars".into(),
            format!(
                "--window-size={},{}",
                options.width.max(MIN_WINDOW_WIDTH),
                options.height
            ),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        if options.prefers_dark {
            // As a system in dark mode: pages see `prefers-color-scheme: dark` and
            // native controls turn dark too.
            args.push("--force-dark-mode".into());
        }
        if let Some(tag) = options.language {
            args.push(format!("--lang={tag}"));
            args.push(format!("--accept-lang={tag}"));
        }
        // Headless Chromium keeps windows at least 500 px wide, so the viewport is
        // emulated: phone widths as a touch-screen phone, wider ones as a desktop.
        let phone = options.width < 768;
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                "prefs": { "intl.accept_languages": options.language.unwrap_or("en-US") },
                "mobileEmulation": { "deviceMetrics": {
                    "width": options.width, "height": options.height, "pixelRatio": 1,
                    "mobile": phone, "touch": phone,
                } },
            },
            // Console messages (CSP violations among them) for `console_errors`.
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        let webdriver = format!("http://127.0.0.1:{port}");
        // chromedriver needs a moment to listen: retry the session until a deadline.
        let deadline = Instant::now() + WAIT;
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => {
                    return Err(e).context("chromedriver session");
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Ok(Browser {
            client,
            driver,
            profile,
        })
    }

    /// Waits for `css` to match; on timeout the error carries the page's URL and body
    /// text.
    pub async fn wait_for(&self, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .client
                .wait()
                .at_most(left)
                .for_element(Locator::Css(css))
                .await
            {
                Ok(element) => return Ok(element),
                // The page navigated during the search (a redirect landing): search the
                // page it landed on.
                Err(e) if aborted_by_navigation(&e) && Instant::now() < deadline => {}
                Err(e) => return Err(self.explain(e, css).await),
            }
        }
    }

    /// A failed wait, with the page's URL and body text, which is what one needs to
    /// see why.
    async fn explain(&self, e: fantoccini::error::CmdError, css: &str) -> anyhow::Error {
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let text = match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        anyhow::anyhow!(e).context(format!(
            "waiting for `{css}` on {url}; the page reads:\n{}",
            text.chars().take(2000).collect::<String>()
        ))
    }

    /// Clicks the element `css` finds on the page; see [`Browser::tap`].
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let element = self.wait_for(css).await?;
        self.tap(&element)
            .await
            .with_context(|| format!("clicking `{css}`"))
    }

    pub async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let field = self.wait_for(css).await?;
        replace_text(&field, text).await
    }

    /// Scrolls the element to the middle of the viewport, as a shopper would before
    /// tapping it (the widget's Pay bar sticks to the bottom edge), then clicks it.
    pub(crate) async fn tap(&self, element: &fantoccini::elements::Element) -> anyhow::Result<()> {
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                vec![serde_json::to_value(element)?],
            )
            .await?;
        element.click().await?;
        Ok(())
    }

    /// Ends the WebDriver session; dropping the browser then stops chromedriver.
    pub async fn close(self) -> anyhow::Result<()> {
        self.client.clone().close().await?;
        Ok(())
    }
}

impl Drop for Browser {
    /// Stops chromedriver and every Chromium process of this browser's profile: a
    /// Chromium whose session was never closed (a failed test) outlives chromedriver.
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", &self.profile.path().to_string_lossy()])
            .status();
    }
}

/// Types into a field, replacing what it held.
pub(crate) async fn replace_text(
    field: &fantoccini::elements::Element,
    text: &str,
) -> anyhow::Result<()> {
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

/// Chromium's answer to a command that a navigation interrupted.
fn aborted_by_navigation(e: &fantoccini::error::CmdError) -> bool {
    matches!(e, fantoccini::error::CmdError::NotW3C(serde_json::Value::String(why)) if why == "aborted by navigation")
}
