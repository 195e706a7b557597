//! `/v1/webhook_endpoints`: register, list, read, change and delete endpoints.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use paydesk_shared::ErrorCode;
use paydesk_shared::webhook_api::{
    CreateEndpointRequest, DeletedEndpoint, EndpointList, EndpointResponse, UpdateEndpointRequest,
};

use super::{endpoint_input as input, endpoint_response};
use crate::domain::ids::EndpointId;
use crate::domain::ids::MerchantId;
use crate::domain::webhook::{EndpointStatus, WebhookEndpoint};
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::extract::PathParam;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::request::JsonBody;
use crate::state::AppState;
use crate::store::SaveEndpoint;

/// Endpoints one merchant may have at once.
const MAX_ENDPOINTS: usize = 16;

/// Registers an endpoint to receive signed events. The answer is the only time its
/// `secret` is shown.
#[utoipa::path(post, path = "/v1/webhook_endpoints", tag = "Webhooks", operation_id = "create_webhook_endpoint",
    security(("merchant_key" = [])),
    request_body(content = CreateEndpointRequest, example = json!({"url": "https://shop.example/webhooks/paydesk", "event_types": ["order.paid", "refund.succeeded"]})),
    responses(
        (status = 201, description = "The endpoint, with its `secret`.", body = EndpointResponse),
        (status = 422, description = "`url_invalid`: not an absolute `https` URL (or `http` where the operator allows it). `webhook_url_not_allowed`: a private or loopback address the operator does not allow. `event_type_unknown`: an event type no endpoint can subscribe to. `field_too_long`: `description` is too long. `endpoint_limit_reached`: 16 endpoints are registered already."),
    ))]
pub(super) async fn create(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    idempotency: Idempotency,
    body: JsonBody,
) -> Result<Answer, ApiError> {
    let request: CreateEndpointRequest = body.parse()?;
    let url = input::url(&request.url, state.webhook_allow_private_urls)?;
    let event_types = input::event_types(request.event_types)?;
    let description = input::description(request.description)?;
    if state.store.webhook_endpoints(&merchant.id).await?.len() >= MAX_ENDPOINTS {
        return Err(ApiError::unprocessable(
            ErrorCode::EndpointLimitReached,
            format!(
                "a merchant can have at most {MAX_ENDPOINTS} webhook endpoints; delete one first"
            ),
        ));
    }
    let now = state.clock.now_ms();
    let endpoint = WebhookEndpoint {
        id: EndpointId::generate(),
        merchant_id: merchant.id.clone(),
        url,
        event_types,
        description,
        secret: paydesk_shared::webhook::new_secret(),
        previous_secret: None,
        previous_secret_until: None,
        status: EndpointStatus::Enabled,
        disabled_reason: None,
        created_at: now,
        updated_at: now,
    };
    let answer = Answer::json(StatusCode::CREATED, &endpoint_response(&endpoint, true));
    state
        .store
        .save_webhook_endpoint(&SaveEndpoint {
            answer: idempotency.record(&answer),
            endpoint: endpoint.clone(),
        })
        .await?;
    tracing::info!(merchant = %merchant.id, endpoint = %endpoint.id, "webhook endpoint registered");
    Ok(answer)
}

/// Your endpoints.
#[utoipa::path(get, path = "/v1/webhook_endpoints", tag = "Webhooks", operation_id = "list_webhook_endpoints",
    security(("merchant_key" = [])),
    responses((status = 200, description = "Your endpoints.", body = EndpointList)))]
pub(super) async fn list(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
) -> Result<Json<EndpointList>, ApiError> {
    let endpoints = state.store.webhook_endpoints(&merchant.id).await?;
    Ok(Json(EndpointList {
        data: endpoints
            .iter()
            .map(|e| endpoint_response(e, false))
            .collect(),
    }))
}

/// One endpoint (without its secret).
#[utoipa::path(get, path = "/v1/webhook_endpoints/{id}", tag = "Webhooks", operation_id = "get_webhook_endpoint",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The endpoint's id.")),
    responses(
        (status = 200, description = "The endpoint.", body = EndpointResponse),
        (status = 404, description = "`not_found`: you have no endpoint with this id."),
    ))]
