//! The widget as mounted on a page: loads the session, starts payments, follows the
//! order's status, and switches between the screens.

use leptos::prelude::*;
use leptos::task::spawn_local;
use paydesk_shared::api::{CreateAttemptRequest, WidgetAttempt, WidgetSession, WidgetStatus};
use paydesk_shared::{ErrorCode, OrderStatus};

use crate::api::{Api, ApiError};
use crate::components::checkout::{Checkout, PayChoice};
use crate::components::status::StatusView;
use crate::i18n::Locale;
use crate::idempotency::AttemptKeys;
use crate::state::{Activity, Phase, Screen, after_status_change};
use crate::stream::{StatusStream, StreamHealth};

#[component]
pub fn App(api: Api, locale: Locale) -> impl IntoView {
    let text = locale.text();
    let activity = RwSignal::new(Activity::Loading);
    let session = RwSignal::new(None::<WidgetSession>);
    let status = RwSignal::new(OrderStatus::Created);
    let last_attempt = RwSignal::new(None::<WidgetAttempt>);
    let load_error = RwSignal::new(None::<&'static str>);
    let pay_error = RwSignal::new(None::<&'static str>);
    let health = RwSignal::new(StreamHealth::Live);
    let stream = StoredValue::new_local(None::<StatusStream>);
    let keys = StoredValue::new(AttemptKeys::default());

    let phase = Memo::new(move |_| Phase::of(activity.get(), status.get()));
    let screen = Memo::new(move |_| phase.get().screen());

    let apply_status = move |order_status: OrderStatus, attempt: Option<WidgetAttempt>| {
        let old = status.get_untracked();
        activity.update(|a| *a = after_status_change(*a, old, order_status));
        status.set(order_status);
        last_attempt.set(attempt);
    };

    // Follows the order while its status can still change. Only ever opened once:
    // `EventSource` reconnects by itself, and a final status closes it for good.
    let follow = {
        let api = api.clone();
        move || {
            if stream.with_value(Option::is_some) || status.get_untracked().is_final() {
                return;
            }
            let opened = StatusStream::open(
                &api.status_stream_url(),
                move |s: WidgetStatus| apply_status(s.status, s.last_attempt),
                move |h| health.set(h),
            );
            match opened {
                Ok(s) => stream.set_value(Some(s)),
                Err(_) => health.set(StreamHealth::Stopped),
            }
        }
    };

    let load = {
        let api = api.clone();
        let follow = follow.clone();
        move || {
            activity.set(Activity::Loading);
            let api = api.clone();
            let follow = follow.clone();
            spawn_local(async move {
                match api.session().await {
                    Ok(loaded) => {
                        status.set(loaded.order.status);
                        last_attempt.set(loaded.order.last_attempt.clone());
                        session.set(Some(loaded));
                        activity.set(Activity::Idle);
                        if matches!(
                            status.get_untracked(),
                            OrderStatus::Pending | OrderStatus::Failed
                        ) {
                            follow();
                        }
                    }
                    Err(e) => {
                        load_error.set(Some(e.message(text)));
                        activity.set(Activity::LoadFailed);
                    }
                }
            });
        }
    };
    load();

    let pay = {
        let api = api.clone();
        move |choice: PayChoice| {
            let before = activity.get_untracked();
            if before == Activity::Redirecting {
                return;
            }
            let key = keys
                .try_update_value(|k| k.key_for(&choice.bank_code, choice.card_kind))
                .unwrap_or_default();
            pay_error.set(None);
            activity.set(Activity::Redirecting);
            let api = api.clone();
            spawn_local(async move {
                let request = CreateAttemptRequest {
                    bank_code: choice.bank_code,
                    card_kind: choice.card_kind,
                };
                let result = api.create_attempt(&request, &key).await;
                let not_payable = matches!(
                    result,
                    Err(ApiError::Rejected {
                        code: ErrorCode::OrderNotPayable,
                        ..
                    })
                );
                let message = match result {
                    // Stay in `redirecting` while the browser leaves the page.
                    Ok(created) if go_to(&created.redirect_url) => return,
                    Ok(_) => text.error_generic,
                    Err(e) => e.message(text),
                };
                pay_error.set(Some(message));
                activity.set(before);
                if not_payable {
                    // Paid, expired or cancelled meanwhile: show that instead.
                    if let Ok(fresh) = api.session().await {
                        apply_status(fresh.order.status, fresh.order.last_attempt);
                    }
                }
            });
        }
    };

    let choose_again = move |()| {
        keys.update_value(AttemptKeys::reset);
        pay_error.set(None);
        activity.set(Activity::ChoosingAgain);
    };

    let view_locale = locale.clone();
    let body = move || match screen.get() {
        Screen::Loading => view! {
            <p class="paydesk-loading" data-testid="paydesk-status" role="status">
                <span class="paydesk-spinner" aria-hidden="true"></span>
                {text.loading}
            </p>
        }
        .into_any(),
        Screen::Error => {
            let load = load.clone();
            view! {
                <div class="paydesk-error">
                    <p class="paydesk-error__message" data-testid="paydesk-status" role="alert">
                        {move || load_error.get().unwrap_or(text.error_generic)}
                    </p>
                    <button
                        type="button"
                        class="paydesk-button paydesk-button--secondary"
                        data-action="retry"
                        on:click=move |_| load()
                    >
                        {text.retry}
                    </button>
                </div>
            }
            .into_any()
        }
        Screen::Checkout => session
            .get_untracked()
            .map(|session| {
                view! {
                    <Checkout
                        session=session
                        busy=Signal::derive(move || phase.get() == Phase::Redirecting)
                        error=pay_error
                        on_pay=Callback::new(pay.clone())
                        locale=view_locale.clone()
                    />
                }
            })
            .into_any(),
        Screen::Status => view! {
            <StatusView
                status=status
                failure_reason=Signal::derive(move || {
                    last_attempt.with(|a| a.as_ref().and_then(|a| a.failure_reason.clone()))
                })
                health=health
                on_choose_again=Callback::new(choose_again)
                locale=view_locale.clone()
            />
        }
        .into_any(),
    };

    view! {
        <div
            class="paydesk"
            data-state=move || phase.get().as_str()
            lang=locale.tag().to_owned()
            role="region"
            aria-label=text.widget_label
        >
            {body}
        </div>
    }
}

/// Sends the browser to the bank's page, exactly as the gateway gave it. Anything
/// but a web page (`javascript:` above all) is refused.
fn go_to(url: &str) -> bool {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return false;
    }
    web_sys::window().is_some_and(|w| w.location().assign(url).is_ok())
}
