//! The JSON error every `/api/` and `/sandbox/` endpoint answers with:
//! `{"error": {"code", "message"}}`, a 4xx and a stable code for anything the caller
//! can fix; a 5xx with a generic message (the cause goes to the log) otherwise.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paydesk_shared::signing::SignatureError;
use serde::Serialize;

use crate::ledger::LedgerError;

#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400: the body is not JSON of the shape the endpoint takes.
    pub(crate) fn invalid_json(error: &serde_json::Error) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the body is not the expected JSON: {error}"),
        )
    }

    /// 400: a field has an unacceptable value.
    pub(crate) fn invalid_field(field: &str, why: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_field",
            format!("`{field}` {why}"),
        )
    }

    pub(crate) fn signature(error: &SignatureError) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "signature_invalid",
            format!("the request's signature is not accepted: {error}"),
        )
    }

    pub(crate) fn internal(error: &LedgerError) -> Self {
        tracing::error!(%error, "request failed in the books");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the bank could not process the request; try again",
        )
    }
}

impl From<LedgerError> for ApiError {
    fn from(error: LedgerError) -> Self {
        ApiError::internal(&error)
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the body is larger than this endpoint takes",
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "the body could not be read",
            )
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Detail {
                code: self.code,
                message: &self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}
