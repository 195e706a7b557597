//! `paydesk listen --forward-to URL`: the merchant's events, streamed from the gateway
//! (`GET /v1/events/stream`), each forwarded to a local URL signed as the gateway signs
//! webhooks, so a laptop receives them without a public address.

use std::time::Duration;

use anyhow::{Result, bail};
use paydesk_shared::webhook::{self, EventType};

use crate::api::{Api, Refusal};
use crate::clock::{now_secs, stamp};
use crate::sse::{Message, Parser};

/// The longest wait before reconnecting to a stream that dropped.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

pub(crate) struct Listen {
    pub(crate) forward_to: String,
    /// Signs what is forwarded; a new one for the session if not given.
    pub(crate) secret: Option<String>,
    /// Only these event types; every type if empty.
    pub(crate) events: Vec<String>,
}

pub(crate) async fn run(api: &Api, listen: Listen) -> Result<()> {
    if let Some(unknown) = listen
        .events
        .iter()
        .find(|name| EventType::parse(name).is_none())
    {
        bail!(
            "--events: {unknown:?} is not an event type; known: {}",
            EventType::names()
        );
    }
    let secret = listen.secret.clone().unwrap_or_else(webhook::new_secret);
    let mut backoff = Duration::from_secs(1);
    let mut announced = false;
    // The last event forwarded: a new stream resumes after it.
    let mut last: Option<String> = None;
    loop {
        let stream = match api.open_stream("/v1/events/stream", last.as_deref()).await {
            Ok(stream) => stream,
            Err(e)
                if e.downcast_ref::<Refusal>()
                    .is_some_and(|r| r.status.is_client_error()) =>
            {
                return Err(e);
            }
            Err(e) => {
                eprintln!("{}  {e:#}; trying again in {}s", stamp(), backoff.as_secs());
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        backoff = Duration::from_secs(1);
        if !announced {
            println!("Ready! Forwarding your events to {}", listen.forward_to);
            println!("Your webhook signing secret is {secret} (Ctrl-C to stop)");
            announced = true;
        } else {
            println!("{}  reconnected", stamp());
        }
        match forward(api, stream, &listen, &secret, &mut last).await {
            Ok(()) => eprintln!("{}  the gateway closed the stream; reconnecting", stamp()),
            Err(e) => eprintln!("{}  the stream broke ({e:#}); reconnecting", stamp()),
        }
    }
}

/// Forwards every message of one open stream until it ends.
async fn forward(
    api: &Api,
    mut stream: reqwest::Response,
    listen: &Listen,
    secret: &str,
    last: &mut Option<String>,
) -> Result<()> {
    let mut parser = Parser::default();
    while let Some(chunk) = stream.chunk().await? {
        for message in parser.feed(&String::from_utf8_lossy(&chunk)) {
            if listen.events.is_empty() || listen.events.contains(&message.event) {
                deliver(api, &listen.forward_to, secret, &message).await;
            }
            if message.id.is_some() {
                last.clone_from(&message.id);
            }
        }
    }
    Ok(())
}

/// One event to the local URL, and a line for each way.
async fn deliver(api: &Api, url: &str, secret: &str, message: &Message) {
    let id = message.id.as_deref().unwrap_or("");
    println!("{}  --> {} [{id}]", stamp(), message.event);
    let body = message.data.as_bytes();
    let mut request = api
        .http
        .post(url)
        .header("content-type", "application/json")
        .timeout(Duration::from_secs(10));
    for (name, value) in webhook::delivery_headers(&[secret], id, now_secs(), body) {
        request = request.header(name, value);
    }
    match request.body(message.data.clone()).send().await {
        Ok(answer) => println!(
            "{}  <-- [{}] POST {url} [{id}]",
            stamp(),
            answer.status().as_u16()
        ),
        Err(e) => println!("{}  <-- [ERR] POST {url} [{id}]: {e}", stamp()),
    }
}
