//! `POST /webhooks/paydesk`: Paydesk tells the shop what happened to an order: paid,
//! failed, expired, cancelled, refunded (or a refund that failed).
//!
//! The order of checks matters: verify the signature over the raw bytes first (never
//! parse unauthenticated JSON into decisions), then parse, then deduplicate and apply.
//! Anything the gateway could fix by resending gets a 4xx; anything it could not (an
//! order this shop does not know, an event type it does not handle) gets a 200 so the
//! gateway stops retrying.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use paydesk_shared::api::WebhookEvent;
use paydesk_shared::webhook::{self, DEFAULT_TOLERANCE_SECS, SIGNATURE_HEADER};
use paydesk_shared::{ErrorBody, ErrorCode};
use time::OffsetDateTime;

use crate::order::{EventKind, EventOutcome, PaydeskEvent};
use crate::reference::ShopReference;
use crate::startup::AppState;
use crate::store::Delivery;

pub(super) fn router() -> Router<Arc<AppState>> {
    Router::new().route("/webhooks/paydesk", post(receive))
}

async fn receive(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let now = OffsetDateTime::now_utc();
    let Some(signature) = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()) else {
        tracing::warn!("webhook without a {SIGNATURE_HEADER} header");
        return rejected(
            ErrorCode::SignatureInvalid,
            format!("missing {SIGNATURE_HEADER} header"),
        );
    };
    if let Err(error) = webhook::verify(
        state.webhook_secret.expose(),
        signature,
        &body,
        now.unix_timestamp(),
        DEFAULT_TOLERANCE_SECS,
    ) {
        tracing::warn!(%error, "webhook signature rejected");
        return rejected(ErrorCode::SignatureInvalid, error.to_string());
    }
    let event: WebhookEvent = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(%error, "signed webhook body is not a Paydesk event");
            return rejected(
                ErrorCode::InvalidJson,
                "the body is not a Paydesk webhook event",
            );
        }
    };

    let Some(kind) = EventKind::parse(&event.kind) else {
        tracing::info!(event_id = %event.id, kind = %event.kind, "ignoring webhook event type");
        return acknowledged();
    };
    let Some(order) = event.data.order else {
        tracing::warn!(event_id = %event.id, kind = %event.kind, "order event without its order");
        return acknowledged();
    };
    let Some(reference) = ShopReference::parse(&order.merchant_reference) else {
        tracing::warn!(event_id = %event.id, "webhook for a reference this shop never issues");
        return acknowledged();
    };
    let event = PaydeskEvent {
        id: event.id,
        kind,
        order,
        refund: event.data.refund,
    };
    match state.store.deliver(&reference, &event, now) {
        Delivery::Applied(EventOutcome::Mismatch(reason)) => tracing::warn!(
            event_id = %event.id,
            kind = kind.as_str(),
            %reference,
            reason,
            "webhook does not match the shop's order"
        ),
        Delivery::Applied(outcome) => tracing::info!(
            event_id = %event.id,
            kind = kind.as_str(),
            %reference,
            outcome = outcome.describe(),
            "webhook applied"
        ),
        Delivery::Duplicate => {
            tracing::info!(event_id = %event.id, %reference, "duplicate webhook ignored");
        }
        Delivery::UnknownOrder => {
            tracing::warn!(event_id = %event.id, %reference, "webhook for an unknown order");
        }
    }
    acknowledged()
}

fn acknowledged() -> Response {
    Json(serde_json::json!({ "received": true })).into_response()
}

fn rejected(code: ErrorCode, message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(ErrorBody::new(code, message))).into_response()
}
