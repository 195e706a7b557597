//! `paydesk trigger <event type>`: creates a test order and drives it through the
//! sandbox bank with the test helpers until the gateway stores that event, so the
//! merchant's webhooks (and `paydesk listen`) receive a real one. Settlement and payout
//! events settle the paid order's money at once and pay it out.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use paydesk_shared::api::{OrderResponse, RefundResponse, WebhookEvent};
use paydesk_shared::balance_api::{PayoutResponse, SettlementResponse};
use paydesk_shared::sandbox_cards::REFUND_REFUSED_DEBIT;
use paydesk_shared::webhook_api::EventList;
use serde_json::{Value, json};

use crate::api::Api;
use crate::orders::{self, NewOrder};

/// What `trigger` can produce, each by a short story of its own.
pub(crate) const EVENT_TYPES: [&str; 9] = [
    "order.paid",
    "order.failed",
    "order.cancelled",
    "order.expired",
    "refund.succeeded",
    "refund.failed",
    "settlement.created",
    "payout.paid",
    "payout.failed",
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
    // The event is about the order unless the story names another subject.
    let mut subject = order.id.clone();
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
        "settlement.created" => {
            pay(json!({"outcome": "paid"})).await?;
            subject = settle(api, &order).await?.id;
        }
        "payout.paid" | "payout.failed" => {
            pay(json!({"outcome": "paid"})).await?;
            let settlement = settle(api, &order).await?;
            let outcome = event_type.trim_start_matches("payout.");
            subject = payout(api, &settlement, outcome).await?;
        }
        _ => unreachable!("checked against EVENT_TYPES"),
    }
    let event = stored(api, &subject, event_type).await?;
    println!("Triggered {event_type}: {} ({subject})", event.id);
    Ok(())
}

/// Settles the paid order's money now with the test helper.
async fn settle(api: &Api, order: &OrderResponse) -> Result<SettlementResponse> {
    let settlement: SettlementResponse = api
        .post(
            &format!("/v1/test_helpers/orders/{}/settle", order.id),
            &json!({}),
        )
        .await?;
    println!(
        "Settled it: {} {} available ({})",
        settlement.net,
        settlement.currency.code(),
        settlement.id
    );
    Ok(settlement)
}

/// Pays the settlement's net out with the test helper, to be `paid` or `failed` at the
/// bank; the payout's id.
async fn payout(api: &Api, settlement: &SettlementResponse, outcome: &str) -> Result<String> {
    let payout: PayoutResponse = api
        .post(
            "/v1/test_helpers/payouts",
            &json!({
                "amount": settlement.net,
                "currency": settlement.currency.code(),
                "outcome": outcome,
            }),
        )
        .await?;
    println!(
        "Paying out {} {} to {} {}: {}",
        payout.amount,
        payout.currency.code(),
        payout.destination.bank,
        payout.destination.account_number,
        payout.id
    );
    Ok(payout.id)
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

/// The event of `event_type` about `subject` (an order, settlement or payout), once
/// the gateway has stored it.
async fn stored(api: &Api, subject: &str, event_type: &str) -> Result<WebhookEvent> {
    let deadline = Instant::now() + EVENT_WAIT;
    // Newest first: the one triggered is on the first page unless a hundred more of its
    // type were made meanwhile.
    let path = format!("/v1/events?type={event_type}&limit=100");
    loop {
        let events: EventList = api.get(&path).await?;
        if let Some(event) = events
            .data
            .into_iter()
            .find(|e| subject_of(e) == Some(subject))
        {
            return Ok(event);
        }
        if Instant::now() >= deadline {
            bail!(
                "no {event_type} for {subject} after {}s",
                EVENT_WAIT.as_secs()
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The id of what `event` is about.
fn subject_of(event: &WebhookEvent) -> Option<&str> {
    let data = &event.data;
    data.order
        .as_ref()
        .map(|o| o.id.as_str())
        .or(data.settlement.as_ref().map(|s| s.id.as_str()))
        .or(data.payout.as_ref().map(|p| p.id.as_str()))
}
