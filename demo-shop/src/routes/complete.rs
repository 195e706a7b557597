//! `GET /checkout/complete?ref=…`: the return URL registered with Paydesk. The
//! gateway sends the shopper here unchanged after the bank, paid or not.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use crate::error::PageError;
use crate::startup::AppState;
use crate::views;

pub(super) fn router() -> Router<Arc<AppState>> {
    Router::new().route("/checkout/complete", get(complete))
}

#[derive(Deserialize)]
struct ReturnQuery {
    #[serde(rename = "ref")]
    reference: Option<String>,
}

async fn complete(
    State(state): State<Arc<AppState>>,
    query: Result<Query<ReturnQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let reference = query
        .ok()
        .and_then(|Query(query)| query.reference)
        .ok_or(PageError::MissingReference)?;
    let order = state.find_order(&reference)?;
    // Deliberately no status change here: a browser arriving at this URL proves
    // nothing. The widget below asks Paydesk, and the webhook updates the order.
    Ok(views::complete::render(&order, &state.widget_loader_url))
}
