//! The sandbox bank protocol (see `paydesk_shared::bank_protocol`).

use std::time::Duration;

use async_trait::async_trait;
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use paydesk_shared::bank_protocol::{
    BANK_STATUS_PATH, BankStatusList, PaymentNotification, PaymentOutcome, PaymentRequest,
    QUERY_PATH, QueryAnswer, REFUND_PATH, RefundAnswer, RefundOutcome, RefundRequest,
    SIGNATURE_HEADER, StatusQuery,
};
use paydesk_shared::signing::{Signer, Verifier};
use serde::Serialize;
use serde::de::DeserializeOwned;

use paydesk_shared::AttemptStatus;

use crate::domain::verdict::Verdict;

use super::{
    BankConnector, ConnectorError, PaymentOrder, QueryResult, RefundOrder, RefundResult,
    VerifiedNotification,
};

/// A bank that takes longer than this to answer a query or refund is treated as down.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

pub struct SandboxConnector {
    name: String,
    bank_url: String,
    notify_url: String,
    signer: Signer,
    verifier: Verifier,
    http: reqwest::Client,
}

impl SandboxConnector {
    /// `name` appears in the notification URL the bank is given.
    pub fn new(
        name: &str,
        bank_url: String,
        gateway_url: &str,
        signer: Signer,
        verifier: Verifier,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                anyhow::anyhow!("cannot build the HTTP client for bank connector {name}: {e}")
            })?;
        Ok(SandboxConnector {
            name: name.to_owned(),
            bank_url: bank_url.trim_end_matches('/').to_owned(),
            notify_url: format!("{gateway_url}/v1/bank/notifications/{name}"),
            signer,
            verifier,
            http,
        })
    }

    /// Sends a signed request (a GET when `body` is `None`), verifies the bank's
    /// signed answer and returns it decoded and as received.
    async fn call<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Option<&impl Serialize>,
        now_secs: i64,
    ) -> Result<(T, String), ConnectorError> {
        let url = format!("{}{path}", self.bank_url);
        let request = match body {
            Some(body) => {
                let bytes = serde_json::to_vec(body)
                    .map_err(|e| ConnectorError::Malformed(e.to_string()))?;
                self.http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header(SIGNATURE_HEADER, self.signer.sign(now_secs, &bytes))
                    .body(bytes)
            }
            None => self.http.get(&url),
        };
        let response = request
            .send()
            .await
            .map_err(|e| ConnectorError::Unreachable(e.to_string()))?;
        let status = response.status();
        let signature = response
            .headers()
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ConnectorError::Unreachable(e.to_string()))?;
        if status.is_server_error() {
            return Err(ConnectorError::Unreachable(format!(
                "bank answered {status}"
            )));
        }
        if !status.is_success() {
            let text = String::from_utf8_lossy(&bytes);
            return Err(ConnectorError::Refused(format!("{status}: {text}")));
        }
        let signature = signature.ok_or_else(|| {
            ConnectorError::Malformed(format!("answer without {SIGNATURE_HEADER}"))
        })?;
        self.verifier.verify(&signature, &bytes, now_secs)?;
        let value =
            serde_json::from_slice(&bytes).map_err(|e| ConnectorError::Malformed(e.to_string()))?;
        Ok((value, String::from_utf8_lossy(&bytes).into_owned()))
    }
}

fn verdict(n: PaymentNotification) -> Verdict {
    let (outcome, failure_reason) = match n.outcome {
        PaymentOutcome::Succeeded => (AttemptStatus::Succeeded, None),
        PaymentOutcome::Failed { reason } => {
            (AttemptStatus::Failed, Some(reason.as_str().to_owned()))
        }
    };
    Verdict {
        attempt_id: n.attempt_id.into(),
        order_id: n.order_id.into(),
        bank_code: n.bank_code,
        bank_transaction_id: Some(n.bank_transaction_id),
        amount: n.amount,
        currency: n.currency.code().to_owned(),
        outcome,
        failure_reason,
    }
}

/// A card's last four digits as the bank stated them: four ASCII digits or nothing.
fn card_last4(stated: Option<String>) -> Result<Option<String>, ConnectorError> {
    match stated {
        Some(digits) if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) => Err(
            ConnectorError::Malformed("`card_last4` is not four digits".to_owned()),
        ),
        other => Ok(other),
    }
}

