//! axum's extractors with our error format: their own rejections are plain text, so
//! every handler takes these instead, and a bad path or an oversized body answers
//! `{"error": {"code", "message"}}` like every other refusal.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use paydesk_shared::ErrorCode;
use serde::de::DeserializeOwned;

use crate::http::error::ApiError;

/// A path parameter. One that cannot be read (not UTF-8 once percent-decoded) names
/// nothing that exists: `404 not_found`.
pub(crate) struct PathParam<T>(pub(crate) T);

impl<S, T> FromRequestParts<S> for PathParam<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| PathParam(value))
            .map_err(|rejection| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    ErrorCode::NotFound,
                    format!("no such resource: {}", rejection.body_text()),
                )
            })
    }
}

/// A request body as bytes, refused with `413 payload_too_large` above the limit
/// and `400 invalid_json` when it cannot be read at all.
pub(crate) struct RawBody(pub(crate) Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => too_large(),
                _ => ApiError::bad_request(ErrorCode::InvalidJson, rejection.body_text()),
            })
    }
}

pub(crate) fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        "the request body is too large",
    )
}
