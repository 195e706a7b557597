//! The merchant's receiver is down for ten minutes (of the gateway's clock) while 5,000
//! orders are paid; after it recovers every event arrives, under the id it had during
//! the outage, and each order's events arrive in sequence order.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures::StreamExt;
use paydesk_gateway::clock::Clock;
use paydesk_gateway::domain::event::EventFilter;
use paydesk_gateway::domain::webhook::DeliveryState;
use serde_json::json;

use crate::helpers::without_rate_limits;
use crate::webhook_support::subscribed_with;

const ORDERS: usize = 5_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_orders_paid_during_a_ten_minute_outage_all_arrive_in_order() {
    let (app, clock, receiver, endpoint) = subscribed_with(json!(["*"]), without_rate_limits).await;
    receiver.answer_with(503);
    let down_from = clock.now_ms();

    // Each order is declined once, then paid: order.failed (1), then order.paid (2).
    futures::stream::iter(0..ORDERS)
        .for_each_concurrent(32, |_| async {
            app.decline_then_pay(&clock).await;
        })
        .await;
    app.dispatcher_caught_up().await;
    while clock.now_ms() < down_from + 600_000 {
        clock.advance(Duration::from_secs(60));
        app.dispatcher_caught_up().await;
    }
    let during_outage = receiver.hits();
    assert!(during_outage.iter().all(|h| h.answered == 503));

    receiver.answer_with(200);
    let mut steps = 0;
    while app.pending_deliveries().await > 0 {
        steps += 1;
        assert!(
            steps <= 60,
            "deliveries still pending an hour after recovery"
        );
        clock.advance(Duration::from_secs(60));
        app.dispatcher_caught_up().await;
    }

    // Every event is stored once per order and type, and reached the receiver.
    let stored: Vec<(String, String, i64)> = app
        .store
        .events(&"mer_alpha".into(), &EventFilter::default(), 100_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.id.to_string(), e.subject.clone(), e.sequence))
        .collect();
    assert_eq!(stored.len(), 2 * ORDERS);
    let mut delivered = 0;
    for (event_id, _, _) in &stored {
        let deliveries = app
            .store
            .event_deliveries(&event_id.as_str().into())
            .await
            .unwrap();
        delivered += deliveries
            .iter()
            .filter(|d| d.endpoint_id == endpoint.id && d.state == DeliveryState::Delivered)
            .count();
    }
    assert_eq!(delivered, 2 * ORDERS);

    let hits = receiver.hits();
    let ids: HashSet<&str> = stored.iter().map(|(id, _, _)| id.as_str()).collect();
    let accepted: HashSet<String> = hits
        .iter()
        .filter(|h| h.answered == 200)
        .map(|h| h.event().id)
        .collect();
    assert_eq!(accepted.len(), 2 * ORDERS, "100 % delivered");
    // Nothing crashed, so nothing is delivered twice.
    let answered_ok = hits.iter().filter(|h| h.answered == 200).count();
    assert_eq!(answered_ok, 2 * ORDERS, "each event accepted exactly once");
    assert!(accepted.iter().all(|id| ids.contains(id.as_str())));

    // Ids are stable across retries: what was refused during the outage arrived later
    // under the same id, with the same body.
    let mut first_body: HashMap<String, &[u8]> = HashMap::new();
    for h in &hits {
        let id = h.event().id;
        let body = first_body.entry(id.clone()).or_insert(&h.body);
        assert_eq!(*body, &h.body[..], "event {id} changed between attempts");
    }
    let refused: HashSet<String> = during_outage.iter().map(|h| h.event().id).collect();
    assert!(
        refused.len() >= ORDERS,
        "every order's first event was tried during the outage"
    );
    assert!(refused.is_subset(&accepted));

    // Per order, the receiver never saw event 2 before it had accepted event 1.
    let mut accepted_first: HashSet<String> = HashSet::new();
    for h in &hits {
        let event = h.event();
        match event.sequence {
            1 => {
                if h.answered == 200 {
                    accepted_first.insert(event.data.order.as_ref().unwrap().id.clone());
                }
            }
            2 => assert!(
                accepted_first.contains(&event.data.order.as_ref().unwrap().id),
                "order {}: event 2 before event 1 was delivered",
                event.data.order.as_ref().unwrap().id
            ),
            other => panic!("unexpected sequence {other}"),
        }
    }
    assert_eq!(accepted_first.len(), ORDERS);
    eprintln!(
        "{} attempts refused during the outage, {} requests in all, recovered in {steps} clock minutes",
        during_outage.len(),
        hits.len(),
    );
}
