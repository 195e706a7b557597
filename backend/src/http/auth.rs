//! Who is calling: a merchant by secret key, a shopper's widget by client token, or
//! the gateway's operator by the operator key.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use paydesk_shared::ErrorCode;
use paydesk_shared::merchant_api::KeyMode;

use crate::domain::merchant::Merchant;
use crate::domain::order::Order;
use crate::http::error::ApiError;
use crate::state::AppState;

/// The credentials of `Authorization: Bearer <token>`; the scheme name is matched
/// without regard to case (RFC 9110 §11.1).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A merchant authenticated by `Authorization: Bearer <secret key>`.
pub(crate) struct AuthMerchant(pub(crate) Arc<Merchant>);

impl FromRequestParts<AppState> for AuthMerchant {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(AuthMerchant(merchant_by_key(parts, state).await?.1))
    }
}

/// A merchant authenticated by a test key (`sk_test_…`), for the test helpers; a live
/// key is refused with `403 test_mode_only`.
pub(crate) struct TestMerchant(pub(crate) Arc<Merchant>);

impl FromRequestParts<AppState> for TestMerchant {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (mode, merchant) = merchant_by_key(parts, state).await?;
        if mode != KeyMode::Test {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::TestModeOnly,
                "test helpers take test keys only (`sk_test_…`); this is a live key",
            ));
        }
        Ok(TestMerchant(merchant))
    }
}

/// The merchant whose secret key the request presents, and the key's mode.
async fn merchant_by_key(
    parts: &Parts,
    state: &AppState,
) -> Result<(KeyMode, Arc<Merchant>), ApiError> {
    let key = bearer(&parts.headers).ok_or_else(|| {
        ApiError::unauthenticated("send your secret key as `Authorization: Bearer sk_…`")
    })?;
    let merchant = state
        .merchants
        .authenticate(key)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("the secret key is not valid"))?;
    Ok((KeyMode::of(key), merchant))
}

/// The order a widget's client token authorises, from the `Authorization` header or,
/// for EventSource which cannot set headers, the `client_token` query parameter.
pub(crate) struct ClientOrder(pub(crate) Order);

impl FromRequestParts<AppState> for ClientOrder {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let from_query = parts.uri.query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "client_token")
                .map(|(_, v)| v.into_owned())
        });
        let token = bearer(&parts.headers)
            .map(str::to_owned)
            .or(from_query)
            .ok_or_else(|| {
                ApiError::unauthenticated(
                    "send the order's client token as `Authorization: Bearer ct_…`",
                )
            })?;
        let invalid = || ApiError::unauthenticated("the client token is not valid");
        let order_id = crate::domain::ids::order_of_client_token(&token).ok_or_else(invalid)?;
        let order = state
            .store
            .order_by_id(&order_id)
            .await?
            .ok_or_else(invalid)?;
        if !crate::domain::ids::tokens_match(&order.client_token, &token) {
            return Err(invalid());
        }
        Ok(ClientOrder(order))
    }
}

/// The gateway's operator, authenticated by `Authorization: Bearer <operator key>`.
pub(crate) struct Operator;

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(expected) = &state.operator_key_hash else {
            return Err(ApiError::unauthenticated(
                "the operator API is off: start the gateway with PAYDESK_OPERATOR_KEY",
            ));
        };
        let key = bearer(&parts.headers).ok_or_else(|| {
            ApiError::unauthenticated("send the operator key as `Authorization: Bearer …`")
        })?;
        let given = crate::merchants::key_hash(key);
        if subtle::ConstantTimeEq::ct_eq(given.as_bytes(), expected.as_bytes()).into() {
            Ok(Operator)
        } else {
            Err(ApiError::unauthenticated("the operator key is not valid"))
        }
    }
}
