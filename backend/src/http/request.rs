//! Reading request bodies and headers into typed values, with our error format.

use axum::body::Bytes;
use axum::extract::{FromRequest, OptionalFromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use paydesk_shared::ErrorCode;

use super::extract::RawBody;
use crate::http::error::ApiError;

/// A JSON request body, kept as raw bytes too (idempotency hashes what was sent).
pub(crate) struct JsonBody(pub(crate) Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(not_json());
        }
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        Ok(JsonBody(bytes))
    }
}

/// For endpoints whose body may be left out: no body at all is `None`; a body must be
/// JSON as for [`JsonBody`].
impl<S: Send + Sync> OptionalFromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let json = is_json(req.headers());
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        match (json, bytes.is_empty()) {
            (true, _) => Ok(Some(JsonBody(bytes))),
            (false, true) => Ok(None),
            (false, false) => Err(not_json()),
        }
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

fn not_json() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::UnsupportedMediaType,
        "send the body as Content-Type: application/json",
    )
}

impl JsonBody {
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        ApiError::parse_json(&self.0)
    }
}

pub(crate) const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// The `Idempotency-Key` header: 1–255 printable ASCII characters, if present.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY_LEN && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::bad_request(
                ErrorCode::IdempotencyKeyInvalid,
                format!("Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} printable ASCII characters"),
            )
        })?;
    Ok(Some(key.to_owned()))
}
