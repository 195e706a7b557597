//! The sandbox bank protocol (see `paydesk_shared::bank_protocol`).

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use paydesk_shared::bank_protocol::{
    PaymentNotification, PaymentOutcome, PaymentRequest, SIGNATURE_HEADER,
};
use paydesk_shared::signing::{Signer, Verifier};

use super::{BankConnector, BankVerdict, ConnectorError, PaymentOrder, VerdictOutcome};

pub struct SandboxConnector {
    bank_url: String,
    notify_url: String,
    signer: Signer,
    verifier: Verifier,
}

impl SandboxConnector {
    pub fn new(bank_url: String, gateway_url: &str, signer: Signer, verifier: Verifier) -> Self {
        SandboxConnector {
            bank_url,
            notify_url: format!("{gateway_url}/v1/bank/notifications/sandbox"),
            signer,
            verifier,
        }
    }
}

impl BankConnector for SandboxConnector {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn redirect_url(&self, order: &PaymentOrder, now_secs: i64) -> String {
        let request = PaymentRequest {
            attempt_id: order.attempt_id.clone(),
            order_id: order.order_id.clone(),
            merchant_id: order.merchant_id.clone(),
            merchant_name: order.merchant_name.clone(),
            bank_code: order.bank_code.clone(),
            card_kind: order.card_kind,
            amount: order.amount.to_string(),
            currency: order.amount.currency(),
            notify_url: self.notify_url.clone(),
            return_url: order.return_url.clone(),
            expires_at: order.expires_at_secs,
        };
        // Serialising a struct of strings and enums cannot fail.
        let json = serde_json::to_vec(&request).unwrap_or_default();
        let encoded = URL_SAFE_NO_PAD.encode(json);
        let signature = self.signer.sign(now_secs, encoded.as_bytes());
        let mut url = format!("{}/pay?", self.bank_url);
        url.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .append_pair("request", &encoded)
                .append_pair("signature", &signature)
                .finish(),
        );
        url
    }

    fn verify_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now_secs: i64,
    ) -> Result<BankVerdict, ConnectorError> {
        let header = headers
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ConnectorError::Malformed(format!("missing {SIGNATURE_HEADER} header"))
            })?;
        self.verifier.verify(header, body, now_secs)?;
        let n: PaymentNotification =
            serde_json::from_slice(body).map_err(|e| ConnectorError::Malformed(e.to_string()))?;
        Ok(BankVerdict {
            attempt_id: n.attempt_id,
            order_id: n.order_id,
            bank_code: n.bank_code,
            bank_transaction_id: n.bank_transaction_id,
            amount: n.amount,
            currency: n.currency,
            outcome: match n.outcome {
                PaymentOutcome::Succeeded => VerdictOutcome::Succeeded,
                PaymentOutcome::Failed { reason } => VerdictOutcome::Failed {
                    reason: reason.as_str().to_owned(),
                },
            },
        })
    }
}
