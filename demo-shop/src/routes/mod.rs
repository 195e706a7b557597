//! The shop's routes, one module per page or endpoint.

mod assets;
mod checkout;
mod complete;
mod health;
mod orders;
mod storefront;
mod theme;
mod webhooks;

use std::sync::Arc;

use axum::Router;

use crate::error::PageError;
use crate::startup::AppState;

pub(crate) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .merge(health::router())
        .merge(storefront::router())
        .merge(checkout::router())
        .merge(complete::router())
        .merge(orders::router())
        .merge(theme::router())
        .merge(webhooks::router())
        .merge(assets::router())
        .fallback(|| async { PageError::NotFound })
}
