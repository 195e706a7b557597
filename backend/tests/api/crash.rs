//! The gateway binary killed with SIGKILL right after it acknowledged a notification:
//! after a restart on the same files the payment is there.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use paydesk_shared::api::{CreateAttemptResponse, OrderResponse};
use paydesk_shared::bank_protocol::{PaymentNotification, PaymentOutcome, SIGNATURE_HEADER};
use paydesk_shared::signing::Signer;
use serde_json::json;

use crate::helpers::{now_secs, order_body};

const SECRET: &str = "sk_test_crash_0123456789abcdef";

struct Gateway {
    child: Child,
    url: String,
}

impl Gateway {
    /// SIGKILL: no shutdown code runs.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(dir: &Path, port: u16, client: &reqwest::Client) -> Gateway {
    let child = Command::new(env!("CARGO_BIN_EXE_paydesk-gateway"))
        .env("PAYDESK_DATA_DIR", dir)
        .env("PAYDESK_GATEWAY_PORT", port.to_string())
        .env("PAYDESK_BANK_PORT", "9")
        .env("PAYDESK_SHOP_PORT", "9")
        .env("PAYDESK_WIDGET_DIR", dir.join("widget"))
        .env("PAYDESK_DEMO_SECRET_KEY", SECRET)
        .env("PAYDESK_DEMO_WEBHOOK_SECRET", "whsec_crash")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let gateway = Gateway {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client.get(format!("{}/health", gateway.url)).send().await
            && r.status() == 200
        {
            return gateway;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "gateway did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_payment_acknowledged_just_before_sigkill_is_there_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let bank = Signer::generate("bank-1");
    std::fs::write(keys.join("gateway.key"), Signer::generate("gw-1").to_text()).unwrap();
    std::fs::write(keys.join("bank.pub"), bank.public_key().to_text()).unwrap();
    let client = reqwest::Client::new();
    let port = free_port();

    for round in 0..5 {
        let mut gateway = start(dir.path(), port, &client).await;
        // The demo merchant's registered return URL, with the shop on port 9.
        let mut order_body = order_body();
        order_body["return_url"] = json!("http://127.0.0.1:9/checkout/complete");
        let order: OrderResponse = client
            .post(format!("{}/v1/orders", gateway.url))
            .bearer_auth(SECRET)
            .json(&order_body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let attempt: CreateAttemptResponse = client
            .post(format!("{}/v1/widget/attempts", gateway.url))
            .bearer_auth(&order.client_token)
            .header("idempotency-key", format!("click-{round}"))
            .json(&json!({"bank_code": "ICBC", "card_kind": "debit"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let body = serde_json::to_vec(&PaymentNotification {
            attempt_id: attempt.attempt_id.clone(),
            order_id: order.id.clone(),
            bank_code: "ICBC".into(),
            bank_transaction_id: format!("SBX-{}", attempt.attempt_id),
            amount: order.total.clone(),
            currency: order.currency,
            outcome: PaymentOutcome::Succeeded,
            decided_at: now_secs(),
        })
        .unwrap();
        let ack = client
            .post(format!("{}/v1/bank/notifications/sandbox", gateway.url))
            .header(SIGNATURE_HEADER, bank.sign(now_secs(), &body))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(ack.status(), 200);
        gateway.kill();

        let mut gateway = start(dir.path(), port, &client).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let now: OrderResponse = client
                .get(format!("{}/v1/orders/{}", gateway.url, order.id))
                .bearer_auth(SECRET)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if now.status.as_str() == "paid" {
                assert_eq!(now.attempts.len(), 1);
                assert_eq!(now.attempts[0].status.as_str(), "succeeded");
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "round {round}: order {} is {}",
                order.id,
                now.status.as_str()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        gateway.kill();
    }
}
