//! The merchant API, authenticated by secret key.

mod account;
pub(crate) mod balance;
mod cancel_order;
mod create_order;
pub(crate) mod get_order;
mod list_orders;
mod payouts;
mod refunds;
pub(crate) mod return_urls;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/orders",
            post(create_order::handler).get(list_orders::handler),
        )
        .route("/v1/orders/{id}", get(get_order::handler))
        .route("/v1/orders/{id}/cancel", post(cancel_order::handler))
        .route(
            "/v1/orders/{id}/refunds",
            post(refunds::create).get(refunds::list),
        )
        .route("/v1/refunds/{id}", get(refunds::get))
        .route("/v1/account", get(account::get))
        .route(
            "/v1/return_urls",
            get(return_urls::list)
                .post(return_urls::add)
                .delete(return_urls::remove),
        )
        .route("/v1/balance", get(balance::balance))
        .route("/v1/balance_transactions", get(balance::transactions))
        .route("/v1/settlements", get(payouts::settlements))
        .route("/v1/settlements/{id}", get(payouts::settlement))
        .route("/v1/payouts", get(payouts::payouts).post(payouts::create))
        .route("/v1/payouts/{id}", get(payouts::payout))
}
