//! `POST /checkout` creates the order at Paydesk from the shop's server;
//! `GET /checkout/{reference}` shows it with the widget;
//! `GET /checkout/{reference}/hosted` sends the shopper to Paydesk's own page for it.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::appearance::Appearance;
use crate::cart::Cart;
use crate::error::PageError;
use crate::place_order::place_order;
use crate::startup::AppState;
use crate::views;

pub(super) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/checkout", post(start_checkout))
        .route("/checkout/{reference}", get(show_checkout))
        .route("/checkout/{reference}/hosted", get(pay_hosted))
}

async fn start_checkout(
    State(state): State<Arc<AppState>>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(fields) = form.map_err(|_| PageError::UnreadableForm)?;
    let cart = Cart::from_form(&state.catalog, &fields)?;
    let order = place_order(&state, &cart).await?;
    // 303 so that reloading the next page never re-submits the basket.
    Ok(Redirect::to(&format!("/checkout/{}", order.reference)).into_response())
}

/// `?theme=` and `?locale=` pass on to the widget, so every preset can be seen on
/// the real checkout page.
async fn show_checkout(
    State(state): State<Arc<AppState>>,
    Path(reference): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let order = state.find_order(&reference)?;
    let appearance = Appearance::from_query(query.as_deref());
    Ok(views::checkout::render(
        &order,
        &state.widget_loader_url(),
        appearance,
    ))
}

/// A plain link, not a form: `form-action 'self'` would stop a form whose answer
/// redirects to the gateway. The target is the order's own `hosted_url`, checked
/// when the order was created; nothing from the request decides where it goes.
async fn pay_hosted(
    State(state): State<Arc<AppState>>,
    Path(reference): Path<String>,
) -> Result<Response, PageError> {
    let order = state.find_order(&reference)?;
    let hosted_url = order.hosted_url.ok_or(PageError::NoHostedPage)?;
    Ok(Redirect::to(&hosted_url).into_response())
}
