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

pub(super) async fn get(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    PathParam(id): PathParam<EndpointId>,
) -> Result<Json<EndpointResponse>, ApiError> {
    let endpoint = find(&state, &merchant.id, &id).await?;
    Ok(Json(endpoint_response(&endpoint, false)))
}

/// `POST /v1/webhook_endpoints/{id}`: changes the fields given.
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

/// `DELETE /v1/webhook_endpoints/{id}`: the endpoint gets nothing more; its pending
/// deliveries are cancelled. Its past deliveries stay readable on their events.
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
