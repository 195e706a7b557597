//! Checking the gateway's signed redirect before any page is shown: signature first,
//! then the request's content against the bank directory and the clock.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use paydesk_shared::bank_protocol::PaymentRequest;
use paydesk_shared::signing::{SignatureError, Verifier};
use paydesk_shared::{AmountError, Money};
use url::Url;

use crate::directory::Directory;

/// Far more than any real request needs; refuses to decode arbitrarily large input.
const MAX_REQUEST_LEN: usize = 8 * 1024;
const MAX_SIGNATURE_LEN: usize = 512;
/// Bounds on the free-text fields, which end up on the page and in the ledger.
const MAX_TEXT_LEN: usize = 200;
const MAX_URL_LEN: usize = 2048;

/// A payment request the gateway really signed and this bank can take (or decline:
/// an amount over the limit is a decline, not a broken request).
#[derive(Debug, Clone)]
pub(crate) struct VerifiedRequest {
    pub(crate) request: PaymentRequest,
    pub(crate) amount: Money,
    /// The bank's single-payment limit for this card kind and currency.
    pub(crate) limit: Money,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum RequestError {
    #[error("the link is incomplete: `request` and `signature` are both required")]
    Missing,
    #[error("the payment request is too large")]
    TooLarge,
    #[error("the payment request is not signed by Paydesk: {0}")]
    Signature(#[from] SignatureError),
    #[error("the payment request is not valid base64url")]
    Encoding,
    #[error("the payment request is not readable: {0}")]
    Json(String),
    #[error("the bank `{0}` is not part of this sandbox")]
    UnknownBank(String),
    #[error("{bank} does not take {kind} card payments in {currency}")]
    CardKindNotAccepted {
        bank: String,
        kind: String,
        currency: String,
    },
    #[error("the amount is not valid: {0}")]
    Amount(#[from] AmountError),
    #[error("the amount must be greater than zero")]
    ZeroAmount,
    #[error("the `{0}` field is not acceptable")]
    Field(&'static str),
    #[error("this payment request has expired; go back to the merchant and pay again")]
    Expired,
}

/// Verifies and validates `request` (the base64url text exactly as it arrived in the
/// URL) and its `signature` at time `now`.
pub(crate) fn verify(
    directory: &Directory,
    verifier: &Verifier,
    request: &str,
    signature: &str,
    now: i64,
) -> Result<VerifiedRequest, RequestError> {
    if request.is_empty() || signature.is_empty() {
        return Err(RequestError::Missing);
    }
    if request.len() > MAX_REQUEST_LEN || signature.len() > MAX_SIGNATURE_LEN {
        return Err(RequestError::TooLarge);
    }
    // The signature covers the text, not the decoded JSON, so nothing untrusted is
    // parsed before we know who sent it.
    verifier.verify(signature, request.as_bytes(), now)?;
    let json = URL_SAFE_NO_PAD
        .decode(request)
        .map_err(|_| RequestError::Encoding)?;
    let request: PaymentRequest =
        serde_json::from_slice(&json).map_err(|e| RequestError::Json(e.to_string()))?;
    validate(directory, request, now)
}

fn validate(
    directory: &Directory,
    request: PaymentRequest,
    now: i64,
) -> Result<VerifiedRequest, RequestError> {
    check_text("attempt_id", &request.attempt_id)?;
    check_text("order_id", &request.order_id)?;
    check_text("merchant_id", &request.merchant_id)?;
    check_text("merchant_name", &request.merchant_name)?;
    check_url("notify_url", &request.notify_url)?;
    check_url("return_url", &request.return_url)?;

    let bank = directory
        .get(&request.bank_code)
        .ok_or_else(|| RequestError::UnknownBank(truncate(&request.bank_code)))?;
    let amount = Money::parse(&request.amount, request.currency)?;
    if amount.is_zero() {
        return Err(RequestError::ZeroAmount);
    }
    let limit = bank
        .limit(request.card_kind, request.currency)
        .ok_or_else(|| RequestError::CardKindNotAccepted {
            bank: bank.name_en.clone(),
            kind: request.card_kind.to_string(),
            currency: request.currency.to_string(),
        })?;
    if now >= request.expires_at {
        return Err(RequestError::Expired);
    }
    Ok(VerifiedRequest {
        request,
        amount,
        limit,
    })
}

fn check_text(field: &'static str, value: &str) -> Result<(), RequestError> {
    if text_ok(value) {
        Ok(())
    } else {
        Err(RequestError::Field(field))
    }
}

/// An id or name the bank shows and stores: not blank, not long, no control
/// characters.
pub(crate) fn text_ok(value: &str) -> bool {
    !value.trim().is_empty() && value.len() <= MAX_TEXT_LEN && !value.chars().any(char::is_control)
}

/// The bank redirects the browser to `return_url` and posts to `notify_url`, so both
/// must be absolute http(s) URLs; anything else (`javascript:`, relative paths) is a
/// broken or hostile request even when signed.
fn check_url(field: &'static str, value: &str) -> Result<(), RequestError> {
    // The URL parser silently drops tabs and newlines; the raw text must not have them
    // because it goes into a Location header as is.
    let ok = value.len() <= MAX_URL_LEN
        && !value.chars().any(char::is_control)
        && Url::parse(value)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if ok {
        Ok(())
    } else {
        Err(RequestError::Field(field))
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_shared::Currency;
    use paydesk_shared::bank::CardKind;
    use paydesk_shared::signing::Signer;

    const NOW: i64 = 1_800_000_000;

    fn request() -> PaymentRequest {
        PaymentRequest {
            merchant_id: "mer_test".into(),
            attempt_id: "att_1".into(),
            order_id: "ord_1".into(),
            merchant_name: "Demo Shop".into(),
            bank_code: "ICBC".into(),
            card_kind: CardKind::Debit,
            amount: "25.00".into(),
            currency: Currency::Cny,
            notify_url: "http://127.0.0.1:8080/v1/bank/notifications/sandbox".into(),
            return_url: "http://127.0.0.1:8080/pay/return/att_1".into(),
            expires_at: NOW + 900,
        }
    }

    fn encode(request: &PaymentRequest) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(request).unwrap())
    }

    fn check(request: &PaymentRequest) -> Result<VerifiedRequest, RequestError> {
        let gateway = Signer::generate("gw");
        let text = encode(request);
        let verifier = Verifier::new(vec![gateway.public_key()]);
        verify(
            &Directory::load(),
            &verifier,
            &text,
            &gateway.sign(NOW, text.as_bytes()),
            NOW,
        )
    }

    #[test]
    fn accepts_a_good_request() {
        let verified = check(&request()).unwrap();
        assert_eq!(verified.amount.to_string(), "25.00");
        assert_eq!(verified.limit.to_string(), "50000.00");
    }

    #[test]
    fn rejects_bad_content() {
        let mut r = request();
        r.amount = "0.00".into();
        assert!(matches!(check(&r), Err(RequestError::ZeroAmount)));
        let mut r = request();
        r.amount = "1.001".into();
        assert!(matches!(check(&r), Err(RequestError::Amount(_))));
        let mut r = request();
        r.bank_code = "NOPE".into();
        assert!(matches!(check(&r), Err(RequestError::UnknownBank(_))));
        let mut r = request();
        r.bank_code = "PSBC".into();
        r.card_kind = CardKind::Credit;
        assert!(matches!(
            check(&r),
            Err(RequestError::CardKindNotAccepted { .. })
        ));
        let mut r = request();
        r.amount = "50000.01".into();
        let over = check(&r).unwrap();
        assert!(over.amount.amount() > over.limit.amount());
        let mut r = request();
        r.expires_at = NOW;
        assert!(matches!(check(&r), Err(RequestError::Expired)));
        let mut r = request();
        r.return_url = "javascript:alert(1)".into();
        assert!(matches!(check(&r), Err(RequestError::Field("return_url"))));
        let mut r = request();
        r.notify_url = "/relative".into();
        assert!(matches!(check(&r), Err(RequestError::Field("notify_url"))));
        let mut r = request();
        r.return_url = "http://127.0.0.1/\nSet-Cookie: x".into();
        assert!(matches!(check(&r), Err(RequestError::Field("return_url"))));
        let mut r = request();
        r.merchant_name = "a\nb".into();
        assert!(matches!(
            check(&r),
            Err(RequestError::Field("merchant_name"))
        ));
    }

    #[test]
    fn rejects_bad_envelopes() {
        let gateway = Signer::generate("gw");
        let verifier = Verifier::new(vec![gateway.public_key()]);
        let dir = Directory::load();
        let text = encode(&request());
        let sig = gateway.sign(NOW, text.as_bytes());
        assert!(matches!(
            verify(&dir, &verifier, "", &sig, NOW),
            Err(RequestError::Missing)
        ));
        assert!(matches!(
            verify(&dir, &verifier, &format!("{text}A"), &sig, NOW),
            Err(RequestError::Signature(SignatureError::BadSignature))
        ));
        assert!(matches!(
            verify(&dir, &verifier, &text, &sig, NOW + 301),
            Err(RequestError::Signature(SignatureError::Stale))
        ));
        let garbage = "!!!";
        let garbage_sig = gateway.sign(NOW, garbage.as_bytes());
        assert!(matches!(
            verify(&dir, &verifier, garbage, &garbage_sig, NOW),
            Err(RequestError::Encoding)
        ));
        let not_json = URL_SAFE_NO_PAD.encode(b"{}");
        let not_json_sig = gateway.sign(NOW, not_json.as_bytes());
        assert!(matches!(
            verify(&dir, &verifier, &not_json, &not_json_sig, NOW),
            Err(RequestError::Json(_))
        ));
    }
}
