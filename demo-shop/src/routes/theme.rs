//! `GET /theme`: the theming page for designers, on the shared sample order.

use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;

use crate::appearance::Appearance;
use crate::error::PageError;
use crate::startup::AppState;
use crate::views;

pub(super) fn router() -> Router<Arc<AppState>> {
    Router::new().route("/theme", get(theme))
}

/// `?theme=` and `?locale=` choose the preset and language the page starts with.
async fn theme(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let order = state.sample_order.get(&state).await?;
    Ok(views::theme::render(
        &order,
        &state.widget_loader_url(),
        Appearance::from_query(query.as_deref()),
    ))
}
