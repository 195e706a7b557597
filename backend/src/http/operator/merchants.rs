//! `/v1/operator/merchants…`: the operator creates merchants, reads them, and issues
//! and revokes their secret keys. A new merchant's first key (and its first webhook
//! endpoint's secret) are shown once, in the answer that creates them.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use paydesk_shared::ErrorCode;
use paydesk_shared::merchant_api::{
    CreateMerchantRequest, IssueKeyRequest, KeyList, KeyResponse, MerchantList, MerchantResponse,
    SettlementAccountBody,
};

use crate::domain::fee::FeePlan;
use crate::domain::ids::{EndpointId, KeyId, MerchantId};
use crate::domain::merchant::{Merchant, MerchantKey, SettlementAccount};
use crate::domain::webhook::{EndpointStatus, WebhookEndpoint};
use crate::http::auth::Operator;
use crate::http::error::ApiError;
use crate::http::extract::PathParam;
use crate::http::list_query::ListQuery;
use crate::http::merchant::return_urls;
use crate::http::request::JsonBody;
use crate::http::webhooks::endpoint_input;
use crate::http::wire;
use crate::merchants::{key_hash, last4, new_secret_key};
use crate::state::AppState;
use crate::store::{CreateMerchant, SaveEndpoint, StoreError};

const MAX_NAME_LEN: usize = 100;

pub(super) async fn create(
    _: Operator,
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<(StatusCode, Json<MerchantResponse>), ApiError> {
    let request: CreateMerchantRequest = body.parse()?;
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(invalid(format!("name: 1 to {MAX_NAME_LEN} characters")));
    }
    let settlement_account = settlement_account(&state, request.settlement_account)?;
    let return_urls = return_urls::checked_list(request.return_urls)?;
    let fee_plan = fee_plan(request.fee_plan)?;
    let webhook_url = request
        .webhook_url
        .as_deref()
        .map(|url| endpoint_input::url(url, state.webhook_allow_private_urls))
        .transpose()?;
    let now = state.clock.now_ms();
    let merchant = Merchant {
        id: MerchantId::generate(),
        name: name.to_owned(),
        return_urls,
        settlement_account: Some(settlement_account),
        fee_plan,
        created_at: now,
    };
    let secret_key = new_secret_key(request.key_mode);
    let key = new_key(&merchant.id, &secret_key, now);
    state
        .store
        .create_merchant(&CreateMerchant {
            merchant: merchant.clone(),
            key,
            answer: None,
        })
        .await?;
    let mut response = merchant_response(&merchant)?;
    response.secret_key = Some(secret_key);
    if let Some(url) = webhook_url {
        let secret = paydesk_shared::webhook::new_secret();
        state
            .store
            .save_webhook_endpoint(&SaveEndpoint {
                endpoint: WebhookEndpoint {
                    id: EndpointId::generate(),
                    merchant_id: merchant.id.clone(),
                    url,
                    event_types: vec!["*".into()],
                    description: Some("registered when the merchant was created".into()),
                    secret: secret.clone(),
                    previous_secret: None,
                    previous_secret_until: None,
                    status: EndpointStatus::Enabled,
                    disabled_reason: None,
                    created_at: now,
                    updated_at: now,
                },
                answer: None,
            })
            .await?;
        response.webhook_secret = Some(secret);
    }
    tracing::info!(merchant = %merchant.id, "merchant created");
    Ok((StatusCode::CREATED, Json(response)))
}

