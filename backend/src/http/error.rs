//! `ApiError`: every way a request can fail, mapped to a status and a stable code.
//! 5xx bodies are generic; the cause goes to the log and never to the client.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paydesk_shared::order::FieldError;
use paydesk_shared::{ErrorBody, ErrorCode};

use crate::domain::error::DomainError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("{message}")]
    Client {
        status: StatusCode,
        code: ErrorCode,
        message: String,
    },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::Client {
            status,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub(crate) fn unprocessable(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub(crate) fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("no such {what}"),
        )
    }

    pub(crate) fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            message,
        )
    }

    /// Decodes a JSON body, turning serde's complaint into an `invalid_json` error.
    pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(ErrorCode::InvalidJson, format!("request body: {e}"))
        })
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::unprocessable(e.code, e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Internal(e.into())
    }
}

/// Every rule's refusal as the API answers it: the one place a domain error meets a
/// status code.
impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let message = e.to_string();
        let (status, code) = match e {
            DomainError::Store(e) => return e.into(),
            DomainError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            DomainError::OrderNotPayable(_) => (StatusCode::CONFLICT, ErrorCode::OrderNotPayable),
            DomainError::BankUnknown(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::BankUnknown)
            }
            DomainError::BankUnavailable { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::BankUnavailable)
            }
            DomainError::AttemptKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::IdempotencyKeyReused,
            ),
            DomainError::NotificationReplayed => {
                (StatusCode::CONFLICT, ErrorCode::NotificationReplayed)
            }
        };
        ApiError::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Client {
                status,
                code,
                message,
            } => {
                let mut response = (status, Json(ErrorBody::new(code, message))).into_response();
                if code == ErrorCode::Unauthenticated {
                    // RFC 9110 §15.5.2: a 401 names the scheme that would be accepted.
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                }
                response
            }
            ApiError::Internal(cause) => {
                tracing::error!(error = ?cause, "request failed inside the gateway");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(ErrorBody::new(
                        ErrorCode::Internal,
                        "something went wrong inside the gateway; it has been logged",
                    )),
                )
                    .into_response()
            }
        }
    }
}
