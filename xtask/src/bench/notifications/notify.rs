//! What the bank sends: a signed success notification per payment, handed out to
//! closed-loop connections ([`Notifier`]) or to an open-loop schedule ([`Scheduled`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, ensure};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, header};
use paydesk_shared::bank_protocol::{PaymentNotification, PaymentOutcome, SIGNATURE_HEADER};
use paydesk_shared::signing::Signer;
use serde_json::Value;

use super::setup::{Claims, Payment};
use crate::bench::harness::load::Load;
use crate::bench::harness::open_loop::Requests;

pub(super) const BANK_CODE: &str = "ICBC";
pub(super) const NOTIFY_PATH: &str = "/v1/bank/notifications/sandbox";

/// The bank: who signs, and what keeps its transaction ids unique across runs.
#[derive(Clone)]
pub(super) struct Bank {
    pub(super) signer: Arc<Signer>,
    pub(super) run_id: Arc<str>,
}

impl Bank {
    /// The success verdict for `payment`, the `index`th of its run.
    fn notify(
        &self,
        addr: SocketAddr,
        payment: &Payment,
        index: u64,
    ) -> Result<Request<Full<Bytes>>> {
        let transaction = format!("BENCH-{}-{index}", self.run_id);
        notification_request(addr, payment, &transaction, &self.signer)
    }
}

/// One closed-loop connection: the bank notifying payments until none are left.
pub(super) struct Notifier {
    pub(super) payments: Arc<[Payment]>,
    pub(super) claims: Claims,
    pub(super) bank: Bank,
}

impl Load for Notifier {
    fn next_request(&mut self, addr: SocketAddr) -> Option<Result<Request<Full<Bytes>>>> {
        let index = self.claims.claim()?;
        let payment = self.payments.get(index)?;
        Some(self.bank.notify(addr, payment, u64::try_from(index).ok()?))
    }

    fn answered(&mut self, body: &Bytes) -> Result<()> {
        check_received(body)
    }
}

/// An open-loop schedule's requests: request `i` notifies `payments[i]`.
pub(super) struct Scheduled {
    pub(super) payments: Arc<[Payment]>,
    pub(super) bank: Bank,
    /// Added to each index in the transaction id, so two schedules never share one.
    pub(super) first_index: u64,
}

impl Scheduled {
    pub(super) fn payment(&self, index: u64) -> Option<&Payment> {
        self.payments.get(usize::try_from(index).ok()?)
    }
}

impl Requests for Scheduled {
    fn request(&self, addr: SocketAddr, index: u64) -> Result<Request<Full<Bytes>>> {
        let payment = self
            .payment(index)
            .with_context(|| format!("no payment {index} to notify"))?;
        self.bank.notify(addr, payment, self.first_index + index)
    }

    fn answered(&self, _index: u64, body: &Bytes) -> Result<()> {
        check_received(body)
    }
}

fn check_received(body: &Bytes) -> Result<()> {
    let answer: Value = serde_json::from_slice(body).context("the answer is not JSON")?;
    ensure!(
        answer["received"] == Value::Bool(true),
        "the answer does not say received: {answer}"
    );
    Ok(())
}

/// The bank's success verdict for `payment`, signed afresh (a fresh nonce) as every
/// delivery must be.
pub(super) fn notification_request(
    addr: SocketAddr,
    payment: &Payment,
    bank_transaction_id: &str,
    bank: &Signer,
) -> Result<Request<Full<Bytes>>> {
    let now = unix_now()?;
    let body = serde_json::to_vec(&PaymentNotification {
        attempt_id: payment.attempt_id.clone(),
        order_id: payment.order_id.clone(),
        bank_code: BANK_CODE.to_owned(),
        bank_transaction_id: bank_transaction_id.to_owned(),
        amount: payment.amount.clone(),
        currency: payment.currency,
        outcome: PaymentOutcome::Succeeded,
        decided_at: now,
        card_last4: None,
    })?;
    Ok(Request::post(NOTIFY_PATH)
        .header(header::HOST, addr.to_string())
        .header(SIGNATURE_HEADER, bank.sign(now, &body))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))?)
}

pub(super) fn unix_now() -> Result<i64> {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the clock is before 1970")?;
    Ok(i64::try_from(since.as_secs())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::notifications::tests::{body_of, cny, test_addr};
    use paydesk_shared::signing::Verifier;

    fn payment(n: u32) -> Payment {
        Payment {
            order_id: format!("ord_{n}"),
            attempt_id: format!("att_{n}"),
            amount: "425.50".into(),
            currency: cny(),
        }
    }

    #[tokio::test]
    async fn a_notification_is_signed_by_the_bank_afresh_each_time() {
        let bank = Signer::generate("bank-1");
        let payment = payment(1);
        let first = notification_request(test_addr(), &payment, "BENCH-x-0", &bank).unwrap();
        let second = notification_request(test_addr(), &payment, "BENCH-x-0", &bank).unwrap();
        let (parts, body) = body_of(first).await;
        assert_eq!(parts.uri.path(), "/v1/bank/notifications/sandbox");
        let header = parts.headers[SIGNATURE_HEADER].to_str().unwrap().to_owned();
        let verifier = Verifier::new(vec![bank.public_key()]);
        let verified = verifier
            .verify(&header, &body, unix_now().unwrap())
            .unwrap();
        let notification: PaymentNotification = serde_json::from_slice(&body).unwrap();
        assert_eq!(notification.attempt_id, "att_1");
        assert_eq!(notification.order_id, "ord_1");
        assert_eq!(notification.bank_code, "ICBC");
        assert_eq!(notification.amount, "425.50");
        assert_eq!(notification.outcome, PaymentOutcome::Succeeded);
        assert_eq!(notification.decided_at, verified.timestamp);

        let (parts, _) = body_of(second).await;
        let again = parts.headers[SIGNATURE_HEADER].to_str().unwrap();
        assert_ne!(
            again, header,
            "a resent signature would be refused as a replay"
        );
    }

    #[tokio::test]
    async fn a_schedule_notifies_its_own_payment_under_its_own_transaction_id() {
        let scheduled = Scheduled {
            payments: vec![payment(0), payment(1)].into(),
            bank: Bank {
                signer: Arc::new(Signer::generate("bank-1")),
                run_id: "run".into(),
            },
            first_index: 100,
        };
        let (_, body) = body_of(scheduled.request(test_addr(), 1).unwrap()).await;
        let notification: PaymentNotification = serde_json::from_slice(&body).unwrap();
        assert_eq!(notification.order_id, "ord_1");
        assert_eq!(notification.bank_transaction_id, "BENCH-run-101");
        assert!(scheduled.request(test_addr(), 2).is_err());
        assert!(
            scheduled
                .answered(1, &Bytes::from_static(br#"{"received":true}"#))
                .is_ok()
        );
        assert!(
            scheduled
                .answered(1, &Bytes::from_static(br#"{"received":false}"#))
                .is_err()
        );
    }
}
