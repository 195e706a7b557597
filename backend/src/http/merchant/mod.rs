//! The merchant API, authenticated by secret key.

mod account;
pub(crate) mod balance;
mod cancel_order;
mod create_order;
pub(crate) mod get_order;
mod list_orders;
pub(crate) mod payouts;
mod refunds;
pub(crate) mod return_urls;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_order::handler, list_orders::handler))
        .routes(routes!(get_order::handler))
        .routes(routes!(cancel_order::handler))
        .routes(routes!(refunds::create, refunds::list))
        .routes(routes!(refunds::get))
        .routes(routes!(account::get))
        .routes(routes!(
            return_urls::list,
            return_urls::add,
            return_urls::remove
        ))
        .routes(routes!(balance::balance))
        .routes(routes!(balance::transactions))
        .routes(routes!(payouts::settlements))
        .routes(routes!(payouts::settlement))
        .routes(routes!(payouts::payouts, payouts::create))
        .routes(routes!(payouts::payout))
}
