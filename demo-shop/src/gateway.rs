//! The shop's client for the Paydesk merchant API. This is the only code that holds
//! the secret key, and the only server-to-server call a basic integration needs.

use std::time::Duration;

use paydesk_shared::api::{CreateOrderRequest, OrderResponse};
use paydesk_shared::{ErrorBody, ErrorCode};
use reqwest::StatusCode;

use crate::base_url::BaseUrl;
use crate::secret::Secret;

/// Tries per request. Every retry carries the same `Idempotency-Key`, so Paydesk
/// answers a retried order creation with the order it already made, never a second.
const ATTEMPTS: u32 = 3;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub(crate) enum GatewayError {
    /// Paydesk answered with its error body; `message` is written for people.
    #[error("Paydesk answered {status} {}: {message}", code.as_str())]
    Rejected {
        status: StatusCode,
        code: ErrorCode,
        message: String,
    },
    #[error("Paydesk could not be reached")]
    Unreachable(#[source] reqwest::Error),
    #[error("Paydesk answered {status} with a body the shop does not understand")]
    UnexpectedResponse { status: StatusCode },
    /// Paydesk answered, but not with the order the shop asked for.
    #[error("Paydesk answered with {0}")]
    Inconsistent(&'static str),
}

impl GatewayError {
    /// Worth trying again with the same idempotency key: the request may never have
    /// arrived, the gateway failed inside, or the first try is still being processed.
    fn is_transient(&self) -> bool {
        match self {
            GatewayError::Unreachable(_) => true,
            GatewayError::Rejected { status, code, .. } => {
                status.is_server_error() || *code == ErrorCode::IdempotencyKeyInUse
            }
            GatewayError::UnexpectedResponse { status } => status.is_server_error(),
            GatewayError::Inconsistent(_) => false,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct GatewayClient {
    http: reqwest::Client,
    api_url: BaseUrl,
    secret_key: Secret,
}

impl GatewayClient {
    pub(crate) fn new(api_url: BaseUrl, secret_key: Secret) -> reqwest::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("paydesk-demo-shop/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(GatewayClient {
            http,
            api_url,
            secret_key,
        })
    }

    /// `POST /v1/orders`. The shop's order reference is the idempotency key: one shop
    /// order, one Paydesk order, however often this is retried.
    pub(crate) async fn create_order(
        &self,
        idempotency_key: &str,
        request: &CreateOrderRequest,
    ) -> Result<OrderResponse, GatewayError> {
        let mut backoff = FIRST_BACKOFF;
        let mut attempt = 1;
        loop {
            match self.try_create_order(idempotency_key, request).await {
                Err(error) if error.is_transient() && attempt < ATTEMPTS => {
                    tracing::warn!(%error, attempt, "creating the Paydesk order failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff *= 3;
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    async fn try_create_order(
        &self,
        idempotency_key: &str,
        request: &CreateOrderRequest,
    ) -> Result<OrderResponse, GatewayError> {
        let response = self
            .http
            .post(self.api_url.join("/v1/orders"))
            .bearer_auth(self.secret_key.expose())
            .header("Idempotency-Key", idempotency_key)
            .json(request)
            .send()
            .await
            .map_err(GatewayError::Unreachable)?;
        let status = response.status();
        // A body cut off mid-way is a network failure, not a malformed answer.
        let body = response.bytes().await.map_err(GatewayError::Unreachable)?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|_| GatewayError::UnexpectedResponse { status });
        }
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(ErrorBody { error }) => Err(GatewayError::Rejected {
                status,
                code: error.code,
                message: error.message,
            }),
            Err(_) => Err(GatewayError::UnexpectedResponse { status }),
        }
    }
}
