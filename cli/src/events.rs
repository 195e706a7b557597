//! `paydesk events list`: the merchant's events, newest first, as a table.

use anyhow::Result;
use paydesk_shared::api::WebhookEvent;
use paydesk_shared::webhook_api::EventList;

use crate::api::Api;

pub(crate) struct Filter {
    pub(crate) event_type: Option<String>,
    pub(crate) order_id: Option<String>,
    pub(crate) limit: u32,
}

pub(crate) async fn list(api: &Api, filter: &Filter) -> Result<EventList> {
    let mut query = vec![format!("limit={}", filter.limit)];
    if let Some(kind) = &filter.event_type {
        query.push(format!("type={kind}"));
    }
    if let Some(order) = &filter.order_id {
        query.push(format!("order_id={order}"));
    }
    api.get(&format!("/v1/events?{}", query.join("&"))).await
}

pub(crate) fn show(events: &EventList) {
    if events.data.is_empty() {
        println!("No events.");
        return;
    }
    println!("{:<40}  {:<18}  {:<40}  CREATED", "ID", "TYPE", "ABOUT");
    for event in &events.data {
        println!(
            "{:<40}  {:<18}  {:<40}  {}",
            event.id,
            event.kind,
            about(event),
            event.created_at
        );
    }
    if events.has_more {
        println!("… more: --limit up to 100, or --type / --order to narrow");
    }
}

/// What the event is about: its refund, order, settlement or payout.
fn about(event: &WebhookEvent) -> &str {
    let data = &event.data;
    data.refund
        .as_ref()
        .map(|r| r.id.as_str())
        .or(data.order.as_ref().map(|o| o.id.as_str()))
        .or(data.settlement.as_ref().map(|s| s.id.as_str()))
        .or(data.payout.as_ref().map(|p| p.id.as_str()))
        .unwrap_or("")
}
