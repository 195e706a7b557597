//! `POST /checkout` creates the order at Paydesk from the shop's server;
//! `GET /checkout/{reference}` shows it with the widget.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use paydesk_shared::Money;
use paydesk_shared::api::{CreateOrderRequest, LineItemRequest, OrderResponse};
use time::OffsetDateTime;

use crate::cart::Cart;
use crate::catalog::CURRENCY;
use crate::error::PageError;
use crate::gateway::GatewayError;
use crate::order::{Payment, ShopOrder};
use crate::reference::ShopReference;
use crate::startup::AppState;
use crate::views;

pub(super) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/checkout", post(start_checkout))
        .route("/checkout/{reference}", get(show_checkout))
}

async fn start_checkout(
    State(state): State<Arc<AppState>>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(fields) = form.map_err(|_| PageError::UnreadableForm)?;
    let cart = Cart::from_form(&state.catalog, &fields)?;
    let reference = ShopReference::generate();
    let request = order_request(&state, &cart, &reference);

    let created = state
        .gateway
        .create_order(reference.as_str(), &request)
        .await
        .inspect_err(
            |error| tracing::error!(%reference, %error, "could not create the Paydesk order"),
        )?;
    let order = shop_order(reference.clone(), created).inspect_err(
        |error| tracing::error!(%reference, %error, "unexpected answer from Paydesk"),
    )?;
    tracing::info!(
        reference = %order.reference,
        gateway_order_id = %order.gateway_order_id,
        total = %order.total,
        "order created at Paydesk"
    );
    let location = format!("/checkout/{}", order.reference);
    state.store.insert(order);
    // 303 so that reloading the next page never re-submits the basket.
    Ok(Redirect::to(&location).into_response())
}

async fn show_checkout(
    State(state): State<Arc<AppState>>,
    Path(reference): Path<String>,
) -> Result<Response, PageError> {
    let order = state.find_order(&reference)?;
    Ok(views::checkout::render(&order, &state.widget_loader_url))
}

/// The order exactly as the shop's server states it: its own prices, its own
/// reference, and a return URL on its own domain (registered with Paydesk).
fn order_request(
    state: &AppState,
    cart: &Cart<'_>,
    reference: &ShopReference,
) -> CreateOrderRequest {
    CreateOrderRequest {
        currency: CURRENCY.code().to_owned(),
        items: cart
            .lines()
            .iter()
            .map(|line| LineItemRequest {
                name: line.product.name.to_owned(),
                quantity: line.quantity.into(),
                unit_price: line.product.unit_price.to_string(),
                image_url: Some(state.public_url.join(line.product.image_path)),
            })
            .collect(),
        merchant_reference: reference.to_string(),
        return_url: state
            .public_url
            .join(&format!("/checkout/complete?ref={reference}")),
    }
}

/// Keeps what the shop needs from Paydesk's answer, after checking it is the order the
/// shop asked for. The total is Paydesk's: it is what the shopper will be asked to pay
/// and what the `order.paid` webhook must match.
fn shop_order(reference: ShopReference, created: OrderResponse) -> Result<ShopOrder, GatewayError> {
    if created.merchant_reference != reference.as_str() {
        return Err(GatewayError::Inconsistent("a different merchant_reference"));
    }
    if created.currency != CURRENCY {
        return Err(GatewayError::Inconsistent("a different currency"));
    }
    let total = Money::parse(&created.total, created.currency)
        .map_err(|_| GatewayError::Inconsistent("a total that is not an amount"))?;
    Ok(ShopOrder {
        reference,
        gateway_order_id: created.id,
        client_token: created.client_token,
        currency: created.currency,
        items: created.items,
        total,
        payment: Payment::AwaitingPayment,
        events: Vec::new(),
        created_at: OffsetDateTime::now_utc(),
    })
}
