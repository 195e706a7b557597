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

/// Your orders, newest first. Pass the last order's id as `starting_after` for the next
/// page while `has_more`.
#[utoipa::path(get, path = "/v1/orders", tag = "Orders", operation_id = "list_orders",
    security(("merchant_key" = [])),
    params(
        ("status" = Option<OrderStatus>, Query, description = "Only orders in this status."),
        ("created_gte" = Option<String>, Query, format = DateTime, description = "Only orders created at or after this time (RFC 3339)."),
        ("created_lt" = Option<String>, Query, format = DateTime, description = "Only orders created before this time (RFC 3339)."),
        ("merchant_reference" = Option<String>, Query, description = "Only orders with this reference."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Orders per page, 20 if not given."),
        ("starting_after" = Option<String>, Query, description = "The last id of the previous page."),
    ),
    responses(
        (status = 200, description = "A page of orders.", body = OrderList),
        (status = 400, description = "`query_invalid`: an unknown or repeated parameter, or a value out of range."),
    ))]
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
