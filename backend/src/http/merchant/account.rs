//! `GET /v1/account`: the merchant as the gateway knows it (name, settlement account,
//! fee plan, return URLs), so a merchant can check what it is paid out to and charged.

use axum::Json;
use paydesk_shared::merchant_api::MerchantResponse;

use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::operator::merchant_response;

/// Your account: name, settlement account, fee plan and return URLs.
#[utoipa::path(get, path = "/v1/account", tag = "Account", operation_id = "get_account",
    security(("merchant_key" = [])),
    responses((status = 200, description = "Your account.", body = MerchantResponse)))]
pub(super) async fn get(
    AuthMerchant(merchant): AuthMerchant,
) -> Result<Json<MerchantResponse>, ApiError> {
    Ok(Json(merchant_response(&merchant)?))
}
