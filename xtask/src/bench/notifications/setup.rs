//! Setup, not measured: orders with one ICBC attempt each, created as the shop and the
//! widget would, closed loop on [`CONNECTIONS`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail, ensure};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, header};
use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::currency::Currency;

use crate::bench::harness::load::{CONNECTIONS, Load, drive};
use crate::bench::harness::merchant::Merchant;
use crate::bench::harness::stats::seconds;

pub(super) const ATTEMPT_BODY: &str = r#"{"bank_code":"ICBC","card_kind":"debit"}"#;

/// One order with its attempt, as the bank would know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Payment {
    pub(super) order_id: String,
    pub(super) attempt_id: String,
    /// The order's total, a decimal string.
    pub(super) amount: String,
    pub(super) currency: Currency,
}

/// `orders` orders, each with one attempt at the bank, ready to be notified.
pub(super) async fn set_up(
    addrs: &[SocketAddr],
    merchant: &Merchant,
    run_id: &Arc<str>,
    orders: usize,
) -> Result<Vec<Payment>> {
    let claims = Claims::new(orders);
    let checkouts = (0..CONNECTIONS).map(|_| Checkout {
        claims: claims.clone(),
        merchant: merchant.clone(),
        run_id: Arc::clone(run_id),
        step: Step::Idle,
        ready: Vec::new(),
    });
    let (phase, checkouts) = drive(addrs, checkouts).await?;
    if let Some(sample) = &phase.first_failure {
        bail!(
            "{} setup requests failed; first: {sample}",
            phase.failures()
        );
    }
    let list: Vec<Payment> = checkouts.into_iter().flat_map(|c| c.ready).collect();
    ensure!(
        list.len() == orders,
        "setup made {} payments out of {orders}",
        list.len()
    );
    println!(
        "set up in {} ({} requests)",
        seconds(phase.elapsed),
        phase.requests()
    );
    Ok(list)
}

/// Hands out `0..end`, each index once, across connections.
#[derive(Clone)]
pub(super) struct Claims {
    next: Arc<AtomicUsize>,
    end: usize,
}

impl Claims {
    pub(super) fn new(end: usize) -> Self {
        Claims {
            next: Arc::new(AtomicUsize::new(0)),
            end,
        }
    }

    pub(super) fn claim(&self) -> Option<usize> {
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        (index < self.end).then_some(index)
    }
}

/// One setup connection: creates an order, then its attempt, then the next order.
struct Checkout {
    claims: Claims,
    merchant: Merchant,
    run_id: Arc<str>,
    step: Step,
    ready: Vec<Payment>,
}

/// Where a [`Checkout`] is. A request that failed leaves its step behind; the next
/// request starts a new order (the failure already fails the setup).
enum Step {
    Idle,
    OrderSent,
    OrderCreated(Box<OrderResponse>),
    AttemptSent(Box<OrderResponse>),
}

impl Load for Checkout {
    fn next_request(&mut self, addr: SocketAddr) -> Option<Result<Request<Full<Bytes>>>> {
        match std::mem::replace(&mut self.step, Step::Idle) {
            Step::OrderCreated(order) => {
                let request = attempt_request(addr, &order);
                self.step = Step::AttemptSent(order);
                Some(request)
            }
            Step::Idle | Step::OrderSent | Step::AttemptSent(_) => {
                let index = self.claims.claim()?;
                self.step = Step::OrderSent;
                let key = format!("notify-{}-{index}", self.run_id);
                Some(self.merchant.order_request(addr, &key))
            }
        }
    }

    fn answered(&mut self, body: &Bytes) -> Result<()> {
        match std::mem::replace(&mut self.step, Step::Idle) {
            Step::OrderSent => {
                let order: OrderResponse =
                    serde_json::from_slice(body).context("the answer is no order")?;
                self.step = Step::OrderCreated(Box::new(order));
            }
            Step::AttemptSent(order) => {
                let attempt: CreateAttemptResponse =
                    serde_json::from_slice(body).context("the answer is no attempt")?;
                self.ready.push(Payment {
                    order_id: order.id,
                    attempt_id: attempt.attempt_id,
                    amount: order.total,
                    currency: order.currency,
                });
            }
            Step::Idle | Step::OrderCreated(_) => bail!("an answer to no request"),
        }
        Ok(())
    }
}

