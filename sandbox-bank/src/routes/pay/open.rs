//! `GET /pay?request=…&signature=…`: verify the gateway's request and show the bank
//! page.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use paydesk_shared::bank::Bank;
use paydesk_shared::bank_protocol::PaymentOutcome;
use serde::Deserialize;

use crate::clock::now_unix;
use crate::html::{MessagePage, PayPage, pay_page};
use crate::ledger::{Opened, Session};
use crate::payment::{self, Finished};
use crate::payment_request::{self, RequestError};
use crate::routes::respond::{message, page};
use crate::state::AppState;

#[derive(Deserialize)]
pub(super) struct PayQuery {
    request: Option<String>,
    signature: Option<String>,
}

pub(super) async fn open(
    State(state): State<AppState>,
    query: Result<Query<PayQuery>, QueryRejection>,
) -> Response {
    let (request, signature) = match &query {
        Ok(Query(q)) => (
            q.request.as_deref().unwrap_or_default(),
            q.signature.as_deref().unwrap_or_default(),
        ),
        Err(_) => ("", ""),
    };
    let now = now_unix();
    let verified =
        match payment_request::verify(&state.directory, &state.verifier, request, signature, now) {
            Ok(verified) => verified,
            Err(error) => {
                tracing::warn!(%error, "payment request rejected");
                return rejected(&error);
            }
        };
    let Some(bank) = state.directory.get(&verified.request.bank_code) else {
        return rejected(&RequestError::UnknownBank(verified.request.bank_code));
    };
    if state.faults.in_maintenance(&bank.code) {
        return super::in_maintenance(bank, &verified.request);
    }
    let return_url = verified.request.return_url.clone();
    let merchant = verified.request.merchant_name.clone();
    let opened = match state.ledger.open_session(verified, now).await {
        Ok(opened) => opened,
        Err(error) => {
            tracing::error!(%error, "cannot open a payment session");
            return super::unavailable();
        }
    };
    match opened {
        Opened::Session(session) if session.over_limit() => {
            over_limit(&state, bank, session, &merchant, now).await
        }
        Opened::Session(session) => page(
            StatusCode::OK,
            pay_page(&PayPage {
                bank,
                session: &session,
                problem: None,
                card_number: "",
            }),
        ),
        Opened::Decided(decision) => {
            let text = match decision.outcome {
                PaymentOutcome::Succeeded => format!(
                    "This payment was completed (bank transaction {}). It will not be charged again.",
                    decision.bank_transaction_id
                ),
                PaymentOutcome::Failed { reason } => format!(
                    "This payment was declined ({}). Go back to {merchant} to try again.",
                    reason.as_str()
                ),
            };
            let label = format!("Return to {merchant}");
            message(
                StatusCode::CONFLICT,
                &MessagePage {
                    bank: Some(bank),
                    heading_zh: "此笔支付已处理",
                    heading_en: "Payment already processed",
                    message: &text,
                    link: Some((&return_url, &label)),
                },
            )
        }
        Opened::Conflict => message(
            StatusCode::CONFLICT,
            &MessagePage {
                bank: Some(bank),
                heading_zh: "支付请求冲突",
                heading_en: "Conflicting payment request",
                message: "An earlier request for this payment named a different merchant, order, card kind or amount. Go back to the merchant and start the payment again.",
                link: None,
            },
        ),
    }
}

/// Declines the payment (the gateway hears `over_limit`) and says why.
async fn over_limit(
    state: &AppState,
    bank: &Bank,
    session: Session,
    merchant: &str,
    now: i64,
) -> Response {
    let text = format!(
        "{} {} is above this bank's single-payment limit of {} {} for this card. Nothing was charged; go back to {merchant} to pay another way.",
        session.request.currency, session.amount, session.request.currency, session.limit,
    );
    let return_url = session.request.return_url.clone();
    match payment::decline_over_limit(&state.ledger, &state.notifier, session, now).await {
        Ok(finished) => {
            if let Finished::Now { deliveries, .. } = finished {
                state.notifier.dispatch(deliveries);
            }
            let label = format!("Return to {merchant}");
            message(
                StatusCode::UNPROCESSABLE_ENTITY,
                &MessagePage {
                    bank: Some(bank),
                    heading_zh: "超出单笔支付限额",
                    heading_en: "This bank cannot take this payment",
                    message: &text,
                    link: Some((&return_url, &label)),
                },
            )
        }
        Err(problem) => super::not_finished(state, &problem),
    }
}

fn rejected(error: &RequestError) -> Response {
    let (status, heading_zh, heading_en) = match error {
        RequestError::Missing
        | RequestError::TooLarge
        | RequestError::Encoding
        | RequestError::Json(_)
        | RequestError::Field(_)
        | RequestError::Amount(_)
        | RequestError::ZeroAmount => (
            StatusCode::BAD_REQUEST,
            "支付请求无效",
            "Invalid payment request",
        ),
        RequestError::Signature(_) => (
            StatusCode::FORBIDDEN,
            "支付请求无法验证",
            "Payment request could not be verified",
        ),
        RequestError::UnknownBank(_) | RequestError::CardKindNotAccepted { .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "无法受理此笔支付",
            "This bank cannot take this payment",
        ),
        RequestError::Expired => (
            StatusCode::GONE,
            "支付请求已过期",
            "Payment request expired",
        ),
    };
    let mut text = capitalise(&error.to_string());
    if !matches!(error, RequestError::Expired) {
        text.push_str(" Go back to the merchant and start the payment again.");
    }
    message(
        status,
        &MessagePage {
            bank: None,
            heading_zh,
            heading_en,
            message: &text,
            link: None,
        },
    )
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}