#[async_trait]
impl BankConnector for SandboxConnector {
    fn name(&self) -> &str {
        &self.name
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
        let json = serde_json::to_vec(&request).expect("a struct of strings and enums serialises");
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
    ) -> Result<VerifiedNotification, ConnectorError> {
        let header = headers
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ConnectorError::Malformed(format!("missing {SIGNATURE_HEADER} header"))
            })?;
        let signature = self.verifier.verify(header, body, now_secs)?;
        let n: PaymentNotification =
            serde_json::from_slice(body).map_err(|e| ConnectorError::Malformed(e.to_string()))?;
        let card_last4 = card_last4(n.card_last4.clone())?;
        Ok(VerifiedNotification {
            verdict: verdict(n),
            signature,
            card_last4,
        })
    }

    async fn query(
        &self,
        attempt_id: &str,
        order_id: &str,
        bank_code: &str,
        now_secs: i64,
    ) -> Result<QueryResult, ConnectorError> {
        let query = StatusQuery {
            attempt_id: attempt_id.to_owned(),
            order_id: order_id.to_owned(),
            bank_code: bank_code.to_owned(),
        };
        let (answer, raw): (QueryAnswer, _) = self.call(QUERY_PATH, Some(&query), now_secs).await?;
        Ok(match answer {
            QueryAnswer::Processing => QueryResult::Processing,
            QueryAnswer::NotFound => QueryResult::NotFound,
            QueryAnswer::Decided { notification } => {
                if notification.attempt_id != attempt_id {
                    return Err(ConnectorError::Malformed(format!(
                        "asked about {attempt_id}, answered about {}",
                        notification.attempt_id
                    )));
                }
                QueryResult::Decided {
                    verdict: verdict(notification),
                    raw,
                }
            }
        })
    }

    async fn refund(
        &self,
        refund: &RefundOrder,
        now_secs: i64,
    ) -> Result<RefundResult, ConnectorError> {
        let request = RefundRequest {
            refund_id: refund.refund_id.clone(),
            attempt_id: refund.attempt_id.clone(),
            bank_code: refund.bank_code.clone(),
            bank_transaction_id: refund.bank_transaction_id.clone(),
            amount: refund.amount.to_string(),
            currency: refund.amount.currency(),
            reason: refund.reason.clone(),
        };
        let (answer, _): (RefundAnswer, _) =
            self.call(REFUND_PATH, Some(&request), now_secs).await?;
        if answer.refund_id != refund.refund_id {
            return Err(ConnectorError::Malformed(format!(
                "refund {} answered as {}",
                refund.refund_id, answer.refund_id
            )));
        }
        Ok(match answer.outcome {
            RefundOutcome::Succeeded { bank_refund_id } => {
                RefundResult::Succeeded { bank_refund_id }
            }
            RefundOutcome::Failed { reason } => RefundResult::Failed {
                reason: reason.as_str().to_owned(),
            },
        })
    }

    async fn banks_in_maintenance(&self, now_secs: i64) -> Result<Vec<String>, ConnectorError> {
        let (list, _): (BankStatusList, _) =
            self.call(BANK_STATUS_PATH, None::<&()>, now_secs).await?;
        Ok(list
            .banks
            .into_iter()
            .filter(|b| b.maintenance)
            .map(|b| b.code)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn notification(card_last4: Option<&str>) -> PaymentNotification {
        PaymentNotification {
            attempt_id: "att_1".into(),
            order_id: "ord_1".into(),
            bank_code: "ICBC".into(),
            bank_transaction_id: "SBX1".into(),
            amount: "25.00".into(),
            currency: paydesk_shared::Currency::Cny,
            outcome: PaymentOutcome::Succeeded,
            decided_at: NOW,
            card_last4: card_last4.map(str::to_owned),
        }
    }

    /// A connector and the bank key its verifier trusts.
    fn connector() -> (SandboxConnector, Signer) {
        let bank = Signer::generate("bank-test");
        let connector = SandboxConnector::new(
            "sandbox",
            "http://127.0.0.1:9".into(),
            "http://127.0.0.1:8",
            Signer::generate("gateway-test"),
            Verifier::new(vec![bank.public_key()]),
        )
        .unwrap();
        (connector, bank)
    }

    fn received(
        connector: &SandboxConnector,
        bank: &Signer,
        body: &[u8],
    ) -> Result<VerifiedNotification, ConnectorError> {
        let mut headers = HeaderMap::new();
        headers.insert(SIGNATURE_HEADER, bank.sign(NOW, body).parse().unwrap());
        connector.verify_notification(&headers, body, NOW)
    }

    #[test]
    fn the_cards_last_four_digits_pass_through_when_the_bank_names_them() {
        let (connector, bank) = connector();
        let body = serde_json::to_vec(&notification(Some("0001"))).unwrap();
        let verified = received(&connector, &bank, &body).unwrap();
        assert_eq!(verified.card_last4.as_deref(), Some("0001"));
        assert_eq!(
            verified.verdict.bank_transaction_id.as_deref(),
            Some("SBX1")
        );
        let body = serde_json::to_vec(&notification(None)).unwrap();
        assert_eq!(received(&connector, &bank, &body).unwrap().card_last4, None);
    }

    #[test]
    fn anything_but_four_digits_is_malformed() {
        let (connector, bank) = connector();
        for bad in ["", "001", "00012", "12a4", "６２２２", "6222000000000001"] {
            let body = serde_json::to_vec(&notification(Some(bad))).unwrap();
            assert!(
                matches!(
                    received(&connector, &bank, &body),
                    Err(ConnectorError::Malformed(_))
                ),
                "{bad}"
            );
        }
    }
}
