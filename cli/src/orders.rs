//! `paydesk orders create`: one order, as a merchant's server would create it.

use anyhow::{Context, Result, bail};
use paydesk_shared::api::OrderResponse;
use paydesk_shared::merchant_api::ReturnUrlList;
use serde_json::json;

use crate::api::Api;

pub(crate) struct NewOrder {
    /// Decimal string in major units: `"25.00"` is ¥25.
    pub(crate) amount: String,
    pub(crate) currency: String,
    pub(crate) description: String,
    pub(crate) reference: Option<String>,
    /// One of the merchant's registered return URLs; the first one if not given.
    pub(crate) return_url: Option<String>,
}

impl NewOrder {
    /// A small order for the CLI's own test scenarios.
    pub(crate) fn sample() -> NewOrder {
        NewOrder {
            amount: "25.00".into(),
            currency: "CNY".into(),
            description: "Longjing tea (paydesk trigger)".into(),
            reference: None,
            return_url: None,
        }
    }
}

pub(crate) async fn create(api: &Api, order: &NewOrder) -> Result<OrderResponse> {
    let return_url = match &order.return_url {
        Some(url) => url.clone(),
        None => first_return_url(api).await?,
    };
    let reference = order
        .reference
        .clone()
        .unwrap_or_else(|| format!("cli-{}", crate::clock::now_secs()));
    api.post(
        "/v1/orders",
        &json!({
            "currency": order.currency,
            "items": [{"name": order.description, "quantity": 1, "unit_price": order.amount}],
            "merchant_reference": reference,
            "return_url": return_url,
        }),
    )
    .await
    .context("creating the order")
}

async fn first_return_url(api: &Api) -> Result<String> {
    let registered: ReturnUrlList = api.get("/v1/return_urls").await?;
    match registered.data.into_iter().next() {
        Some(url) => Ok(url),
        None => bail!(
            "you have no registered return URL: add one (POST /v1/return_urls) or pass --return-url"
        ),
    }
}

/// What `orders create` prints.
pub(crate) fn show(order: &OrderResponse) {
    println!("Created order {}", order.id);
    println!("  status       {}", order.status.as_str());
    println!("  total        {} {}", order.total, order.currency.code());
    println!("  checkout URL {}", order.hosted_url);
    println!("  client token {}", order.client_token);
    println!("  expires at   {}", order.expires_at);
}