pub(super) async fn get(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<EndpointId>,
) -> Result<Json<EndpointResponse>, ApiError> {
    let endpoint = find(&state, &merchant.id, &id).await?;
    Ok(Json(endpoint_response(&endpoint, false)))
}

/// Changes the fields given: URL, event types, description, or `status` (`enabled`
/// or `disabled`).
#[utoipa::path(post, path = "/v1/webhook_endpoints/{id}", tag = "Webhooks", operation_id = "update_webhook_endpoint",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The endpoint's id.")),
    request_body(content = UpdateEndpointRequest, example = json!({"status": "disabled"})),
    responses(
        (status = 200, description = "The endpoint as changed.", body = EndpointResponse),
        (status = 404, description = "`not_found`: you have no endpoint with this id."),
        (status = 422, description = "`url_invalid`: not an absolute `https` URL (or `http` where the operator allows it). `webhook_url_not_allowed`: a private or loopback address the operator does not allow. `event_type_unknown`: an event type no endpoint can subscribe to. `field_too_long`: `description` is too long. `invalid_field`: `status` is not `enabled` or `disabled`."),
    ))]
pub(super) async fn update(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<EndpointId>,
    idempotency: Idempotency,
    body: JsonBody,
) -> Result<Answer, ApiError> {
    let request: UpdateEndpointRequest = body.parse()?;
    let mut endpoint = find(&state, &merchant.id, &id).await?;
    if let Some(url) = &request.url {
        endpoint.url = input::url(url, state.webhook_allow_private_urls)?;
    }
    if request.event_types.is_some() {
        endpoint.event_types = input::event_types(request.event_types)?;
    }
    if request.description.is_some() {
        endpoint.description = input::description(request.description)?;
    }
    match request.status.as_deref() {
        None => {}
        Some("enabled") => {
            endpoint.status = EndpointStatus::Enabled;
            endpoint.disabled_reason = None;
        }
        Some("disabled") => {
            if endpoint.status != EndpointStatus::Disabled {
                endpoint.disabled_reason = Some("disabled by the merchant".into());
            }
            endpoint.status = EndpointStatus::Disabled;
        }
        Some(other) => {
            return Err(ApiError::unprocessable(
                ErrorCode::InvalidField,
                format!("status: {other:?} is not \"enabled\" or \"disabled\""),
            ));
        }
    }
    endpoint.updated_at = state.clock.now_ms();
    let answer = Answer::json(StatusCode::OK, &endpoint_response(&endpoint, false));
    state
        .store
        .save_webhook_endpoint(&SaveEndpoint {
            answer: idempotency.record(&answer),
            endpoint: endpoint.clone(),
        })
        .await?;
    Ok(answer)
}

/// Deletes an endpoint: it gets nothing more, and its pending deliveries are
/// cancelled. Its past deliveries stay readable on their events.
#[utoipa::path(delete, path = "/v1/webhook_endpoints/{id}", tag = "Webhooks", operation_id = "delete_webhook_endpoint",
    security(("merchant_key" = [])),
    params(("id" = String, Path, description = "The endpoint's id.")),
    responses(
        (status = 200, description = "The endpoint is deleted.", body = DeletedEndpoint),
        (status = 404, description = "`not_found`: you have no endpoint with this id."),
    ))]
pub(super) async fn delete(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<EndpointId>,
) -> Result<Json<DeletedEndpoint>, ApiError> {
    let mut endpoint = find(&state, &merchant.id, &id).await?;
    endpoint.status = EndpointStatus::Deleted;
    endpoint.updated_at = state.clock.now_ms();
    let save = SaveEndpoint {
        endpoint,
        answer: None,
    };
    state.store.save_webhook_endpoint(&save).await?;
    let endpoint = save.endpoint;
    Ok(Json(DeletedEndpoint {
        id: endpoint.id.to_string(),
        deleted: true,
    }))
}

/// The merchant's live endpoint `id`; another merchant's is indistinguishable from none.
pub(super) async fn find(
    state: &AppState,
    merchant_id: &MerchantId,
    id: &EndpointId,
) -> Result<WebhookEndpoint, ApiError> {
    state
        .store
        .webhook_endpoint(merchant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))
}
