//! Placing an order: the shop's server states the basket to Paydesk with its secret
//! key and keeps what it needs from the answer. Checkout does this for shoppers, the
//! theming page for its sample order.

use paydesk_shared::Money;
use paydesk_shared::api::{CreateOrderRequest, LineItemRequest, OrderResponse};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::base_url::BaseUrl;
use crate::cart::Cart;
use crate::catalog::CURRENCY;
use crate::gateway::GatewayError;
use crate::order::{Payment, ShopOrder};
use crate::reference::ShopReference;
use crate::startup::AppState;

/// Creates the order for `cart` at Paydesk and stores it under a fresh reference.
pub(crate) async fn place_order(
    state: &AppState,
    cart: &Cart<'_>,
) -> Result<ShopOrder, GatewayError> {
    let reference = ShopReference::generate();
    let request = order_request(state, cart, &reference);
    let created = state
        .gateway
        .create_order(reference.as_str(), &request)
        .await
        .inspect_err(
            |error| tracing::error!(%reference, %error, "could not create the Paydesk order"),
        )?;
    let order = shop_order(reference.clone(), created, &state.gateway_public_url).inspect_err(
        |error| tracing::error!(%reference, %error, "unexpected answer from Paydesk"),
    )?;
    tracing::info!(
        reference = %order.reference,
        gateway_order_id = %order.gateway_order_id,
        total = %order.total,
        "order created at Paydesk"
    );
    state.store.insert(order.clone());
    Ok(order)
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
        expires_in: None,
    }
}

/// Keeps what the shop needs from Paydesk's answer, after checking it is the order the
/// shop asked for. The total is Paydesk's: it is what the shopper will be asked to pay
/// and what the `order.paid` webhook must match.
///
/// The hosted page's URL is kept only if it is on the gateway's public URL: the shop
/// redirects shoppers there, and a redirect target the shop has not checked would
/// make it an open redirector. Without one, checkout still works embedded.
fn shop_order(
    reference: ShopReference,
    created: OrderResponse,
    gateway_public_url: &BaseUrl,
) -> Result<ShopOrder, GatewayError> {
    if created.merchant_reference != reference.as_str() {
        return Err(GatewayError::Inconsistent("a different merchant_reference"));
    }
    if created.currency != CURRENCY {
        return Err(GatewayError::Inconsistent("a different currency"));
    }
    let total = Money::parse(&created.total, created.currency)
        .map_err(|_| GatewayError::Inconsistent("a total that is not an amount"))?;
    let hosted_url = if gateway_public_url.owns(&created.hosted_url) {
        Some(created.hosted_url)
    } else {
        // The URL carries the client token, which stays out of logs.
        tracing::warn!(
            %reference,
            empty = created.hosted_url.is_empty(),
            "Paydesk's hosted_url is not on the gateway's public URL; offering embedded checkout only"
        );
        None
    };
    Ok(ShopOrder {
        reference,
        gateway_order_id: created.id,
        client_token: created.client_token,
        hosted_url,
        currency: created.currency,
        items: created.items,
        total,
        payment: Payment::Awaiting,
        events: Vec::new(),
        created_at: OffsetDateTime::now_utc(),
        expires_at: OffsetDateTime::parse(&created.expires_at, &Rfc3339).ok(),
    })
}
