use axum::Json;
use axum::extract::{RawQuery, State};
use paydesk_shared::OrderStatus;
use paydesk_shared::api::OrderList;

use crate::domain::ids::OrderId;
use crate::domain::order::OrderFilter;
use crate::http::auth::AuthMerchant;
use crate::http::error::ApiError;
use crate::http::list_query::{ListQuery, invalid, timestamp};
use crate::http::wire;
use crate::state::AppState;

/// `GET /v1/orders?status=&created_gte=&created_lt=&merchant_reference=&limit=&starting_after=`:
/// the merchant's orders, newest first.
pub(super) async fn handler(
    State(state): State<AppState>,
    AuthMerchant(merchant): AuthMerchant,
    RawQuery(query): RawQuery,
) -> Result<Json<OrderList>, ApiError> {
    let query = ListQuery::parse(
        query.as_deref(),
        &[
            "status",
            "created_gte",
            "created_lt",
            "merchant_reference",
            "limit",
            "starting_after",
        ],
    )?;
    let limit = query.limit()?;
    let status = query
        .get("status")
        .map(|s| {
            OrderStatus::parse(s).ok_or_else(|| {
                invalid(format!(
                    "status: {s:?} is not one of {}",
                    OrderStatus::ALL.map(OrderStatus::as_str).join(", ")
                ))
            })
        })
        .transpose()?;
    let starting_after = query.get("starting_after").map(OrderId::from);
    if let Some(after) = &starting_after
        && state.store.order(&merchant.id, after).await?.is_none()
    {
        return Err(invalid(format!(
            "starting_after: {after:?} is not one of your orders"
        )));
    }
    let filter = OrderFilter {
        status,
        created_from: query
            .get("created_gte")
            .map(|v| timestamp("created_gte", v))
            .transpose()?,
        created_before: query
            .get("created_lt")
            .map(|v| timestamp("created_lt", v))
            .transpose()?,
        merchant_reference: query.get("merchant_reference").map(str::to_owned),
        starting_after,
    };
    // One more than asked tells whether there is a next page.
    let mut orders = state.store.orders(&merchant.id, &filter, limit + 1).await?;
    let has_more = orders.len() > limit as usize;
    orders.truncate(limit as usize);
    let now = state.clock.now_ms();
    Ok(Json(OrderList {
        data: orders
            .iter()
            .map(|o| wire::order_response(o, &state.public_url, now))
            .collect(),
        has_more,
    }))
}
