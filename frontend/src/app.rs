//! The widget as mounted on a page: loads the session, starts payments, follows the
//! order's status, counts down to its expiry, and switches between the screens.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use leptos::html::Div;
use leptos::prelude::*;
use leptos::tachys::view::{Mountable, Render};
use leptos::task::spawn_local;
use paydesk_shared::api::{CreateAttemptRequest, WidgetAttempt, WidgetMode, WidgetStatus};
use paydesk_shared::{ErrorCode, OrderStatus};
use web_sys::Element;

use crate::api::Api;
use crate::browser::{self, StatusCallback};
use crate::components::checkout::{Checkout, PayChoice};
use crate::components::status::{StatusView, title};
use crate::countdown::{Milestone, milestone, use_seconds_left};
use crate::format;
use crate::i18n::Locale;
use crate::idempotency::AttemptKeys;
use crate::state::{Activity, Phase, Screen, Widget, after_status_change, expires_here};
use crate::stream::{StatusStream, StreamHealth};

#[component]
pub fn App(
    api: Api,
    locale: Locale,
    /// Sent with every attempt: where the bank returns the shopper.
    #[prop(optional)]
    mode: WidgetMode,
    /// The merchant's status callback.
    on_status: StatusCallback,
    /// The session request the loader already started, read by the first load.
    #[prop(optional_no_strip)]
    prefetched: Option<js_sys::Promise>,
) -> impl IntoView {
    let text = locale.text();
    let state = RwSignal::new(Widget::default());
    let reconnecting = RwSignal::new(false);
    let announcement = RwSignal::new(String::new());
    let stream = Rc::new(RefCell::new(None::<StatusStream>));
    let keys = Arc::new(Mutex::new(AttemptKeys::default()));
    let last_bank = browser::last_bank();

    let phase = move || state.with(Widget::phase);
    let status = move || state.with(|s| s.status);
    let seconds_left = use_seconds_left(move || {
        state.with(|s| {
            s.session
                .as_ref()
                .and_then(|s| format::epoch_ms(&s.order.expires_at))
        })
    });

    let apply_status = move |order_status: OrderStatus,
                             attempt: Option<WidgetAttempt>,
                             receipt_url: Option<String>,
                             extra_payment_refunded: bool| {
        state.update(|s| {
            s.activity = after_status_change(s.activity, order_status);
            s.status = order_status;
            s.last_attempt = attempt;
            s.receipt_url = receipt_url;
            s.extra_payment_refunded = extra_payment_refunded;
        });
    };

    // Followed from the first load, also for a new order (another tab may pay it), until
    // nothing can change.
    let follow = {
        let api = api.clone();
        move |can_change: bool| {
            if stream.borrow().is_some() || !can_change {
                return;
            }
            let opened = StatusStream::open(
                &api.status_stream_url(),
                move |s: WidgetStatus| {
                    apply_status(
                        s.status,
                        s.last_attempt,
                        s.receipt_url,
                        s.extra_payment_refunded,
                    )
                },
                move |h| {
                    reconnecting.try_set(h == StreamHealth::Reconnecting);
                },
            );
            *stream.borrow_mut() = Some(opened);
        }
    };

    let prefetched = Rc::new(RefCell::new(prefetched));
    let load = {
        let api = api.clone();
        move || {
            state.update(|s| s.activity = Activity::Loading);
            let api = api.clone();
            let follow = follow.clone();
            let prefetched = prefetched.borrow_mut().take();
            spawn_local(async move {
                match api.session(prefetched).await {
                    Ok(loaded) => {
                        let can_change = loaded.order.can_change();
                        state.update(|s| {
                            s.status = loaded.order.status;
                            s.last_attempt = loaded.order.last_attempt.clone();
                            s.receipt_url = loaded.order.receipt_url.clone();
                            s.extra_payment_refunded = loaded.order.extra_payment_refunded;
                            s.session = Some(loaded);
                            s.activity = Activity::Idle;
                        });
                        follow(can_change);
                    }
                    Err(e) => state.update(|s| {
                        s.load_error = Some(e.message(text));
                        s.activity = Activity::LoadFailed;
                    }),
                }
            });
        }
    };
    load();
    // Back from the bank through the browser's history the page may be restored as
    // it was left, still redirecting: read where the order stands instead.
    browser::on_page_restored(load.clone());

    // Tells the merchant of the first status and of every change, and screen
    // readers of every change after the first.
    Effect::new(
        move |reported: Option<Option<(OrderStatus, Option<WidgetAttempt>)>>| {
            let (now, order_id) = state.with(|s| {
                let order_id = s.session.as_ref().map(|s| s.order.id.clone());
                ((s.status, s.last_attempt.clone()), order_id)
            });
            let order_id = order_id?;
            let reported = reported.flatten();
            if reported.as_ref() != Some(&now) {
                on_status.report(now.0, &order_id, now.1.as_ref());
                if reported.is_some() {
                    let reason = now.1.as_ref().and_then(|a| a.failure_reason.as_deref());
                    announcement.set(title(text, now.0, reason));
                }
            }
            Some(now)
        },
    );

    // At zero an order that could still be paid here is over. The countdown is
    // heard at five and at one minute left, not every second.
    let ticking = seconds_left.clone();
    Effect::new(move |before: Option<Option<u32>>| {
        let now = ticking();
        let (idle, status, attempt) = state.with(|s| {
            let idle = matches!(s.activity, Activity::Idle | Activity::ChoosingAgain);
            (idle, s.status, s.last_attempt.clone())
        });
        if idle && expires_here(status, now) {
            apply_status(OrderStatus::Expired, attempt, None, false);
        }
        if let (Some(Some(before)), Some(now)) = (before, now)
            && untrack(phase) == Phase::Choose
        {
            match milestone(before, now) {
                Some(Milestone::FiveMinutes) => announcement.set(text.five_minutes_left.into()),
                Some(Milestone::OneMinute) => announcement.set(text.one_minute_left.into()),
                None => {}
            }
        }
        now
    });

    let connection_lost = move || reconnecting.get() && !status().is_final();
    // Heard once each time it is lost.
    Effect::new(move |was_lost: Option<bool>| {
        let lost = connection_lost();
        if lost && was_lost != Some(true) {
            announcement.set(text.connection_lost.into());
        }
        lost
    });

    let pay = {
        let api = api.clone();
        let keys = keys.clone();
        move |choice: PayChoice| {
            let before = state.with_untracked(|s| s.activity);
            if before == Activity::Redirecting {
                return;
            }
            let key = keys
                .lock()
                .map(|mut k| k.key_for(&choice.bank_code, choice.card_kind))
                .unwrap_or_default();
            state.update(|s| {
                s.pay_error = None;
                s.activity = Activity::Redirecting;
            });
            let api = api.clone();
            spawn_local(async move {
                let request = CreateAttemptRequest {
                    bank_code: choice.bank_code,
                    card_kind: choice.card_kind,
                    mode,
                };
                let result = api.create_attempt(&request, &key).await;
                let not_payable = matches!(&result, Err(e) if e.is(ErrorCode::OrderNotPayable));
                let message = match result {
                    Ok(created) => {
                        browser::remember_bank(&request.bank_code);
                        // Stay in `redirecting` while the browser leaves the page.
                        if browser::go_to(&created.redirect_url) {
                            return;
                        }
                        text.error_generic
                    }
                    Err(e) => e.message(text),
                };
                state.update(|s| {
                    s.pay_error = Some(message);
                    s.activity = before;
                });
                if not_payable {
                    // Paid, expired or cancelled meanwhile: show that instead.
                    if let Ok(fresh) = api.session(None).await {
                        apply_status(
                            fresh.order.status,
                            fresh.order.last_attempt,
                            fresh.order.receipt_url,
                            fresh.order.extra_payment_refunded,
                        );
                    }
                }
            });
        }
    };

    let choose_again = move |()| {
        if let Ok(mut k) = keys.lock() {
            k.reset();
        }
        state.update(|s| {
            s.pay_error = None;
            s.activity = Activity::ChoosingAgain;
        });
    };

    // One screen at a time in the slot. Each is built afresh under an owner of its
    // own when it comes up and goes, views and effects and all, with that owner:
    // screens are only ever built, never rebuilt in place.
    let slot = NodeRef::<Div>::new();
    let view_locale = locale.clone();
    let app_owner = Owner::current().unwrap_or_default();
    let shown = RefCell::new(None::<(Screen, Owner)>);
    Effect::new(move |_| {
        let screen = phase().screen();
        let Some(slot) = slot.get() else { return };
        let mut shown = shown.borrow_mut();
        if shown.as_ref().is_some_and(|(on, _)| *on == screen) {
            return;
        }
        if let Some((_, gone)) = shown.take() {
            gone.cleanup();
        }
        let owner = app_owner.child();
        *shown = Some((screen, owner.clone()));
        owner.with(|| untrack(|| {
            slot.set_text_content(None);
            match screen {
                Screen::Loading => show(
                    &slot,
                    view! {
                        <p class="paydesk-loading" data-testid="paydesk-status">
                            <span class="paydesk-spinner" aria-hidden="true"></span>
                            {text.loading}
                        </p>
                    },
                ),
                Screen::Error => {
                    let load = load.clone();
                    show(
                        &slot,
                        view! {
                            <div class="paydesk-error">
                                <p class="paydesk-alert" data-testid="paydesk-status" role="alert">
                                    {move || state.with(|s| s.load_error).unwrap_or(text.error_generic)}
                                </p>
                                <button type="button" class="paydesk-button" data-action="retry" on:click=move |_| load()>
                                    {text.retry}
                                </button>
                            </div>
                        },
                    );
                }
                Screen::Checkout => {
                    if let Some(session) = state.with_untracked(|s| s.session.clone()) {
                        show(
                            &slot,
                            view! {
                                <Checkout
                                    session=session
                                    busy=Signal::derive(move || phase() == Phase::Redirecting)
                                    error=move || state.with(|s| s.pay_error)
                                    seconds_left=seconds_left.clone()
                                    last_used=last_bank.clone()
                                    on_pay=Callback::new(pay.clone())
                                    locale=view_locale.clone()
                                />
                            },
                        );
                    }
                }
                Screen::Status | Screen::Paid => show(
                    &slot,
                    view! {
                        <StatusView
                            status=status
                            failure_reason=move || {
                                state.with(|s| {
                                    s.last_attempt.as_ref().and_then(|a| a.failure_reason.clone())
                                })
                            }
                            extra_payment_refunded=move || state.with(|s| s.extra_payment_refunded)
                            receipt_url=state.with_untracked(|s| s.receipt_url.clone())
                            on_choose_again=Callback::new(choose_again.clone())
                            locale=view_locale.clone()
                        />
                    },
                ),
            }
        }));
    });

    view! {
        <div
            class="paydesk"
            part="root"
            data-state=move || phase().as_str()
            lang=locale.tag().to_owned()
            role="region"
            aria-label=text.widget_label
        >
            <p class="paydesk-sr" role="status">{move || announcement.get()}</p>
            <p class="paydesk-connection" data-testid="paydesk-connection" hidden=move || !connection_lost()>
                {text.connection_lost}
            </p>
            <div class="paydesk-screen" node_ref=slot></div>
        </div>
    }
}

/// Builds `view` into `slot`; what keeps it working lives as long as the current owner.
fn show<V>(slot: &Element, view: V)
where
    V: Render,
    V::State: 'static,
{
    let mut state = view.build();
    state.mount(slot, None);
    StoredValue::new_local(Box::new(state) as Box<dyn Any>);
}
