use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use paydesk_shared::OrderStatus;
use paydesk_shared::api::WidgetStatus;
use tokio_stream::wrappers::BroadcastStream;

use crate::clock::Clock;
use crate::domain::ids::OrderId;
use crate::domain::time::Millis;
use crate::http::auth::ClientOrder;
use crate::http::wire;
use crate::state::AppState;
use crate::store::Store;

/// Where the order stands now.
#[utoipa::path(get, path = "/v1/widget/status", tag = "Widget", operation_id = "get_widget_status",
    security(("client_token" = [])),
    responses((status = 200, description = "The order's status.", body = WidgetStatus)))]
pub(super) async fn current(
    State(state): State<AppState>,
    ClientOrder(order): ClientOrder,
) -> Json<WidgetStatus> {
    Json(wire::widget_status(
        &order,
        &state.public_url,
        state.clock.now_ms(),
    ))
}

/// Server-Sent Events of the order's status: the current status at once and
/// then every change, including `expired` when the order's time runs out unpaid.
/// Browsers' EventSource reconnects by itself and gets the current status again, so
/// nothing is missed across a dropped connection. Each status is sent once: a change
/// heard from this process or another replica, and the order read again every few
/// seconds while it can change, may tell the same thing twice.
#[utoipa::path(get, path = "/v1/widget/status/stream", tag = "Widget", operation_id = "stream_widget_status",
    security(("client_token" = [])),
    params(("client_token" = Option<String>, Query, description = "The client token, for EventSource, which cannot send `Authorization`.")),
    responses((status = 200, description = "`WidgetStatus` events, the current one first, open until closed.", content_type = "text/event-stream", body = String)))]
pub(super) async fn stream(
    State(state): State<AppState>,
    ClientOrder(order): ClientOrder,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before reading the status, so a change in between is not lost.
    let changes = BroadcastStream::new(state.status.subscribe());
    let first = wire::widget_status(&order, &state.public_url, state.clock.now_ms());
    let reader = OrderReader::new(&state, &order.id);
    let updates = {
        let reader = reader.clone();
        changes.filter_map(move |change| {
            let reader = reader.clone();
            async move {
                match change {
                    Ok(status) if status.order_id == reader.order_id => Some((*status).clone()),
                    Ok(_) => None,
                    // Fell behind: read the truth instead of guessing what was missed.
                    Err(_) => reader.status().await,
                }
            }
        })
    };
    let expiry = expiry(reader.clone(), order.expires_at, first.status);
    let rereads = rereads(reader, first.can_change());
    let mut shutdown = state.shutdown.clone();
    let stopped = async move {
        let _ = shutdown.wait_for(|stopped| *stopped).await;
    };
    let events = futures::stream::once(async move { first })
        .chain(futures::stream::select(
            updates,
            futures::stream::select(expiry, rereads),
        ))
        .take_until(stopped)
        .scan(None, |last: &mut Option<WidgetStatus>, status| {
            // Each of the three sources may tell what another already told.
            let new = last.as_ref() != Some(&status);
            *last = Some(status.clone());
            futures::future::ready(Some(new.then_some(status)))
        })
        .filter_map(futures::future::ready)
        .map(|status| {
            Ok(Event::default()
                .event("status")
                .json_data(status)
                .unwrap_or_default())
        });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// How often an open stream reads its order again while it can change.
const REREAD: Duration = Duration::from_secs(5);

/// One `expired` status at the order's expiry, if it is still unpaid then; nothing for
/// an order that is already final. Nothing records expiry in the store (the status is
/// derived from the time), so this is the only push the shopper gets for it.
fn expiry(
    reader: OrderReader,
    expires_at: Millis,
    now: OrderStatus,
) -> BoxStream<'static, WidgetStatus> {
    if now.is_final() {
        return futures::stream::empty().boxed();
    }
    futures::stream::once(async move {
        // The gateway's clock decides, not a timer: a held test clock holds this too.
        reader.clock.sleep_until(expires_at).await;
        reader.status().await
    })
    .filter_map(|status| async move { status.filter(|s| s.status == OrderStatus::Expired) })
    .boxed()
}

/// The order read again every [`REREAD`] while it can still change. A change is
/// published after its commit, so a process killed in between (or a replica's signal
/// lost on the way) would otherwise leave this stream waiting until the shopper
/// reconnects; with this it is late by a few seconds at most.
fn rereads(reader: OrderReader, can_change: bool) -> BoxStream<'static, WidgetStatus> {
    futures::stream::unfold(can_change, move |can_change| {
        let reader = reader.clone();
        async move {
            if !can_change {
                return None;
            }
            tokio::time::sleep(REREAD).await;
            let status = reader.status().await;
            // A failed read is tried again at the next turn.
            let can_change = status.as_ref().is_none_or(WidgetStatus::can_change);
            Some((status, can_change))
        }
    })
    .filter_map(futures::future::ready)
    .boxed()
}

/// Reads one order's status as the widget sees it, for the stream's sources.
#[derive(Clone)]
struct OrderReader {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    public_url: Arc<str>,
    order_id: OrderId,
}

impl OrderReader {
    fn new(state: &AppState, order_id: &OrderId) -> Self {
        OrderReader {
            store: state.store.clone(),
            clock: state.clock.clone(),
            public_url: state.public_url.clone(),
            order_id: order_id.clone(),
        }
    }

    /// The order's status now; `None` if it cannot be read.
    async fn status(&self) -> Option<WidgetStatus> {
        match self.store.order_by_id(&self.order_id).await {
            Ok(order) => {
                order.map(|o| wire::widget_status(&o, &self.public_url, self.clock.now_ms()))
            }
            Err(e) => {
                tracing::warn!(error = %e, order = %self.order_id, "could not read order for its status stream");
                None
            }
        }
    }
}
