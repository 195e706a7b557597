//! `Idempotency-Key` on every merchant POST. The same key with the same request (method,
//! path and body) answers what the first request answered, byte for byte and with its
//! status; with a different request, `422 idempotency_key_reused`; while the first
//! request still runs, `409 idempotency_key_in_use`. Keys are kept 24 hours.
//!
//! A layer claims the key before the handler runs and releases it after the handler
//! answered. The handler renders its success answer first ([`Answer`]) and gives it
//! ([`Idempotency::record`]) to the store call that makes the change, which records it
//! in the same transaction: a crash leaves either both or neither. An error answer is
//! not recorded, so a retry after one runs again; nothing was changed by it.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use paydesk_shared::ErrorCode;
use sha2::{Digest, Sha256};
use tracing::Instrument;

use super::MAX_BODY_BYTES;
use super::auth::bearer;
use super::request::idempotency_key;
use crate::domain::idempotency::{KEEP, KeyAnswer, KeyClaim};
use crate::domain::ids::MerchantId;
use crate::domain::time::millis;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::store::Store;

pub(crate) const REPLAYED_HEADER: &str = "idempotent-replayed";

/// The key this request holds, for its handler to record its answer under.
#[derive(Debug, Clone)]
struct Claim {
    merchant_id: MerchantId,
    key: String,
    request_hash: String,
    created_at: i64,
}

/// Releases the claim however the request ends, after its answer was recorded.
struct Held {
    store: Arc<dyn Store>,
    merchant_id: MerchantId,
    key: String,
    released: bool,
}

impl Held {
    /// Releases the claim before the answer goes out, so a retry that follows the
    /// answer finds the key free.
    async fn release(mut self) {
        self.store
            .release_idempotency_key(&self.merchant_id, &self.key)
            .await;
        self.released = true;
    }
}

impl Drop for Held {
    /// A handler that panicked: release in the background.
    fn drop(&mut self) {
        if self.released {
            return;
        }
        let (store, merchant_id, key) = (
            self.store.clone(),
            self.merchant_id.clone(),
            self.key.clone(),
        );
        tokio::spawn(async move { store.release_idempotency_key(&merchant_id, &key).await });
    }
}

/// The layer on the merchant API's routes.
pub(crate) async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let key = match idempotency_key(request.headers()) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(request).await,
        Err(e) => return e.into_response(),
    };
    // Keys are the merchant's: an unauthenticated request goes on to be refused.
    let merchant = match bearer(request.headers()) {
        Some(secret) => match state.merchants.authenticate(secret).await {
            Ok(Some(merchant)) => merchant,
            Ok(None) => return next.run(request).await,
            Err(e) => return ApiError::from(e).into_response(),
        },
        None => return next.run(request).await,
    };
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return super::extract::too_large().into_response();
    };
    let request_hash = hash(&parts, &body);
    let now = state.clock.now_ms();
    let keep_ms = millis(KEEP);
    let claim = state
        .store
        .claim_idempotency_key(&merchant.id, &key, &request_hash, now - keep_ms)
        .await;
    match claim {
        Err(e) => ApiError::from(e).into_response(),
        Ok(KeyClaim::Replay { status, body }) => replay(status, body),
        Ok(KeyClaim::Mismatch) => ApiError::unprocessable(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was already used for a different request (method, path or body)",
        )
        .into_response(),
        Ok(KeyClaim::InUse) => ApiError::conflict(
            ErrorCode::IdempotencyKeyInUse,
            "a request with this Idempotency-Key is still being processed; retry when it has answered",
        )
        .into_response(),
        Ok(KeyClaim::Claimed) => {
            let held = Held {
                store: state.store.clone(),
                merchant_id: merchant.id.clone(),
                key: key.clone(),
                released: false,
            };
            let mut request = Request::from_parts(parts, Body::from(body));
            request.extensions_mut().insert(Claim {
                merchant_id: merchant.id.clone(),
                key,
                request_hash,
                created_at: now,
            });
            // Its own task, so a client hanging up cannot cut the handler short between
            // its commit and the release: the key is freed only once the work is done.
            let work = tokio::spawn(
                async move {
                    let response = next.run(request).await;
                    held.release().await;
                    response
                }
                .in_current_span(),
            );
            work.await.unwrap_or_else(|e| {
                ApiError::Internal(anyhow::anyhow!("idempotent request did not finish: {e}"))
                    .into_response()
            })
        }
    }
}

fn hash(parts: &Parts, body: &Bytes) -> String {
    let mut sha = Sha256::new();
    sha.update(parts.method.as_str());
    sha.update(b" ");
    sha.update(parts.uri.path_and_query().map_or("", |p| p.as_str()));
    sha.update(b"\n");
    sha.update(body);
    hex::encode(sha.finalize())
}

fn replay(status: u16, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

/// A handler's success answer, rendered before the change so it can be recorded with it.
pub(crate) struct Answer {
    status: StatusCode,
    body: Vec<u8>,
}

impl Answer {
    pub(crate) fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Answer {
        let body = serde_json::to_vec(value)
            .expect("response shapes are strings, numbers and enums: they serialise");
        Answer { status, body }
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

/// The request's claimed key, if it sent one.
pub(crate) struct Idempotency(Option<Claim>);

impl Idempotency {
    /// What to record with the change, if the request has a key.
    pub(crate) fn record(&self, answer: &Answer) -> Option<KeyAnswer> {
        self.0.as_ref().map(|c| KeyAnswer {
            merchant_id: c.merchant_id.clone(),
            key: c.key.clone(),
            request_hash: c.request_hash.clone(),
            status: answer.status.as_u16(),
            body: answer.body.clone(),
            created_at: c.created_at,
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Idempotency {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Idempotency(parts.extensions.get::<Claim>().cloned()))
    }
}
