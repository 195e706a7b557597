//! Both ends of a signed exchange with the gateway: checking a request's signature
//! and nonce, and signing an answer's body with the bank's key.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paydesk_shared::bank_protocol::SIGNATURE_HEADER;
use paydesk_shared::signing::SignatureError;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::clock::now_unix;
use crate::state::AppState;

/// Accepts `body` only if the gateway signed it within the tolerance window and its
/// nonce was never used before; the nonce is spent by this call.
pub(super) async fn verify(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    let now = now_unix();
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| ApiError::signature(&SignatureError::Malformed))?;
    let verified = state
        .verifier
        .verify(signature, body, now)
        .map_err(|error| ApiError::signature(&error))?;
    // A signature verifies for `tolerance` either side of its timestamp; remembering
    // the nonce twice that long outlives every copy that could still verify.
    let keep = state.verifier.tolerance_secs().saturating_mul(2);
    if !state.ledger.spend_nonce(&verified.nonce, now, keep).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "replayed",
            "this signature's nonce was used before; sign every request afresh",
        ));
    }
    Ok(())
}

/// The request's body, read, verified by [`verify`] and decoded as JSON.
pub(super) async fn read<T: DeserializeOwned>(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let body = body?;
    verify(state, headers, &body).await?;
    serde_json::from_slice(&body).map_err(|e| ApiError::invalid_json(&e))
}

/// A JSON answer signed over its exact bytes.
pub(super) fn json<T: Serialize>(state: &AppState, answer: &T) -> Response {
    match serde_json::to_vec(answer) {
        Ok(body) => body_with(state, body, "application/json"),
        Err(error) => {
            // Plain structs of strings and enums always serialise.
            tracing::error!(%error, "cannot encode an answer");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `body` with its content type and the bank's signature over it.
pub(super) fn body_with(state: &AppState, body: Vec<u8>, content_type: &'static str) -> Response {
    let signature = state.signer.sign(now_unix(), &body);
    let Ok(signature) = HeaderValue::from_str(&signature) else {
        // Key ids, digits and base64url are always valid header text.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                axum::http::HeaderName::from_static("paydesk-bank-signature"),
                signature,
            ),
        ],
        body,
    )
        .into_response()
}
