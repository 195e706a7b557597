//! Live order status over Server-Sent Events (`GET /v1/widget/status/stream`).
//!
//! `EventSource` reconnects by itself after a dropped connection. When it gives up
//! for good (the gateway restarted and answered an error, a proxy closed it), the
//! stream is reopened after 1 s, doubling up to 30 s. Every (re)connection starts
//! with the order's current status, so nothing missed while offline stays missed.
//! A status that can no longer change (final, and no bank still deciding) ends the
//! stream.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use leptos::prelude::{TimeoutHandle, set_timeout_with_handle};
use paydesk_shared::api::WidgetStatus;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Event, EventSource, MessageEvent};

use crate::wire;

const FIRST_RETRY_MS: u32 = 1_000;
const LAST_RETRY_MS: u32 = 30_000;

/// How the live connection is doing, for the shopper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamHealth {
    /// Connected, or not needed.
    Live,
    /// Lost; reconnecting.
    Reconnecting,
}

/// The wait before the reopen after one that waited `previous_ms`.
pub fn next_retry_ms(previous_ms: u32) -> u32 {
    previous_ms
        .saturating_mul(2)
        .clamp(FIRST_RETRY_MS, LAST_RETRY_MS)
}

type OnStatus = Box<dyn Fn(WidgetStatus)>;
type OnHealth = Box<dyn Fn(StreamHealth)>;

/// An open status stream. Dropping it closes the connection for good.
pub struct StatusStream {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    url: String,
    on_status: Rc<OnStatus>,
    on_health: Rc<OnHealth>,
    connection: Option<Connection>,
    retry: Option<TimeoutHandle>,
    retry_ms: u32,
    done: bool,
}

/// One `EventSource` and the callbacks the browser holds while it is open.
struct Connection {
    source: EventSource,
    _on_status: Closure<dyn FnMut(Event)>,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.source.close();
    }
}

impl StatusStream {
    pub fn open(
        url: &str,
        on_status: impl Fn(WidgetStatus) + 'static,
        on_health: impl Fn(StreamHealth) + 'static,
    ) -> StatusStream {
        let inner = Rc::new(RefCell::new(Inner {
            url: url.to_owned(),
            on_status: Rc::new(Box::new(on_status)),
            on_health: Rc::new(Box::new(on_health)),
            connection: None,
            retry: None,
            retry_ms: 0,
            done: false,
        }));
        connect(&inner);
        StatusStream { inner }
    }
}

impl Drop for StatusStream {
    fn drop(&mut self) {
        let mut inner = self.inner.borrow_mut();
        inner.done = true;
        inner.connection = None;
        if let Some(retry) = inner.retry.take() {
            retry.clear();
        }
    }
}

fn connect(inner: &Rc<RefCell<Inner>>) {
    let (url, on_health) = {
        let i = inner.borrow();
        (i.url.clone(), i.on_health.clone())
    };
    let Ok(source) = EventSource::new(&url) else {
        on_health(StreamHealth::Reconnecting);
        schedule_reopen(inner);
        return;
    };
    let weak = Rc::downgrade(inner);

    let on_status = {
        let weak = weak.clone();
        // Typed as a plain event, like the others, so all three share one glue shape.
        Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            let Some(inner) = weak.upgrade() else { return };
            let event: MessageEvent = event.unchecked_into();
            // An event that does not read is skipped; the next one carries the whole
            // status again.
            let Some(status) = event
                .data()
                .as_string()
                .and_then(|d| wire::parse(&d))
                .and_then(|v| wire::status(&v))
            else {
                return;
            };
            let (on_status, on_health) = {
                let mut i = inner.borrow_mut();
                i.retry_ms = 0;
                if !status.can_change() {
                    i.done = true;
                    if let Some(c) = &i.connection {
                        c.source.close();
                    }
                }
                (i.on_status.clone(), i.on_health.clone())
            };
            on_health(StreamHealth::Live);
            on_status(status);
        })
    };
    let on_open = {
        let on_health = on_health.clone();
        Closure::<dyn FnMut(Event)>::new(move |_: Event| on_health(StreamHealth::Live))
    };
    let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        let Some(inner) = weak.upgrade() else { return };
        let (closed, done, on_health) = {
            let i = inner.borrow();
            let closed = i
                .connection
                .as_ref()
                .is_some_and(|c| c.source.ready_state() == EventSource::CLOSED);
            (closed, i.done, i.on_health.clone())
        };
        if done {
            return;
        }
        on_health(StreamHealth::Reconnecting);
        if closed {
            schedule_reopen(&inner);
        }
    });

    let listened = source
        .add_event_listener_with_callback("status", on_status.as_ref().unchecked_ref())
        .is_ok();
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    inner.borrow_mut().connection = Some(Connection {
        source,
        _on_status: on_status,
        _on_open: on_open,
        _on_error: on_error,
    });
    if !listened {
        schedule_reopen(inner);
    }
}

/// Reopens the stream after the current backoff. The old connection is dropped in
/// the timer, never inside one of its own callbacks.
fn schedule_reopen(inner: &Rc<RefCell<Inner>>) {
    let weak: Weak<RefCell<Inner>> = Rc::downgrade(inner);
    let mut i = inner.borrow_mut();
    if i.done || i.retry.is_some() {
        return;
    }
    i.retry_ms = next_retry_ms(i.retry_ms);
    let wait = Duration::from_millis(u64::from(i.retry_ms));
    i.retry = set_timeout_with_handle(
        move || {
            let Some(inner) = weak.upgrade() else { return };
            {
                let mut i = inner.borrow_mut();
                i.retry = None;
                i.connection = None;
                if i.done {
                    return;
                }
            }
            connect(&inner);
        },
        wait,
    )
    .ok();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_one_to_thirty_seconds() {
        let mut waits = Vec::new();
        let mut ms = 0;
        for _ in 0..8 {
            ms = next_retry_ms(ms);
            waits.push(ms);
        }
        assert_eq!(
            waits,
            [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
        );
    }
}
