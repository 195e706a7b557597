//! chromedriver endpoints beyond what fantoccini wraps: the browser's console log and
//! Chrome DevTools Protocol commands.

use fantoccini::Client;
use fantoccini::wd::WebDriverCompatibleCommand;
use hyper::Method;
use url::{ParseError, Url};

/// `POST /session/{id}/{path}` with a JSON body.
#[derive(Debug)]
struct SessionPost {
    path: &'static str,
    body: serde_json::Value,
}

impl WebDriverCompatibleCommand for SessionPost {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &Url) -> (Method, Option<String>) {
        (Method::POST, Some(self.body.to_string()))
    }
}

/// One console message Chromium logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleEntry {
    /// `SEVERE`, `WARNING`, `INFO`, …
    pub level: String,
    pub message: String,
}

/// The console messages logged since the previous call (chromedriver hands each
/// one out once). Needs the `goog:loggingPrefs` capability the browser starts with.
pub(crate) async fn console_log(client: &Client) -> anyhow::Result<Vec<ConsoleEntry>> {
    let entries = client
        .issue_cmd(SessionPost {
            path: "se/log",
            body: serde_json::json!({ "type": "browser" }),
        })
        .await?;
    let entries = entries
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("chromedriver's log is not a list: {entries}"))?;
    Ok(entries
        .iter()
        .map(|entry| ConsoleEntry {
            level: entry["level"].as_str().unwrap_or_default().to_owned(),
            message: entry["message"].as_str().unwrap_or_default().to_owned(),
        })
        .collect())
}

/// Runs a Chrome DevTools Protocol command in the current tab and returns its result.
pub(crate) async fn cdp(
    client: &Client,
    command: &str,
    params: serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    Ok(client
        .issue_cmd(SessionPost {
            path: "goog/cdp/execute",
            body: serde_json::json!({ "cmd": command, "params": params }),
        })
        .await?)
}

/// Network conditions for the current tab: `latency` added to every request, and the
/// throughput in each direction in bytes per second (`-1`: not limited).
pub(crate) async fn emulate_network(
    client: &Client,
    latency: std::time::Duration,
    down_bytes_per_sec: i64,
    up_bytes_per_sec: i64,
) -> anyhow::Result<()> {
    cdp(client, "Network.enable", serde_json::json!({})).await?;
    cdp(
        client,
        "Network.emulateNetworkConditions",
        serde_json::json!({
            "offline": false,
            "latency": u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            "downloadThroughput": down_bytes_per_sec,
            "uploadThroughput": up_bytes_per_sec,
        }),
    )
    .await?;
    Ok(())
}
