use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use paydesk_shared::api::WidgetStatus;
use tokio_stream::wrappers::BroadcastStream;

use crate::routes::auth::ClientOrder;
use crate::state::AppState;
use crate::wire;

/// `GET /v1/widget/status`
pub(super) async fn current(
    State(state): State<AppState>,
    ClientOrder(order): ClientOrder,
) -> Json<WidgetStatus> {
    Json(wire::widget_status(&order, state.clock.now_ms()))
}

/// `GET /v1/widget/status/stream`: Server-Sent Events, the current status at once and
/// then every change. Browsers' EventSource reconnects by itself and gets the current
/// status again, so nothing is missed across a dropped connection.
pub(super) async fn stream(
    State(state): State<AppState>,
    ClientOrder(order): ClientOrder,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before reading the status, so a change in between is not lost.
    let changes = BroadcastStream::new(state.status.subscribe());
    let first = wire::widget_status(&order, state.clock.now_ms());
    let order_id = order.id.clone();
    let store = state.store.clone();
    let clock = state.clock.clone();
    let updates = changes.filter_map(move |change| {
        let order_id = order_id.clone();
        let store = store.clone();
        let clock = clock.clone();
        async move {
            match change {
                Ok(status) if status.order_id == order_id => Some((*status).clone()),
                Ok(_) => None,
                // Fell behind: read the truth instead of guessing what was missed.
                Err(_) => store
                    .order_by_id(&order_id)
                    .await
                    .ok()
                    .flatten()
                    .map(|o| wire::widget_status(&o, clock.now_ms())),
            }
        }
    });
    let mut shutdown = state.shutdown.clone();
    let stopped = async move {
        let _ = shutdown.wait_for(|stopped| *stopped).await;
    };
    let events = futures::stream::once(async move { first })
        .chain(updates)
        .take_until(stopped)
        .map(|status| {
            Ok(Event::default()
                .event("status")
                .json_data(status)
                .unwrap_or_default())
        });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
