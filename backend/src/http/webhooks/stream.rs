//! `GET /v1/events/stream`: the merchant's events as Server-Sent Events, each as it is
//! stored from the moment the stream opens, or after the event a reconnecting client
//! names in `Last-Event-ID` (`paydesk listen` forwards them to a developer's machine).
//! Every message is `event: <type>`, `id: <event id>` and the event's body exactly as
//! webhooks deliver it. The stream wakes when the webhook dispatcher is rung, on this
//! replica or another, and looks again every second too.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use paydesk_shared::ErrorCode;
use tokio::sync::watch;

use crate::domain::event::{EventFilter, StoredEvent};
use crate::domain::ids::{EventId, MerchantId};
use crate::domain::time::Millis;
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::store::{Store, StoreError};

/// Events read per look, newest first; a look pages further while all it read is new.
const PAGE: u32 = 100;
const MAX_PAGES: usize = 10;
/// An event is stamped before it commits, so one committed just after a look may carry
/// an earlier time than events that look saw: each look reaches this far back.
const SKEW_MS: Millis = 2_000;
const RECHECK: Duration = Duration::from_secs(1);

/// Your events as Server-Sent Events, each as it is stored: `event: <type>`,
/// `id: <event id>` and the event exactly as webhooks deliver it. Send
/// `Last-Event-ID` to resume after an event. `paydesk listen` reads this.
#[utoipa::path(get, path = "/v1/events/stream", tag = "Webhooks", operation_id = "stream_events",
    security(("merchant_key" = [])),
    params(("Last-Event-ID" = Option<String>, Header, description = "Resume after this event.")),
    responses(
        (status = 200, description = "The stream, open until you close it.", content_type = "text/event-stream", body = String),
        (status = 400, description = "`invalid_field`: `Last-Event-ID` is not one of your events."),
    ))]
pub(super) async fn stream(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let mut horizon = state.clock.now_ms() - SKEW_MS;
    let mut seen = HashMap::new();
    if let Some(last) = headers.get("last-event-id") {
        let last = EventId::from(last.to_str().unwrap_or_default());
        let event = state
            .store
            .event(&merchant.id, &last)
            .await?
            .ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::InvalidField,
                    format!("Last-Event-ID: {last:?} is not one of your events"),
                )
            })?;
        // Resume after it: everything stamped from then on that is not that event.
        horizon = event.created_at;
        seen.insert(event.id, event.created_at);
    }
    let cursor = Cursor {
        store: state.store.clone(),
        merchant_id: merchant.id.clone(),
        horizon,
        seen,
        ready: VecDeque::new(),
        rings: state.outbox.watch(),
        shutdown: state.shutdown.clone(),
    };
    let events = futures::stream::unfold(cursor, |mut cursor| async move {
        let event = cursor.next().await?;
        let message = Event::default()
            .event(event.kind.as_str())
            .id(event.id.as_str())
            .data(event.payload);
        Some((Ok(message), cursor))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

struct Cursor {
    store: Arc<dyn Store>,
    merchant_id: MerchantId,
    /// Events stamped before this are not sent (they were, or predate the stream).
    horizon: Millis,
    /// Events sent that are not yet behind the horizon.
    seen: HashMap<EventId, Millis>,
    ready: VecDeque<StoredEvent>,
    rings: watch::Receiver<u64>,
    shutdown: watch::Receiver<bool>,
}

impl Cursor {
    /// The next event to send, oldest first; `None` once the gateway stops.
    async fn next(&mut self) -> Option<StoredEvent> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(event);
            }
            match self.look().await {
                Ok(()) if !self.ready.is_empty() => continue,
                Ok(()) => {}
                Err(e) => tracing::warn!(error = %e, "event stream could not read events"),
            }
            let rung = tokio::time::timeout(RECHECK, self.rings.changed());
            tokio::select! {
                _ = rung => {}
                _ = self.shutdown.wait_for(|stopped| *stopped) => return None,
            }
        }
    }

    /// Queues every event stored since the last look, oldest first.
    async fn look(&mut self) -> Result<(), StoreError> {
        let mut found = Vec::new();
        let mut newest_page_oldest = None;
        let mut filter = EventFilter::default();
        for _ in 0..MAX_PAGES {
            let page = self.store.events(&self.merchant_id, &filter, PAGE).await?;
            newest_page_oldest = newest_page_oldest.or(page.last().map(|e| e.created_at));
            let full = page.len() == PAGE as usize;
            filter.starting_after = page.last().map(|e| e.id.clone());
            let mut reached_known = false;
            for event in page {
                if event.created_at < self.horizon || self.seen.contains_key(&event.id) {
                    reached_known = true;
                } else {
                    found.push(event);
                }
            }
            if reached_known || !full {
                break;
            }
        }
        found.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        for event in &found {
            self.seen.insert(event.id.clone(), event.created_at);
        }
        // What a full newest page no longer shows will not be looked at again.
        if let Some(oldest) = newest_page_oldest.filter(|_| self.seen.len() > PAGE as usize) {
            self.horizon = self.horizon.max(oldest - SKEW_MS);
            let horizon = self.horizon;
            self.seen.retain(|_, at| *at >= horizon);
        }
        self.ready.extend(found);
        Ok(())
    }
}
