//! The operator API's bank inbox: how many stored verdicts wait to be applied.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, header};
use serde_json::Value;
use tokio::time::{Instant, MissedTickBehavior};

use crate::bench::harness::load::{exchange, ready_connection};
use crate::http::Connection;

const INBOX_PATH: &str = "/v1/operator/bank-inbox";
const POLL_INTERVAL: Duration = Duration::from_millis(10);
/// How long the applier gets to empty the backlog before the benchmark gives up.
pub(super) const APPLY_TIMEOUT: Duration = Duration::from_secs(300);

/// Polls the bank inbox every `POLL_INTERVAL` until nothing waits to be applied;
/// answers the last counts and when they arrived.
pub(super) async fn wait_for_empty_backlog(
    addr: SocketAddr,
    operator_authorization: &str,
) -> Result<(InboxCounts, Instant)> {
    let deadline = Instant::now() + APPLY_TIMEOUT;
    let mut ticks = tokio::time::interval(POLL_INTERVAL);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut kept: Option<Connection> = None;
    loop {
        ticks.tick().await;
        let mut open = ready_connection(addr, kept.take()).await?;
        let request = Request::get(INBOX_PATH)
            .header(header::HOST, addr.to_string())
            .header(header::AUTHORIZATION, operator_authorization)
            .body(Full::new(Bytes::new()))?;
        let (status, body) = exchange(&mut open, request).await?;
        let at = Instant::now();
        kept = Some(open);
        ensure!(
            status.is_success(),
            "GET {INBOX_PATH} answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
        let counts = InboxCounts::parse(&body)?;
        if counts.received == 0 {
            return Ok((counts, at));
        }
        if at >= deadline {
            bail!(
                "the backlog was not empty {}s after the last acknowledgement ({counts})",
                APPLY_TIMEOUT.as_secs()
            );
        }
    }
}

/// `GET /v1/operator/bank-inbox`: stored bank verdicts by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct InboxCounts {
    pub(super) received: u64,
    pub(super) applied: u64,
    pub(super) duplicate: u64,
    pub(super) ignored: u64,
    pub(super) quarantined: u64,
}

impl InboxCounts {
    fn parse(body: &[u8]) -> Result<Self> {
        let value: Value = serde_json::from_slice(body).context("the bank inbox is not JSON")?;
        let count = |name: &str| {
            value[name]
                .as_u64()
                .with_context(|| format!("the bank inbox has no `{name}` count: {value}"))
        };
        Ok(InboxCounts {
            received: count("received")?,
            applied: count("applied")?,
            duplicate: count("duplicate")?,
            ignored: count("ignored")?,
            quarantined: count("quarantined")?,
        })
    }
}

impl std::fmt::Display for InboxCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "received {}, applied {}, duplicate {}, ignored {}, quarantined {}",
            self.received, self.applied, self.duplicate, self.ignored, self.quarantined
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox_counts_parse_and_missing_counts_are_named() {
        let counts = InboxCounts::parse(
            br#"{"received":3,"applied":10,"duplicate":1,"ignored":0,"quarantined":2}"#,
        )
        .unwrap();
        assert_eq!(counts.received, 3);
        assert_eq!(counts.applied, 10);
        assert_eq!(
            counts.to_string(),
            "received 3, applied 10, duplicate 1, ignored 0, quarantined 2"
        );
        let missing = InboxCounts::parse(br#"{"received":0}"#).unwrap_err();
        assert!(missing.to_string().contains("`applied`"), "{missing}");
        assert!(InboxCounts::parse(b"<html>").is_err());
    }
}
