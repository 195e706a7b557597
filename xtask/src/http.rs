//! A bare HTTP/1.1 client over one kept-alive connection: enough for readiness checks
//! and the benchmark, which must measure the server rather than a pooling client.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

pub(crate) type Connection = SendRequest<Full<Bytes>>;

/// How long one readiness probe may take before it counts as "not yet".
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Opens one HTTP/1.1 connection; requests on it reuse the socket (keep-alive).
pub(crate) async fn connect(addr: SocketAddr) -> Result<Connection> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("could not connect to {addr}"))?;
    // Without NODELAY every small request waits on Nagle's algorithm.
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .with_context(|| format!("HTTP handshake with {addr} failed"))?;
    // The connection's own error also fails the next `send_request`, which reports it.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// A GET with no body, for `connect`ed connections.
pub(crate) fn get(addr: SocketAddr, path: &str) -> Result<Request<Full<Bytes>>> {
    Ok(Request::get(path)
        .header(header::HOST, addr.to_string())
        .body(Full::new(Bytes::new()))?)
}

/// Whether `GET /health` answers 2xx right now.
pub(crate) async fn is_healthy(addr: SocketAddr) -> bool {
    let probe = async {
        let mut connection = connect(addr).await?;
        let response = connection.send_request(get(addr, "/health")?).await?;
        let status = response.status();
        response.into_body().collect().await?;
        anyhow::Ok(status.is_success())
    };
    matches!(
        tokio::time::timeout(PROBE_TIMEOUT, probe).await,
        Ok(Ok(true))
    )
}
