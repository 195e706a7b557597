//! "Pay by 14:35 · 12:04 left": the order's expiry and the time left.

use leptos::prelude::*;

use crate::countdown::ReadSeconds;
use crate::format;
use crate::i18n::{Locale, fill};

/// Shows the expiry while it is known. Not a live region: screen readers hear the
/// milestones from the widget's announcer instead of every second.
pub fn countdown(
    // The order's `expires_at`.
    expires_at: String,
    // Seconds left, `None` if unknown.
    seconds_left: ReadSeconds,
    locale: Locale,
) -> impl IntoView + use<> {
    let text = locale.text();
    let deadline = format::epoch_ms(&expires_at)
        .map(|ms| format::time_of_day(&locale, ms))
        .unwrap_or_default();
    let sentence = {
        let seconds_left = seconds_left.clone();
        move || {
            seconds_left()
                .map(|left| fill(text.pay_by, &[&deadline, &format::minutes_seconds(left)]))
                .unwrap_or_default()
        }
    };
    let urgent = seconds_left.clone();
    view! {
        <p
            class="paydesk-countdown"
            part="countdown"
            data-testid="paydesk-countdown"
            hidden=move || seconds_left().is_none()
            data-urgent=move || urgent().is_some_and(|left| left <= 60).then_some("true")
        >
            {sentence}
        </p>
    }
}
