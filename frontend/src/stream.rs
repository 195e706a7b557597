//! Live order status over Server-Sent Events (`GET /v1/widget/status/stream`).
//!
//! `EventSource` reconnects by itself after a network error, so the widget only
//! reports how the connection is doing and never reopens it. A final status ends
//! the stream: nothing can change after it.

use paydesk_shared::api::WidgetStatus;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Event, EventSource, MessageEvent};

/// How the live connection is doing, for the shopper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamHealth {
    /// Connected, or not needed.
    Live,
    /// Lost; the browser is reconnecting.
    Reconnecting,
    /// The gateway refused the stream; the browser will not try again.
    Stopped,
}

/// An open status stream. Dropping it closes the connection.
pub struct StatusStream {
    source: EventSource,
    // Held so the browser can keep calling them for as long as the stream is open.
    _on_status: Closure<dyn FnMut(MessageEvent)>,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl StatusStream {
    pub fn open(
        url: &str,
        mut on_status: impl FnMut(WidgetStatus) + 'static,
        on_health: impl Fn(StreamHealth) + 'static,
    ) -> Result<StatusStream, JsValue> {
        let source = EventSource::new(url)?;
        let on_health = std::rc::Rc::new(on_health);

        let on_status = {
            let source = source.clone();
            let on_health = on_health.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let Some(data) = event.data().as_string() else {
                    return;
                };
                // An event that does not parse is skipped; the next one carries the
                // whole status again.
                let Ok(status) = serde_json::from_str::<WidgetStatus>(&data) else {
                    return;
                };
                on_health(StreamHealth::Live);
                let done = status.status.is_final();
                on_status(status);
                if done {
                    source.close();
                }
            })
        };
        source.add_event_listener_with_callback("status", on_status.as_ref().unchecked_ref())?;

        let on_open = {
            let on_health = on_health.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| on_health(StreamHealth::Live))
        };
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));

        let on_error = {
            let source = source.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                on_health(if source.ready_state() == EventSource::CLOSED {
                    StreamHealth::Stopped
                } else {
                    StreamHealth::Reconnecting
                })
            })
        };
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));

        Ok(StatusStream {
            source,
            _on_status: on_status,
            _on_open: on_open,
            _on_error: on_error,
        })
    }
}

impl Drop for StatusStream {
    fn drop(&mut self) {
        self.source.close();
    }
}
