//! The merchant API for webhooks: endpoints (`/v1/webhook_endpoints`) and the events
//! sent to them (`/v1/events`), authenticated by secret key.

pub(super) mod endpoint_input;
mod endpoints;
mod events;
mod rotate;
mod stream;

use paydesk_shared::webhook_api::EndpointResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::webhook::WebhookEndpoint;
use crate::http::wire;
use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(endpoints::create, endpoints::list))
        .routes(routes!(
            endpoints::get,
            endpoints::update,
            endpoints::delete
        ))
        .routes(routes!(rotate::handler))
        .routes(routes!(events::list))
        .routes(routes!(events::get))
        .routes(routes!(events::deliveries))
        .routes(routes!(events::redeliver))
}

/// The live event stream: outside the request time limit, as it is meant to stay open.
pub(super) fn stream_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stream::stream))
}

/// An endpoint as the API shows it; the secret only when it was just made.
fn endpoint_response(e: &WebhookEndpoint, with_secret: bool) -> EndpointResponse {
    EndpointResponse {
        id: e.id.to_string(),
        url: e.url.clone(),
        event_types: e.event_types.clone(),
        description: e.description.clone(),
        status: e.status.as_str().to_owned(),
        disabled_reason: e.disabled_reason.clone(),
        secret: with_secret.then(|| e.secret.clone()),
        previous_secret_expires_at: e
            .previous_secret_until
            .filter(|_| e.previous_secret.is_some())
            .map(wire::timestamp),
        created_at: wire::timestamp(e.created_at),
    }
}