pub(super) async fn list(
    _: Operator,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<MerchantList>, ApiError> {
    let query = ListQuery::parse(raw.as_deref(), &["limit", "starting_after"])?;
    let limit = query.limit()?;
    let after = query.get("starting_after").map(MerchantId::from);
    let mut merchants = state
        .store
        .merchants(after.as_ref(), limit.saturating_add(1))
        .await?;
    let has_more = merchants.len() > limit as usize;
    merchants.truncate(limit as usize);
    Ok(Json(MerchantList {
        data: merchants
            .iter()
            .map(merchant_response)
            .collect::<Result<_, _>>()?,
        has_more,
    }))
}

pub(super) async fn get(
    _: Operator,
    State(state): State<AppState>,
    PathParam(id): PathParam<MerchantId>,
) -> Result<Json<MerchantResponse>, ApiError> {
    let merchant = state
        .store
        .merchant(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("merchant"))?;
    Ok(Json(merchant_response(&merchant)?))
}

/// `POST /v1/operator/merchants/{id}/keys`: one more key, test unless the body asks
/// for `{"mode": "live"}`; the others stay valid.
pub(super) async fn issue_key(
    _: Operator,
    State(state): State<AppState>,
    PathParam(id): PathParam<MerchantId>,
    body: Option<JsonBody>,
) -> Result<(StatusCode, Json<KeyResponse>), ApiError> {
    let request: IssueKeyRequest = body.map(|b| b.parse()).transpose()?.unwrap_or_default();
    if state.store.merchant(&id).await?.is_none() {
        return Err(ApiError::not_found("merchant"));
    }
    let secret_key = new_secret_key(request.mode);
    let key = new_key(&id, &secret_key, state.clock.now_ms());
    state.store.save_merchant_key(&key).await?;
    tracing::info!(merchant = %id, key = %key.id, "secret key issued");
    let mut response = key_response(&key);
    response.secret_key = Some(secret_key);
    Ok((StatusCode::CREATED, Json(response)))
}

pub(super) async fn keys(
    _: Operator,
    State(state): State<AppState>,
    PathParam(id): PathParam<MerchantId>,
) -> Result<Json<KeyList>, ApiError> {
    if state.store.merchant(&id).await?.is_none() {
        return Err(ApiError::not_found("merchant"));
    }
    let keys = state.store.merchant_keys(&id).await?;
    Ok(Json(KeyList {
        data: keys.iter().map(key_response).collect(),
    }))
}

/// `DELETE /v1/operator/merchants/{id}/keys/{key_id}`: the key stops working at once.
pub(super) async fn revoke_key(
    _: Operator,
    State(state): State<AppState>,
    PathParam((id, key_id)): PathParam<(MerchantId, KeyId)>,
) -> Result<Json<KeyResponse>, ApiError> {
    let now = state.clock.now_ms();
    if !state.store.revoke_merchant_key(&id, &key_id, now).await? {
        return Err(ApiError::not_found("key"));
    }
    state.merchants.forget();
    tracing::info!(merchant = %id, key = %key_id, "secret key revoked");
    let keys = state.store.merchant_keys(&id).await?;
    let key = keys
        .iter()
        .find(|k| k.id == key_id)
        .ok_or_else(|| StoreError::Corrupt(format!("revoked key {key_id} is gone")))?;
    Ok(Json(key_response(key)))
}

fn new_key(merchant: &MerchantId, secret_key: &str, now: i64) -> MerchantKey {
    MerchantKey {
        id: KeyId::generate(),
        merchant_id: merchant.clone(),
        key_hash: key_hash(secret_key),
        last4: last4(secret_key),
        created_at: now,
        revoked_at: None,
    }
}

fn settlement_account(
    state: &AppState,
    body: SettlementAccountBody,
) -> Result<SettlementAccount, ApiError> {
    if !state.banks.iter().any(|b| b.code == body.bank) {
        return Err(ApiError::unprocessable(
            ErrorCode::BankUnknown,
            format!(
                "settlement_account.bank: {:?} is not a bank code of the directory",
                body.bank
            ),
        ));
    }
    if !SettlementAccount::number_is_valid(&body.account_number) {
        return Err(invalid(
            "settlement_account.account_number: 6 to 19 digits".into(),
        ));
    }
    Ok(SettlementAccount {
        bank: body.bank,
        account_number: body.account_number,
    })
}

fn fee_plan(given: Option<serde_json::Value>) -> Result<FeePlan, ApiError> {
    let Some(value) = given else {
        return Ok(FeePlan::default());
    };
    let plan: FeePlan = serde_json::from_value(value).map_err(|e| {
        invalid(format!(
            "fee_plan: {{\"debit\": {{\"basis_points\", \"fixed\", \"minimum\", \"maximum\"}}, \"credit\": {{…}}}} with amounts as decimal strings ({e})"
        ))
    })?;
    plan.validate()
        .map_err(|e| invalid(format!("fee_plan.{e}")))?;
    Ok(plan)
}

fn invalid(message: String) -> ApiError {
    ApiError::unprocessable(ErrorCode::InvalidField, message)
}

pub(crate) fn merchant_response(m: &Merchant) -> Result<MerchantResponse, ApiError> {
    let fee_plan = serde_json::to_value(m.fee_plan)
        .map_err(|e| StoreError::Corrupt(format!("fee plan of {}: {e}", m.id)))?;
    Ok(MerchantResponse {
        id: m.id.to_string(),
        object: "merchant".into(),
        name: m.name.clone(),
        settlement_account: m
            .settlement_account
            .as_ref()
            .map(|a| SettlementAccountBody {
                bank: a.bank.clone(),
                account_number: a.account_number.clone(),
            }),
        return_urls: m.return_urls.clone(),
        fee_plan,
        created_at: wire::timestamp(m.created_at),
        secret_key: None,
        webhook_secret: None,
    })
}

fn key_response(k: &MerchantKey) -> KeyResponse {
    KeyResponse {
        id: k.id.to_string(),
        object: "secret_key".into(),
        last4: k.last4.clone(),
        created_at: wire::timestamp(k.created_at),
        revoked_at: k.revoked_at.map(wire::timestamp),
        secret_key: None,
    }
}
