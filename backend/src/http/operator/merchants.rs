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

/// Creates a merchant with its first secret key (shown once), and optionally a webhook
/// endpoint for every event type.
#[utoipa::path(post, path = "/v1/operator/merchants", tag = "Operator", operation_id = "create_merchant",
    security(("operator_key" = [])),
    request_body(content = CreateMerchantRequest, example = json!({
        "name": "Tea House",
        "settlement_account": {"bank": "ICBC", "account_number": "6222020000000001"},
        "return_urls": ["https://shop.example/orders/done"],
    })),
    responses(
        (status = 201, description = "The merchant, with its `secret_key` (and `webhook_secret` if a webhook URL was given).", body = MerchantResponse),
        (status = 422, description = "`invalid_field`: a name of 1 to 100 characters, a settlement account, return URLs or a fee plan that is not acceptable; `message` names it. `bank_unknown`: the settlement account's bank is not in the directory. `url_invalid`: a return or webhook URL that is not acceptable. `webhook_url_not_allowed`: a private or loopback webhook address the operator does not allow."),
    ))]
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

/// Merchants, newest first.
#[utoipa::path(get, path = "/v1/operator/merchants", tag = "Operator", operation_id = "list_merchants",
    security(("operator_key" = [])),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Merchants per page, 20 if not given."),
        ("starting_after" = Option<String>, Query, description = "The last id of the previous page."),
    ),
    responses(
        (status = 200, description = "A page of merchants.", body = MerchantList),
        (status = 400, description = "`query_invalid`: an unknown or repeated parameter, or a value out of range."),
    ))]
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

/// One merchant.
#[utoipa::path(get, path = "/v1/operator/merchants/{id}", tag = "Operator", operation_id = "get_merchant",
    security(("operator_key" = [])),
    params(("id" = String, Path, description = "The merchant's id.")),
    responses(
        (status = 200, description = "The merchant.", body = MerchantResponse),
        (status = 404, description = "`not_found`: no merchant with this id."),
    ))]
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
/// Issues another secret key (shown once): `test` unless `{"mode": "live"}`. The body
/// may be left out.
#[utoipa::path(post, path = "/v1/operator/merchants/{id}/keys", tag = "Operator", operation_id = "issue_merchant_key",
    security(("operator_key" = [])),
    params(("id" = String, Path, description = "The merchant's id.")),
    request_body(content = Option<IssueKeyRequest>, example = json!({"mode": "test"})),
    responses(
        (status = 201, description = "The key, with its `secret_key`.", body = KeyResponse),
        (status = 404, description = "`not_found`: no merchant with this id."),
    ))]
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

/// A merchant's keys (without their secrets).
#[utoipa::path(get, path = "/v1/operator/merchants/{id}/keys", tag = "Operator", operation_id = "list_merchant_keys",
    security(("operator_key" = [])),
    params(("id" = String, Path, description = "The merchant's id.")),
    responses(
        (status = 200, description = "The keys.", body = KeyList),
        (status = 404, description = "`not_found`: no merchant with this id."),
    ))]
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
/// Revokes a key at once.
#[utoipa::path(delete, path = "/v1/operator/merchants/{id}/keys/{key_id}", tag = "Operator", operation_id = "revoke_merchant_key",
    security(("operator_key" = [])),
    params(
        ("id" = String, Path, description = "The merchant's id."),
        ("key_id" = String, Path, description = "The key's id."),
    ),
    responses(
        (status = 200, description = "The revoked key.", body = KeyResponse),
        (status = 404, description = "`not_found`: the merchant has no live key with this id."),
    ))]
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
