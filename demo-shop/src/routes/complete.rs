//! `GET /checkout/complete?ref=…`: the return URL registered with Paydesk. The
//! gateway sends the shopper here unchanged after the bank, paid or not, whether
//! they paid in the embedded widget or on Paydesk's hosted page.

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
    Router::new().route("/checkout/complete", get(complete))
}

async fn complete(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let query = query.unwrap_or_default();
    let reference = url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "ref")
        .map(|(_, value)| value.into_owned())
        .ok_or(PageError::MissingReference)?;
    let order = state.find_order(&reference)?;
    // Deliberately no status change here: a browser arriving at this URL proves
    // nothing. The widget below asks Paydesk, and the webhook updates the order.
    Ok(views::complete::render(
        &order,
        &state.widget_loader_url(),
        Appearance::from_query(Some(&query)),
    ))
}
