//! The online-banking flow: `GET /pay` opens the bank page for a signed request,
//! `POST /pay` pays, `POST /pay/cancel` gives up. Both posts end with a 303 back to
//! the request's `return_url`; the gateway learns the outcome from the signed
//! notification, never from the browser.

mod cancel;
mod open;
mod submit;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use paydesk_shared::bank::Bank;
use paydesk_shared::bank_protocol::PaymentRequest;

use super::respond::{message, see_other};
use crate::html::MessagePage;
use crate::payment::{Finished, NotFinished};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/pay", get(open::open).post(submit::submit))
        .route("/pay/cancel", post(cancel::cancel))
}

/// Tells the gateway about a fresh decision (from the background) and sends the
/// shopper back.
fn finish(state: &AppState, finished: Finished) -> Response {
    let return_url = finished.session().request.return_url.clone();
    if let Finished::Now {
        session,
        notification,
        deliveries,
    } = finished
    {
        tracing::info!(
            attempt_id = %session.request.attempt_id,
            bank_transaction_id = %notification.bank_transaction_id,
            outcome = ?notification.outcome,
            "payment decided"
        );
        state.notifier.dispatch(deliveries);
    }
    see_other(&return_url)
}

/// What a payment that did not finish shows when it is not the shopper's to fix.
/// (`POST /pay` renders its retries itself; cancelling never asks to retry.)
fn not_finished(state: &AppState, problem: &NotFinished) -> Response {
    match problem {
        NotFinished::SessionNotFound | NotFinished::Retry { .. } => session_not_found(),
        NotFinished::Maintenance { session } => {
            match state.directory.get(&session.request.bank_code) {
                Some(bank) => in_maintenance(bank, &session.request),
                None => session_not_found(),
            }
        }
        NotFinished::Unavailable => unavailable(),
    }
}

/// The bank plays maintenance (a sandbox fault): it takes no payment now.
fn in_maintenance(bank: &Bank, request: &PaymentRequest) -> Response {
    let text = format!(
        "{} online banking is in scheduled maintenance and takes no payments right now. Nothing was charged; go back to {} to pay with another bank or try again later.",
        bank.name_en, request.merchant_name
    );
    let label = format!("Return to {}", request.merchant_name);
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        &MessagePage {
            bank: Some(bank),
            heading_zh: "系统维护中",
            heading_en: "Online banking in maintenance",
            message: &text,
            link: Some((&request.return_url, &label)),
        },
    )
}

fn unavailable() -> Response {
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        &MessagePage {
            bank: None,
            heading_zh: "暂时无法处理",
            heading_en: "Payment cannot be processed right now",
            message: "The bank cannot take payments at the moment. Nothing was charged. Try again in a minute.",
            link: None,
        },
    )
}

fn session_not_found() -> Response {
    message(
        StatusCode::NOT_FOUND,
        &MessagePage {
            bank: None,
            heading_zh: "支付会话已失效",
            heading_en: "Payment session not found",
            message: "This payment page has expired or was never opened. Go back to the merchant and start the payment again.",
            link: None,
        },
    )
}

fn bad_form() -> Response {
    message(
        StatusCode::BAD_REQUEST,
        &MessagePage {
            bank: None,
            heading_zh: "表单无效",
            heading_en: "Form not understood",
            message: "The payment form arrived incomplete. Go back to the merchant and start the payment again.",
            link: None,
        },
    )
}