/// `POST /v1/widget/attempts` as the widget sends it when the shopper presses Pay.
fn attempt_request(addr: SocketAddr, order: &OrderResponse) -> Result<Request<Full<Bytes>>> {
    Ok(Request::post("/v1/widget/attempts")
        .header(header::HOST, addr.to_string())
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", order.client_token),
        )
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", format!("pay-{}", order.id))
        .body(Full::new(Bytes::from_static(ATTEMPT_BODY.as_bytes())))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::notifications::tests::{body_of, cny, test_addr};
    use paydesk_shared::OrderStatus;

    #[test]
    fn claims_hand_out_each_index_once() {
        let claims = Claims::new(3);
        let other = claims.clone();
        let taken = [claims.claim(), other.claim(), claims.claim(), other.claim()];
        assert_eq!(taken, [Some(0), Some(1), Some(2), None]);
    }

    fn order_json(id: &str, total: &str) -> Bytes {
        let order = OrderResponse {
            id: id.into(),
            status: OrderStatus::Created,
            currency: cny(),
            items: Vec::new(),
            total: total.into(),
            merchant_reference: "notify-run-0".into(),
            return_url: "http://127.0.0.1:9/checkout/complete".into(),
            client_token: "ct_secret".into(),
            hosted_url: "http://127.0.0.1:8080/pay/ct_secret".into(),
            receipt_url: None,
            created_at: "2026-01-01T00:00:00Z".into(),
            expires_at: "2026-01-01T00:15:00Z".into(),
            attempts: Vec::new(),
        };
        Bytes::from(serde_json::to_vec(&order).unwrap())
    }

    fn checkout() -> Checkout {
        Checkout {
            claims: Claims::new(1),
            merchant: Merchant::new("sk_test_x", "http://127.0.0.1:9"),
            run_id: "run".into(),
            step: Step::Idle,
            ready: Vec::new(),
        }
    }

    #[tokio::test]
    async fn a_checkout_creates_an_order_then_its_attempt() {
        let mut checkout = checkout();
        let (order, _) = body_of(checkout.next_request(test_addr()).unwrap().unwrap()).await;
        assert_eq!(order.uri.path(), "/v1/orders");
        assert_eq!(order.headers["Idempotency-Key"], "notify-run-0");
        checkout.answered(&order_json("ord_1", "425.50")).unwrap();

        let (attempt, body) = body_of(checkout.next_request(test_addr()).unwrap().unwrap()).await;
        assert_eq!(attempt.uri.path(), "/v1/widget/attempts");
        assert_eq!(attempt.headers[header::AUTHORIZATION], "Bearer ct_secret");
        assert_eq!(attempt.headers["Idempotency-Key"], "pay-ord_1");
        assert_eq!(body, ATTEMPT_BODY.as_bytes());
        checkout
            .answered(&Bytes::from_static(
                br#"{"attempt_id":"att_1","redirect_url":"http://bank/pay"}"#,
            ))
            .unwrap();
        assert_eq!(
            checkout.ready,
            [Payment {
                order_id: "ord_1".into(),
                attempt_id: "att_1".into(),
                amount: "425.50".into(),
                currency: cny(),
            }]
        );
        assert!(
            checkout.next_request(test_addr()).is_none(),
            "one order only"
        );
        assert!(checkout.answered(&Bytes::new()).is_err());
    }

    #[test]
    fn a_checkout_refuses_an_answer_that_is_no_order() {
        let mut checkout = checkout();
        assert!(checkout.next_request(test_addr()).is_some());
        assert!(checkout.answered(&Bytes::from_static(b"{}")).is_err());
        assert!(checkout.ready.is_empty());
    }
}
