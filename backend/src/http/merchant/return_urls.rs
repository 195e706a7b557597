//! A merchant's registered return URLs: the only places a shopper is sent back to.
//! `GET /v1/return_urls`, `POST /v1/return_urls` (`{"url"}`, one more) and `DELETE
//! /v1/return_urls?url=…`; each change answers the whole list.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use paydesk_shared::ErrorCode;
use paydesk_shared::merchant_api::{ReturnUrlList, ReturnUrlRequest};
use url::Url;

use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::idempotency::{Answer, Idempotency};
use crate::http::list_query::ListQuery;
use crate::http::request::JsonBody;
use crate::state::AppState;
use crate::store::SetReturnUrls;

/// As many as a merchant may register.
pub(crate) const MAX_RETURN_URLS: usize = 20;
const MAX_URL_LEN: usize = 2048;

/// Your return URLs: the only places a shopper is sent back to after the bank.
#[utoipa::path(get, path = "/v1/return_urls", tag = "Account", operation_id = "list_return_urls",
    security(("merchant_key" = [])),
    responses((status = 200, description = "Your return URLs.", body = ReturnUrlList)))]
pub(super) async fn list(AuthMerchant(merchant): AuthMerchant) -> Json<ReturnUrlList> {
    Json(ReturnUrlList {
        data: merchant.return_urls.clone(),
    })
}

/// Registers one more return URL (at most 20); answers the whole list.
#[utoipa::path(post, path = "/v1/return_urls", tag = "Account", operation_id = "add_return_url",
    security(("merchant_key" = [])),
    request_body(content = ReturnUrlRequest, example = json!({"url": "https://shop.example/orders/done"})),
    responses(
        (status = 200, description = "Your return URLs, with this one (registering one twice changes nothing).", body = ReturnUrlList),
        (status = 409, description = "`return_urls_changed`: the list changed while this request ran; retry."),
        (status = 422, description = "`url_invalid`: not an absolute `https` URL (or `http` on localhost) without a fragment. `invalid_field`: 20 return URLs are registered already."),
    ))]
pub(super) async fn add(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    idempotency: Idempotency,
    body: JsonBody,
) -> Result<Answer, ApiError> {
    let request: ReturnUrlRequest = body.parse()?;
    let url = checked(&request.url)?;
    let mut urls = merchant.return_urls.clone();
    if !urls.contains(&url) {
        urls.push(url);
    }
    let urls = checked_list(urls)?;
    let answer = Answer::json(StatusCode::OK, &ReturnUrlList { data: urls.clone() });
    replace(
        &state,
        &merchant.id,
        &merchant.return_urls,
        urls,
        idempotency.record(&answer),
    )
    .await?;
    Ok(answer)
}

/// Removes a return URL; answers the whole list.
#[utoipa::path(delete, path = "/v1/return_urls", tag = "Account", operation_id = "remove_return_url",
    security(("merchant_key" = [])),
    params(("url" = String, Query, description = "The return URL to remove, exactly as registered.")),
    responses(
        (status = 200, description = "Your return URLs, without it.", body = ReturnUrlList),
        (status = 400, description = "`query_invalid`: no `url`, or another parameter."),
        (status = 404, description = "`not_found`: the URL is not registered."),
        (status = 409, description = "`return_urls_changed`: the list changed while this request ran; retry."),
    ))]
pub(super) async fn remove(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    RawQuery(raw): RawQuery,
) -> Result<Json<ReturnUrlList>, ApiError> {
    let query = ListQuery::parse(raw.as_deref(), &["url"])?;
    let url = query.get("url").ok_or_else(|| {
        ApiError::bad_request(ErrorCode::QueryInvalid, "url: the return URL to remove")
    })?;
    if !merchant.return_urls.iter().any(|u| u == url) {
        return Err(ApiError::not_found("return URL"));
    }
    let urls: Vec<String> = merchant
        .return_urls
        .iter()
        .filter(|u| *u != url)
        .cloned()
        .collect();
    replace(
        &state,
        &merchant.id,
        &merchant.return_urls,
        urls.clone(),
        None,
    )
    .await?;
    Ok(Json(ReturnUrlList { data: urls }))
}

async fn replace(
    state: &AppState,
    merchant: &crate::domain::ids::MerchantId,
    previous: &[String],
    urls: Vec<String>,
    answer: Option<crate::domain::idempotency::KeyAnswer>,
) -> Result<(), ApiError> {
    let command = SetReturnUrls {
        merchant_id: merchant.clone(),
        previous: previous.to_vec(),
        return_urls: urls,
        answer,
    };
    let replaced = state.store.set_return_urls(&command).await?;
    state.merchants.forget();
    if !replaced {
        return Err(ApiError::conflict(
            ErrorCode::ReturnUrlsChanged,
            "the return URLs changed meanwhile; read them and try again",
        ));
    }
    Ok(())
}

/// An absolute `http` or `https` URL with a host, without credentials or fragment.
pub(crate) fn checked(raw: &str) -> Result<String, ApiError> {
    let invalid = |why: &str| {
        ApiError::unprocessable(ErrorCode::UrlInvalid, format!("return URL {raw:?}: {why}"))
    };
    if raw.len() > MAX_URL_LEN {
        return Err(invalid("longer than 2048 characters"));
    }
    let url = Url::parse(raw).map_err(|_| invalid("not an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid("not an http or https URL with a host"));
    }
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not carry credentials or a fragment"));
    }
    Ok(raw.to_owned())
}

/// Every URL checked, none twice, at most [`MAX_RETURN_URLS`].
pub(crate) fn checked_list(urls: Vec<String>) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::with_capacity(urls.len());
    for url in urls {
        let url = checked(&url)?;
        if !out.contains(&url) {
            out.push(url);
        }
    }
    if out.len() > MAX_RETURN_URLS {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidField,
            format!("return_urls: at most {MAX_RETURN_URLS}"),
        ));
    }
    Ok(out)
}

/// Whether `candidate` targets one of the merchant's registered return URLs: scheme,
/// host, port and path must match exactly; the query may differ (it usually carries the
/// merchant's own order reference); fragments and credentials are refused.
pub(super) fn is_registered(registered: &[String], candidate: &str) -> bool {
    let Ok(c) = Url::parse(candidate) else {
        return false;
    };
    if c.fragment().is_some() || !c.username().is_empty() || c.password().is_some() {
        return false;
    }
    registered
        .iter()
        .filter_map(|r| Url::parse(r).ok())
        .any(|r| {
            r.scheme() == c.scheme()
                && r.host_str() == c.host_str()
                && r.port_or_known_default() == c.port_or_known_default()
                && r.path() == c.path()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_exact_target_with_any_query() {
        let registered = vec!["https://shop.example/checkout/complete".to_owned()];
        assert!(is_registered(
            &registered,
            "https://shop.example/checkout/complete?ref=A1"
        ));
        assert!(is_registered(
            &registered,
            "https://shop.example:443/checkout/complete"
        ));
        for bad in [
            "https://shop.example/checkout/complete/evil",
            "https://shop.example.evil.com/checkout/complete",
            "http://shop.example/checkout/complete",
            "https://shop.example:8443/checkout/complete",
            "https://user@shop.example/checkout/complete",
            "https://shop.example/checkout/complete#x",
            "not a url",
        ] {
            assert!(!is_registered(&registered, bad), "{bad}");
        }
        assert!(!is_registered(
            &[],
            "https://shop.example/checkout/complete"
        ));
    }
}
