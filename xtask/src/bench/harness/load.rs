//! Closed-loop load: a fixed number of kept-alive connections, each sending its next
//! request as soon as the previous answer is read. It finds the most the server does;
//! its latencies are those at saturation. (For latency at a chosen rate see
//! [`super::open_loop`].)

use std::net::SocketAddr;

use anyhow::{Context, Result};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, StatusCode};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::stats::Phase;
use crate::http::{self, Connection};

/// Connections of the closed-loop benchmarks.
pub(crate) const CONNECTIONS: usize = 64;

/// What one load-generating connection sends, and what it keeps of the answers.
pub(crate) trait Load: Send + 'static {
    /// The next request, or `None` when this connection is done.
    fn next_request(&mut self, addr: SocketAddr) -> Option<Result<Request<Full<Bytes>>>>;

    /// The body of a 2xx answer to the last request; an error counts that request as
    /// failed.
    fn answered(&mut self, body: &Bytes) -> Result<()>;
}

/// Runs one kept-alive connection per load, each sending its next request as soon as
/// the previous answer is read, until every load is done; gives the loads back. The
/// connections take the addresses (replicas of one gateway) in turn.
pub(crate) async fn drive<L: Load>(
    addrs: &[SocketAddr],
    loads: impl IntoIterator<Item = L>,
) -> Result<(Phase, Vec<L>)> {
    let started = Instant::now();
    let mut workers = JoinSet::new();
    for (load, &addr) in loads.into_iter().zip(addrs.iter().cycle()) {
        workers.spawn(connection_loop(addr, load));
    }
    let mut phase = Phase::default();
    let mut finished = Vec::with_capacity(workers.len());
    while let Some(done) = workers.join_next().await {
        let (part, load) = done.context("a load-generating task panicked")?;
        phase.merge(part);
        finished.push(load);
    }
    phase.elapsed = started.elapsed();
    Ok((phase, finished))
}

async fn connection_loop<L: Load>(addr: SocketAddr, mut load: L) -> (Phase, L) {
    let mut phase = Phase::default();
    let mut kept: Option<Connection> = None;
    while let Some(request) = load.next_request(addr) {
        let request = match request {
            Ok(request) => request,
            Err(error) => {
                phase.note_error(|| format!("could not build a request: {error:#}"));
                break;
            }
        };
        let mut open = match ready_connection(addr, kept.take()).await {
            Ok(open) => open,
            Err(error) => {
                phase.note_error(|| format!("{error:#}"));
                break;
            }
        };
        let sent = Instant::now();
        let answer = exchange(&mut open, request).await;
        let latency = sent.elapsed();
        if answer.is_ok() {
            kept = Some(open);
        }
        if let Some(body) = tally(&mut phase, answer) {
            if let Err(error) = load.answered(&body) {
                phase.note_error(|| format!("unexpected answer: {error:#}"));
            } else {
                phase.latencies.push(latency);
            }
        }
    }
    (phase, load)
}

/// Counts a failed exchange in `phase`; the body of a 2xx answer, for the caller to
/// check and count.
pub(crate) fn tally(phase: &mut Phase, answer: Result<(StatusCode, Bytes)>) -> Option<Bytes> {
    match answer {
        Ok((status, body)) if status.is_success() => Some(body),
        Ok((status, body)) => {
            phase.note_non_2xx(|| {
                let body = String::from_utf8_lossy(&body);
                format!("{status}: {}", body.chars().take(300).collect::<String>())
            });
            None
        }
        Err(error) => {
            phase.note_error(|| format!("{error:#}"));
            None
        }
    }
}

/// `kept` if the server still holds it open, else a new connection.
pub(crate) async fn ready_connection(
    addr: SocketAddr,
    kept: Option<Connection>,
) -> Result<Connection> {
    if let Some(mut open) = kept {
        // A kept-alive connection the server closed while idle is no failed request.
        if open.ready().await.is_ok() {
            return Ok(open);
        }
    }
    let mut open = http::connect(addr).await?;
    open.ready()
        .await
        .context("the server closed a new connection")?;
    Ok(open)
}

/// Sends `request` and reads the whole answer.
pub(crate) async fn exchange(
    connection: &mut Connection,
    request: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes)> {
    let response = connection.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}
