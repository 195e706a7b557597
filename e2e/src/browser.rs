use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// A headless Chromium session through its own chromedriver process.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: tempfile::TempDir,
}

const WAIT: Duration = Duration::from_secs(30);

fn free_port() -> anyhow::Result<u16> {
    Ok(StdListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Browser {
    /// Starts chromedriver (`CHROMEDRIVER`, default `/usr/bin/chromedriver`) and a
    /// headless Chromium (`CHROMIUM`, default `/usr/bin/chromium`) `width` px wide.
    pub async fn start(width: u32) -> anyhow::Result<Browser> {
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
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--window-size={width},900"),
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
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
    /// text, which is what one needs to see why.
    pub async fn wait_for(&self, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => Ok(element),
            Err(e) => {
                let url = self
                    .client
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                let text = self.client.find(Locator::Css("body")).await.ok();
                let text = match text {
                    Some(body) => body.text().await.unwrap_or_default(),
                    None => String::new(),
                };
                Err(anyhow::anyhow!(e).context(format!(
                    "waiting for `{css}` on {url}; the page reads:\n{}",
                    text.chars().take(2000).collect::<String>()
                )))
            }
        }
    }

    /// Scrolls the element to the middle of the viewport, as a shopper would before
    /// tapping it (the widget's Pay bar sticks to the bottom edge), then clicks it.
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let element = self.wait_for(css).await?;
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                vec![serde_json::to_value(&element)?],
            )
            .await?;
        element
            .click()
            .await
            .with_context(|| format!("clicking `{css}`"))?;
        Ok(())
    }

    pub async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let field = self.wait_for(css).await?;
        field.clear().await?;
        field.send_keys(text).await?;
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
