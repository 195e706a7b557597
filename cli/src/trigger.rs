//! `paydesk trigger <event type>`: creates a test order and drives it through the
//! sandbox bank with the test helpers until the gateway stores that event, so the
//! merchant's webhooks (and `paydesk listen`) receive a real one.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use paydesk_shared::api::{OrderResponse, RefundResponse, WebhookEvent};
use paydesk_shared::sandbox_cards::REFUND_REFUSED_DEBIT;
use paydesk_shared::webhook_api::EventList;
use serde_json::{Value, json};

use crate::api::Api;
use crate::orders::{self, NewOrder};

/// What `trigger` can produce, each by a short story of its own.
pub(crate) const EVENT_TYPES: [&str; 6] = [
    "order.paid",
    "order.failed",
    "order.cancelled",
    "order.expired",
    "refund.succeeded",
    "refund.failed",
];

/// How long the event may take to appear after its story ran (refunds run at the bank).
const EVENT_WAIT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(200);

pub(crate) async fn run(api: &Api, event_type: &str, return_url: Option<String>) -> Result<()> {
    if !EVENT_TYPES.contains(&event_type) {
        bail!(
            "cannot trigger {event_type:?}: choose one of {}",
            EVENT_TYPES.join(", ")
        );
    }
    if !api.is_test_key() {
        bail!("trigger pays test orders at the sandbox bank: use a test key (sk_test_…)");
    }
    let order = orders::create(
        api,
        &NewOrder {
            return_url,
            ..NewOrder::sample()
        },
    )
    .await?;
    println!(
        "Created order {} ({} {})",
        order.id,
        order.total,
        order.currency.code()
    );
    let pay = |body: Value| pay(api, &order, body);
    match event_type {
        "order.paid" => pay(json!({"outcome": "paid"})).await?,
        "order.failed" => {
            pay(json!({"outcome": "declined", "decline_reason": "insufficient_funds"})).await?
        }
        "order.cancelled" => {
            let cancelled: OrderResponse = api
                .post(&format!("/v1/orders/{}/cancel", order.id), &json!({}))
                .await?;
            println!("Cancelled it: {}", cancelled.status.as_str());
        }
        "order.expired" => {
            let expired: OrderResponse = api
                .post(
                    &format!("/v1/test_helpers/orders/{}/expire", order.id),
                    &json!({}),
                )
                .await?;
            println!("Expired it: {}", expired.status.as_str());
        }
        "refund.succeeded" => {
            pay(json!({"outcome": "paid"})).await?;
            refund(api, &order).await?;
        }
        "refund.failed" => {
            pay(json!({"card_number": REFUND_REFUSED_DEBIT.number})).await?;
            refund(api, &order).await?;
        }
        _ => unreachable!("checked against EVENT_TYPES"),
    }
    let event = stored(api, &order.id, event_type).await?;
    println!("Triggered {event_type}: {} (order {})", event.id, order.id);
    Ok(())
}

/// Plays the shopper at the sandbox bank with the test helper.
async fn pay(api: &Api, order: &OrderResponse, body: Value) -> Result<()> {
    let paid: OrderResponse = api
        .post(&format!("/v1/test_helpers/orders/{}/pay", order.id), &body)
        .await?;
    let attempt = paid.attempts.last();
    println!(
        "Paid it at {} with a sandbox test card: {}{}",
        attempt.map_or("the bank", |a| a.bank_code.as_str()),
        paid.status.as_str(),
        attempt
            .and_then(|a| a.failure_reason.as_deref())
            .map(|reason| format!(" ({reason})"))
            .unwrap_or_default()
    );
    Ok(())
}

async fn refund(api: &Api, order: &OrderResponse) -> Result<()> {
    let refund: RefundResponse = api
        .post(&format!("/v1/orders/{}/refunds", order.id), &json!({}))
        .await?;
    println!(
        "Refunding {} {}: {}",
        refund.amount,
        refund.currency.code(),
        refund.id
    );
    Ok(())
}

/// The order's event of `event_type`, once the gateway has stored it.
async fn stored(api: &Api, order_id: &str, event_type: &str) -> Result<WebhookEvent> {
    let deadline = Instant::now() + EVENT_WAIT;
    let path = format!("/v1/events?order_id={order_id}&type={event_type}&limit=1");
    loop {
        let events: EventList = api.get(&path).await?;
        if let Some(event) = events.data.into_iter().next() {
            return Ok(event);
        }
        if Instant::now() >= deadline {
            bail!(
                "no {event_type} for order {order_id} after {}s",
                EVENT_WAIT.as_secs()
            );
        }
        tokio::time::sleep(POLL).await;
    }
}
