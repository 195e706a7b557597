//! The order the theming page shows in its widget: a real Paydesk order for a sample
//! basket, created by the shop's server like any checkout, and shared by everyone
//! looking at the page until it is paid or half its time to pay has passed.

use time::OffsetDateTime;
use tokio::sync::Mutex;

use crate::cart::{Cart, FIELD_PREFIX};
use crate::error::PageError;
use crate::order::{Payment, ShopOrder};
use crate::place_order::place_order;
use crate::reference::ShopReference;
use crate::startup::AppState;

#[derive(Debug, Default)]
pub(crate) struct SampleOrder {
    /// Held across order creation, so designers opening the page at once share one
    /// new order instead of creating one each.
    current: Mutex<Option<ShopReference>>,
}

impl SampleOrder {
    /// The current sample order, or a new one when there is none still worth showing.
    pub(crate) async fn get(&self, state: &AppState) -> Result<ShopOrder, PageError> {
        let mut current = self.current.lock().await;
        let now = OffsetDateTime::now_utc();
        let reusable = current
            .as_ref()
            .and_then(|reference| state.store.get(reference))
            .filter(|order| still_fresh(order, now));
        if let Some(order) = reusable {
            return Ok(order);
        }
        let order = place_order(state, &sample_cart(state)?).await?;
        *current = Some(order.reference.clone());
        Ok(order)
    }
}

/// One of everything the shop sells, two of the first, so the review shows several
/// lines and a quantity.
fn sample_cart(state: &AppState) -> Result<Cart<'_>, PageError> {
    let fields: Vec<(String, String)> = state
        .catalog
        .products()
        .iter()
        .enumerate()
        .map(|(index, product)| {
            let quantity = if index == 0 { "2" } else { "1" };
            (format!("{FIELD_PREFIX}{}", product.id), quantity.to_owned())
        })
        .collect();
    Ok(Cart::from_form(&state.catalog, &fields)?)
}

/// Unpaid and with at least half of its time to pay left, so the widget a designer
/// looks at shows the bank list, not "expired", for a good while.
fn still_fresh(order: &ShopOrder, now: OffsetDateTime) -> bool {
    let Some(expires_at) = order.expires_at else {
        return false;
    };
    let lifetime = expires_at - order.created_at;
    matches!(order.payment, Payment::Awaiting) && expires_at - now > lifetime / 2
}

#[cfg(test)]
mod tests {
    use paydesk_shared::{Currency, Money};
    use time::Duration;

    use super::*;

    fn order(created_at: OffsetDateTime, ttl: Option<Duration>) -> ShopOrder {
        ShopOrder {
            reference: ShopReference::generate(),
            gateway_order_id: "ord_1".into(),
            client_token: "ct_1".into(),
            hosted_url: None,
            currency: Currency::Cny,
            items: Vec::new(),
            total: Money::parse("25.00", Currency::Cny).unwrap(),
            payment: Payment::Awaiting,
            events: Vec::new(),
            created_at,
            expires_at: ttl.map(|ttl| created_at + ttl),
        }
    }

    #[test]
    fn fresh_for_the_first_half_of_its_lifetime() {
        let start = OffsetDateTime::UNIX_EPOCH;
        let sample = order(start, Some(Duration::minutes(15)));
        assert!(still_fresh(&sample, start));
        assert!(still_fresh(&sample, start + Duration::minutes(7)));
        assert!(!still_fresh(&sample, start + Duration::minutes(8)));
        assert!(!still_fresh(&sample, start + Duration::minutes(20)));
    }

    #[test]
    fn never_fresh_once_paid_or_without_an_expiry() {
        let start = OffsetDateTime::UNIX_EPOCH;
        let mut paid = order(start, Some(Duration::minutes(15)));
        paid.payment = Payment::Paid {
            event_id: "evt_1".into(),
            paid_at: start,
            refunds: Vec::new(),
        };
        assert!(!still_fresh(&paid, start));
        assert!(!still_fresh(&order(start, None), start));
    }
}
