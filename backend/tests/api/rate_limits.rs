//! Limits on the public routes: a client over its limit gets `429 rate_limited` with
//! `Retry-After`, nothing changes, and everyone else is served as before. Clients are
//! told apart by their real addresses: the test connects from 127.0.0.2 and 127.0.0.3.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use paydesk_gateway::RateLimits;
use paydesk_shared::bank_protocol::PaymentOutcome;

use crate::helpers::*;

/// A client whose connections come from `address`.
fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(address.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

fn limits(client: u32, bank: u32, attempts: u32) -> RateLimits {
    RateLimits {
        client_per_second: NonZeroU32::new(client),
        bank_per_second: NonZeroU32::new(bank),
        attempts_per_minute: NonZeroU32::new(attempts),
        trust_forwarded_for: false,
    }
}

/// Sends `request` until it is refused, at most `at_most` times; the refusal.
async fn until_limited(
    at_most: usize,
    request: impl Fn() -> reqwest::RequestBuilder,
) -> reqwest::Response {
    for _ in 0..at_most {
        let response = request().send().await.unwrap();
        if response.status() == 429 {
            return response;
        }
        assert!(response.status().is_success(), "{}", response.status());
    }
    panic!("still served after {at_most} requests");
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_client_over_its_limit_gets_429_while_another_is_served() {
    let app = spawn_app_with(|c| c.rate_limits = limits(2, 0, 0)).await;
    let order = app.create_order().await;
    let session = |client: &reqwest::Client| {
        client
            .get(app.url("/v1/widget/session"))
            .bearer_auth(&order.client_token)
            .header("origin", "https://shop.example")
    };
    let (greedy, other) = (client_from("127.0.0.2"), client_from("127.0.0.3"));

    // A burst of twice the rate is served, then the greedy client is refused.
    let refused = until_limited(100, || session(&greedy)).await;
    let wait = retry_after(&refused);
    assert!((1..=2).contains(&wait), "Retry-After: {wait}");
    assert_eq!(
        refused.headers()["access-control-allow-origin"],
        "*",
        "a widget on a merchant's page can read the refusal"
    );
    assert_error(refused, 429, "rate_limited").await;

    // The other client is served; so is the hosted page for it.
    assert_eq!(session(&other).send().await.unwrap().status(), 200);
    let hosted = other
        .get(app.url(&format!("/pay/{}", order.client_token)))
        .send()
        .await
        .unwrap();
    assert_eq!(hosted.status(), 200);

    // The hosted page shares the greedy client's bucket, and after waiting as told
    // that client is served again.
    let page = greedy
        .get(app.url(&format!("/pay/{}", order.client_token)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429);
    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(session(&greedy).send().await.unwrap().status(), 200);

    // The merchant API is not limited per address.
    for _ in 0..20 {
        assert_eq!(
            greedy
                .get(app.url(&format!("/v1/orders/{}", order.id)))
                .bearer_auth(SECRET_KEY)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
}

#[tokio::test]
async fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
    for trusted in [false, true] {
        let app = spawn_app_with(|c| {
            c.rate_limits = RateLimits {
                trust_forwarded_for: trusted,
                ..limits(2, 0, 0)
            }
        })
        .await;
        let order = app.create_order().await;
        let session = |forwarded_for: &str| {
            app.client
                .get(app.url("/v1/widget/session"))
                .bearer_auth(&order.client_token)
                .header("x-forwarded-for", forwarded_for)
        };
        until_limited(100, || session("198.51.100.1, 203.0.113.7")).await;
        // Another address in the header: another client only if the proxy is trusted;
        // otherwise the header is the client's own word and changes nothing.
        let next = session("203.0.113.8").send().await.unwrap();
        assert_eq!(next.status(), if trusted { 200 } else { 429 }, "{trusted}");
    }
}

#[tokio::test]
async fn payment_attempts_are_limited_per_order() {
    let app = spawn_app_with(|c| c.rate_limits = limits(0, 0, 3)).await;
    let (busy, calm) = (app.create_order().await, app.create_order().await);
    // Three clicks (another bank each time, so each is a new request) are taken.
    for (i, bank) in ["ICBC", "CMB", "ABC"].into_iter().enumerate() {
        let response = app.start_attempt(&busy, bank, &format!("click-{i}")).await;
        assert_ne!(response.status(), 429, "click {i}");
    }
    let before = app.get_order(&busy.id).await;
    let refused = app.start_attempt(&busy, "BOC", "click-3").await;
    assert!(retry_after(&refused) >= 1);
    assert_error(refused, 429, "rate_limited").await;
    assert_eq!(
        serde_json::to_value(app.get_order(&busy.id).await).unwrap(),
        serde_json::to_value(before).unwrap(),
        "the refused click changed nothing"
    );
    // Another order's shopper pays as usual.
    assert_eq!(
        app.start_attempt(&calm, "ICBC", "click-0").await.status(),
        201
    );
    // A request without a client token is not counted against anyone: it is refused
    // as unauthenticated.
    let anonymous = app
        .client
        .post(app.url("/v1/widget/attempts"))
        .header("idempotency-key", "click-x")
        .json(&serde_json::json!({"bank_code": "ICBC", "card_kind": "debit"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn a_flooding_connector_gets_429_and_nothing_is_stored() {
    let app = spawn_app_with(|c| c.rate_limits = limits(0, 2, 0)).await;
    let (order, attempt) = app.order_at_bank().await;
    // Unsigned noise counts against the connector like anything else sent to it.
    let noise = || {
        app.client
            .post(app.url("/v1/bank/notifications/sandbox"))
            .header("content-type", "application/json")
            .body("{}")
    };
    for _ in 0..50 {
        let status = noise().send().await.unwrap().status();
        if status == 429 {
            break;
        }
        assert_eq!(status, 400, "refused as unsigned");
    }
    let before = app.inbox_counts().await;
    let body = app.notification(&order, &attempt, "118.00", PaymentOutcome::Succeeded);
    let refused = app.notify(body.clone(), &app.bank).await;
    assert!(retry_after(&refused) >= 1);
    assert_error(refused, 429, "rate_limited").await;
    assert_eq!(app.inbox_counts().await, before, "nothing was stored");
    // An unknown connector is its own key: it is answered, as not found.
    let unknown = app
        .client
        .post(app.url("/v1/bank/notifications/unknown"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}
