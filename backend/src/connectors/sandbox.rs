//! The sandbox bank protocol (see `paydesk_shared::bank_protocol`).

use std::time::Duration;

use async_trait::async_trait;
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use paydesk_shared::bank_protocol::{
    BANK_STATUS_PATH, BankStatusList, PaymentNotification, PaymentOutcome, PaymentRequest,
    QUERY_PATH, QueryAnswer, REFUND_PATH, RefundAnswer, RefundOutcome, RefundRequest,
    SETTLEMENT_PATH, SIGNATURE_HEADER, StatusQuery, TRANSFER_PATH, TransferAnswer, TransferOutcome,
    TransferRequest,
};
use paydesk_shared::signing::{Signer, Verifier};
use serde::Serialize;
use serde::de::DeserializeOwned;

use paydesk_shared::AttemptStatus;

use crate::domain::verdict::Verdict;

use super::{
    BankConnector, ConnectorError, PaymentOrder, QueryResult, RefundOrder, RefundResult,
    SettlementLine, ShopperAction, TransferOrder, TransferResult, VerifiedNotification,
    sandbox_shopper, settlement_csv,
};

/// A bank that takes longer than this to answer is treated as down.
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
        let bytes = self.exchange(path, body, now_secs).await?;
        let value =
            serde_json::from_slice(&bytes).map_err(|e| ConnectorError::Malformed(e.to_string()))?;
        Ok((value, String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Sends a signed request (a GET when `body` is `None`) and returns the bank's
    /// answer once its signature verified.
    async fn exchange(
        &self,
        path: &str,
        body: Option<&impl Serialize>,
        now_secs: i64,
    ) -> Result<Vec<u8>, ConnectorError> {
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
        Ok(bytes.to_vec())
    }
}

/// `{SETTLEMENT_PATH}/{merchant_id}/{date}`, the merchant id percent-encoded. A date
/// not shaped `YYYY-MM-DD`, or a merchant id a URL cannot carry as one path segment,
/// is refused before anything is sent.
fn settlement_path(merchant_id: &str, date: &str) -> Result<String, ConnectorError> {
    let dated = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !dated {
        return Err(ConnectorError::Malformed(format!(
            "settlement date `{}` is not YYYY-MM-DD",
            date.escape_debug()
        )));
    }
    // URL parsers resolve `.` and `..` segments, even percent-encoded.
    if merchant_id.is_empty() || merchant_id == "." || merchant_id == ".." {
        return Err(ConnectorError::Malformed(format!(
            "merchant id `{}` cannot name a settlement file",
            merchant_id.escape_debug()
        )));
    }
    Ok(format!(
        "{SETTLEMENT_PATH}/{}/{date}",
        percent_encode_segment(merchant_id)
    ))
}

/// Every byte but RFC 3986's unreserved characters as `%XX`.
fn percent_encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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

    async fn transfer(
        &self,
        transfer: &TransferOrder,
        now_secs: i64,
    ) -> Result<TransferResult, ConnectorError> {
        let request = TransferRequest {
            payout_id: transfer.payout_id.clone(),
            bank_code: transfer.bank_code.clone(),
            account_number: transfer.account_number.clone(),
            account_name: transfer.account_name.clone(),
            amount: transfer.amount.to_string(),
            currency: transfer.amount.currency(),
            reference: transfer.reference.clone(),
        };
        let (answer, _): (TransferAnswer, _) =
            self.call(TRANSFER_PATH, Some(&request), now_secs).await?;
        if answer.payout_id != transfer.payout_id {
            return Err(ConnectorError::Malformed(format!(
                "payout {} answered as {}",
                transfer.payout_id, answer.payout_id
            )));
        }
        Ok(match answer.outcome {
            TransferOutcome::Completed { bank_transfer_id } => {
                TransferResult::Completed { bank_transfer_id }
            }
            TransferOutcome::Refused { reason } => TransferResult::Refused {
                reason: reason.as_str().to_owned(),
            },
        })
    }

    async fn settlement_file(
        &self,
        merchant_id: &str,
        date: &str,
        now_secs: i64,
    ) -> Result<Vec<SettlementLine>, ConnectorError> {
        let path = settlement_path(merchant_id, date)?;
        let bytes = self.exchange(&path, None::<&()>, now_secs).await?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| ConnectorError::Malformed("settlement file: not UTF-8".to_owned()))?;
        settlement_csv::parse(text)
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

    async fn act_as_shopper(
        &self,
        redirect_url: &str,
        action: ShopperAction,
    ) -> Result<(), ConnectorError> {
        sandbox_shopper::act(&self.http, &self.bank_url, redirect_url, action).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::SettlementKind;

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

    /// A stand-in for the bank's API: signs what it answers with `bank`, records the
    /// paths it was asked for.
    mod stub {
        use std::sync::{Arc, Mutex};

        use axum::Router;
        use axum::body::Bytes;
        use axum::extract::Request;
        use axum::http::StatusCode;
        use axum::response::{IntoResponse, Response};
        use axum::routing::post;
        use paydesk_shared::bank_protocol::{
            SIGNATURE_HEADER, TRANSFER_PATH, TransferAnswer, TransferFailure, TransferOutcome,
            TransferRequest,
        };
        use paydesk_shared::signing::Signer;

        use super::NOW;

        pub(super) const FILE: &str = "type,bank_transaction_id,attempt_id,order_id,refund_id,bank_code,amount,currency,at\n\
             payment,SBX1,att_1,ord_1,,ICBC,25.00,CNY,1795651300\n\
             refund,SBR1,att_1,ord_1,rf_1,ICBC,5.00,CNY,1795651301\n";

        fn signed(bank: &Signer, body: Vec<u8>) -> Response {
            let signature = bank.sign(NOW, &body);
            ([(SIGNATURE_HEADER, signature)], body).into_response()
        }

        fn transfer(bank: &Signer, body: &[u8]) -> Response {
            let request: TransferRequest = serde_json::from_slice(body).unwrap();
            if request.payout_id == "po_reused" {
                let error = r#"{"error":{"code":"payout_id_reused","message":"used"}}"#;
                return (StatusCode::CONFLICT, error).into_response();
            }
            let outcome = if request.account_number.ends_with("0000") {
                TransferOutcome::Refused {
                    reason: TransferFailure::AccountClosed,
                }
            } else {
                TransferOutcome::Completed {
                    bank_transfer_id: format!("SBT-{}-{}", request.amount, request.currency),
                }
            };
            let payout_id = if request.payout_id == "po_confused" {
                "po_other".to_owned()
            } else {
                request.payout_id
            };
            let answer = TransferAnswer {
                payout_id,
                outcome,
                decided_at: NOW,
            };
            signed(bank, serde_json::to_vec(&answer).unwrap())
        }

        fn settlement(bank: &Signer, path: &str) -> Response {
            if path.contains("/unsigned/") {
                return FILE.into_response();
            }
            if path.contains("/tampered/") {
                let signature = bank.sign(NOW, FILE.as_bytes());
                let changed = FILE.replace("25.00", "26.00");
                return ([(SIGNATURE_HEADER, signature)], changed).into_response();
            }
            if path.contains("/garbage/") {
                return signed(bank, b"<html>not a file</html>".to_vec());
            }
            if path.contains("/latin1/") {
                return signed(bank, vec![0xff, 0xfe]);
            }
            if path.contains("/down/") {
                return StatusCode::BAD_GATEWAY.into_response();
            }
            signed(bank, FILE.as_bytes().to_vec())
        }

        /// The stub's base URL and the paths it was asked for, as sent.
        pub(super) async fn spawn(bank: Signer) -> (String, Arc<Mutex<Vec<String>>>) {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let recorder = Arc::clone(&seen);
            let for_transfers = bank.clone();
            let app = Router::new()
                .route(
                    TRANSFER_PATH,
                    post(move |body: Bytes| async move { transfer(&for_transfers, &body) }),
                )
                .fallback(move |request: Request| async move {
                    let path = request.uri().path().to_owned();
                    recorder.lock().unwrap().push(path.clone());
                    settlement(&bank, &path)
                });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            tokio::spawn(async move { axum::serve(listener, app).await });
            (url, seen)
        }
    }

    async fn connector_at_stub() -> (
        SandboxConnector,
        std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    ) {
        let bank = Signer::generate("bank-test");
        let verifier = Verifier::new(vec![bank.public_key()]);
        let (url, seen) = stub::spawn(bank).await;
        let connector = SandboxConnector::new(
            "sandbox",
            url,
            "http://127.0.0.1:8",
            Signer::generate("gateway-test"),
            verifier,
        )
        .unwrap();
        (connector, seen)
    }

    fn order(payout_id: &str, account_number: &str) -> TransferOrder {
        TransferOrder {
            payout_id: payout_id.into(),
            bank_code: "ICBC".into(),
            account_number: account_number.into(),
            account_name: "Demo Shop Ltd".into(),
            amount: paydesk_shared::Money::parse("120.50", paydesk_shared::Currency::Cny).unwrap(),
            reference: "June payout".into(),
        }
    }

    #[tokio::test]
    async fn transfers_complete_refuse_and_report_a_reused_payout_id() {
        let (connector, _) = connector_at_stub().await;
        assert_eq!(
            connector
                .transfer(&order("po_1", "6228480012345678"), NOW)
                .await
                .unwrap(),
            TransferResult::Completed {
                bank_transfer_id: "SBT-120.50-CNY".into()
            }
        );
        assert_eq!(
            connector
                .transfer(&order("po_2", "6228480000000000"), NOW)
                .await
                .unwrap(),
            TransferResult::Refused {
                reason: "account_closed".into()
            }
        );
        match connector
            .transfer(&order("po_reused", "6228480012345678"), NOW)
            .await
        {
            Err(ConnectorError::Refused(message)) => {
                assert!(message.contains("payout_id_reused"), "{message}");
            }
            other => panic!("expected a refusal: {other:?}"),
        }
        assert!(matches!(
            connector
                .transfer(&order("po_confused", "6228480012345678"), NOW)
                .await,
            Err(ConnectorError::Malformed(_))
        ));
    }

    #[tokio::test]
    async fn a_settlement_file_is_verified_and_read_line_by_line() {
        let (connector, seen) = connector_at_stub().await;
        let lines = connector
            .settlement_file("mer_1", "2026-11-26", NOW)
            .await
            .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].kind, SettlementKind::Payment);
        assert_eq!(lines[0].amount.to_string(), "25.00");
        assert_eq!(lines[1].refund_id.as_deref(), Some("rf_1"));
        // The merchant id is one path segment, whatever it holds.
        connector
            .settlement_file("mer a/b?c#d%", "2026-11-26", NOW)
            .await
            .unwrap();
        assert_eq!(
            *seen.lock().unwrap(),
            [
                "/api/v1/settlements/mer_1/2026-11-26",
                "/api/v1/settlements/mer%20a%2Fb%3Fc%23d%25/2026-11-26",
            ]
        );
    }

    #[tokio::test]
    async fn bad_settlement_files_and_requests_are_errors_not_panics() {
        let (connector, seen) = connector_at_stub().await;
        for (merchant, date) in [
            ("mer_1", "2026-11-2"),
            ("mer_1", "2026/11/26"),
            ("mer_1", "../../x/y"),
            ("", "2026-11-26"),
            ("..", "2026-11-26"),
        ] {
            assert!(
                matches!(
                    connector.settlement_file(merchant, date, NOW).await,
                    Err(ConnectorError::Malformed(_))
                ),
                "{merchant} {date}"
            );
        }
        assert!(seen.lock().unwrap().is_empty(), "nothing was sent");
        let error = |merchant: &'static str| {
            let connector = &connector;
            async move {
                connector
                    .settlement_file(merchant, "2026-11-26", NOW)
                    .await
                    .unwrap_err()
            }
        };
        assert!(matches!(
            error("unsigned").await,
            ConnectorError::Malformed(_)
        ));
        assert!(matches!(
            error("tampered").await,
            ConnectorError::Signature(_)
        ));
        assert!(matches!(
            error("garbage").await,
            ConnectorError::Malformed(_)
        ));
        assert!(matches!(
            error("latin1").await,
            ConnectorError::Malformed(_)
        ));
        assert!(matches!(
            error("down").await,
            ConnectorError::Unreachable(_)
        ));
        // Signed in the past beyond the tolerance: the signature is stale.
        assert!(matches!(
            connector
                .settlement_file("mer_1", "2026-11-26", NOW + 3600)
                .await,
            Err(ConnectorError::Signature(_))
        ));
    }
}
