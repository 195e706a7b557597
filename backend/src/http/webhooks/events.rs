//! `/v1/events`: the events the gateway sent (or is sending) to the merchant, each
//! delivery with its attempts, and redelivery on request.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use paydesk_shared::ErrorCode;
use paydesk_shared::api::WebhookEvent;
use paydesk_shared::webhook::EventType;
use paydesk_shared::webhook_api::{
    Delivery, DeliveryAttempt, DeliveryList, EventList, RedeliverRequest, RedeliverResponse,
};

use super::endpoints::find;
use crate::domain::event::{EventFilter, StoredEvent};
use crate::domain::ids::{EndpointId, EventId};
use crate::domain::ids::{MerchantId, OrderId};
use crate::domain::webhook::{DeliveryRecord, EndpointStatus};
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::extract::PathParam;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::list_query::{ListQuery, invalid};
use crate::http::request::JsonBody;
use crate::http::wire;
use crate::state::AppState;
use crate::store::Redeliver;

/// The events sent (or being sent) to you, newest first.
#[utoipa::path(get, path = "/v1/events", tag = "Webhooks", operation_id = "list_events",
    security(("merchant_key" = [])),
    params(
        ("type" = Option<String>, Query, description = "Only events of this type, e.g. `order.paid`."),
        ("order_id" = Option<String>, Query, description = "Only events about this order."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Events per page, 20 if not given."),
        ("starting_after" = Option<String>, Query, description = "The last id of the previous page."),
    ),
    responses(
        (status = 200, description = "A page of events.", body = EventList),
        (status = 400, description = "`query_invalid`: an unknown or repeated parameter, an unknown type, a value out of range, or `starting_after` not one of your events."),
    ))]
pub(super) async fn list(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    RawQuery(query): RawQuery,
) -> Result<Json<EventList>, ApiError> {
    let query = ListQuery::parse(
        query.as_deref(),
        &["type", "order_id", "limit", "starting_after"],
    )?;
    let limit = query.limit()?;
    let kind = match query.get("type") {
        None => None,
        Some(name) => Some(EventType::parse(name).ok_or_else(|| {
            invalid(format!(
                "type: {name:?} is not an event type; known: {}",
                EventType::names()
            ))
        })?),
    };
    let starting_after = query.get("starting_after").map(EventId::from);
    if let Some(after) = &starting_after
        && state.store.event(&merchant.id, after).await?.is_none()
    {
        return Err(invalid(format!(
            "starting_after: {after:?} is not one of your events"
        )));
    }
    let filter = EventFilter {
        kind,
        order_id: query.get("order_id").map(OrderId::from),
        starting_after,
    };
    // One more than asked tells whether there is a next page.
    let mut events = state.store.events(&merchant.id, &filter, limit + 1).await?;
    let has_more = events.len() > limit as usize;
    events.truncate(limit as usize);
    Ok(Json(EventList {
        data: events.iter().map(event_body).collect::<Result<_, _>>()?,
        has_more,
    }))
}

/// One event, exactly as its deliveries send it.
#[utoipa::path(get, path = "/v1/events/{id}", tag = "Webhooks", operation_id = "get_event",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The event's id.")),
    responses(
        (status = 200, description = "The event.", body = WebhookEvent),
        (status = 404, description = "`not_found`: you have no event with this id."),
    ))]
pub(super) async fn get(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<EventId>,
) -> Result<Json<WebhookEvent>, ApiError> {
    let event = find_event(&state, &merchant.id, &id).await?;
    Ok(Json(event_body(&event)?))
}

/// Each endpoint's delivery of an event, with every attempt.
#[utoipa::path(get, path = "/v1/events/{id}/deliveries", tag = "Webhooks", operation_id = "list_event_deliveries",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The event's id.")),
    responses(
        (status = 200, description = "The event's deliveries.", body = DeliveryList),
        (status = 404, description = "`not_found`: you have no event with this id."),
    ))]
pub(super) async fn deliveries(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<EventId>,
) -> Result<Json<DeliveryList>, ApiError> {
    let event = find_event(&state, &merchant.id, &id).await?;
    let records = state.store.event_deliveries(&event.id).await?;
    Ok(Json(DeliveryList {
        data: records.iter().map(delivery).collect(),
    }))
}

/// Sends an event again from now, with a fresh three-day retry window, to one endpoint
/// or to every enabled endpoint that subscribes to its type.
#[utoipa::path(post, path = "/v1/events/{id}/redeliver", tag = "Webhooks", operation_id = "redeliver_event",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The event's id.")),
    request_body(content = RedeliverRequest, example = json!({})),
    responses(
        (status = 202, description = "Scheduled to these endpoints.", body = RedeliverResponse),
        (status = 404, description = "`not_found`: you have no event, or no endpoint, with this id."),
        (status = 409, description = "`endpoint_disabled`: no enabled endpoint takes this event."),
    ))]
pub(super) async fn redeliver(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<EventId>,
    idempotency: Idempotency,
    body: JsonBody,
) -> Result<Answer, ApiError> {
    let request: RedeliverRequest = body.parse()?;
    let event = find_event(&state, &merchant.id, &id).await?;
    let endpoint_ids: Vec<EndpointId> = match &request.endpoint_id {
        Some(endpoint_id) => {
            let endpoint_id = EndpointId::from(endpoint_id.as_str());
            vec![find(&state, &merchant.id, &endpoint_id).await?.id]
        }
        None => state
            .store
            .webhook_endpoints(&merchant.id)
            .await?
            .into_iter()
            .filter(|e| e.status == EndpointStatus::Enabled && e.subscribes_to(event.kind))
            .map(|e| e.id)
            .collect(),
    };
    let answer = Answer::json(
        StatusCode::ACCEPTED,
        &RedeliverResponse {
            event_id: event.id.to_string(),
            endpoint_ids: endpoint_ids.iter().map(|e| e.to_string()).collect(),
        },
    );
    let scheduled = !endpoint_ids.is_empty()
        && state
            .store
            .redeliver(&Redeliver {
                event_id: event.id.clone(),
                endpoint_ids: endpoint_ids.clone(),
                now: state.clock.now_ms(),
                answer: idempotency.record(&answer),
            })
            .await?;
    if !scheduled {
        return Err(ApiError::conflict(
            ErrorCode::EndpointDisabled,
            "no enabled endpoint takes this event: enable one, or register one that subscribes to its type",
        ));
    }
    state.outbox.notify_one();
    Ok(answer)
}

async fn find_event(
    state: &AppState,
    merchant_id: &MerchantId,
    id: &EventId,
) -> Result<StoredEvent, ApiError> {
    state
        .store
        .event(merchant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("event"))
}

/// The event exactly as its deliveries send it.
fn event_body(event: &StoredEvent) -> Result<WebhookEvent, ApiError> {
    serde_json::from_str(&event.payload).map_err(|e| {
        ApiError::Internal(anyhow::anyhow!(
            "stored event {} does not parse: {e}",
            event.id
        ))
    })
}

fn delivery(r: &DeliveryRecord) -> Delivery {
    Delivery {
        endpoint_id: r.endpoint_id.to_string(),
        status: r.state.as_str().to_owned(),
        attempts: r
            .attempts
            .iter()
            .map(|a| DeliveryAttempt {
                at: wire::timestamp(a.started_at),
                duration_ms: a.duration_ms,
                status_code: a.status_code,
                error: a.error.clone(),
            })
            .collect(),
        next_attempt_at: r.next_attempt_at.map(wire::timestamp),
        delivered_at: r.delivered_at.map(wire::timestamp),
        last_error: r.last_error.clone(),
    }
}
