//! The gateway's JSON, read and written with the browser's own `JSON`.
//!
//! `JSON.parse` plus a few property reads replaces a Rust JSON parser and the serde
//! code generated for every wire type: the widget ships as WebAssembly, and those
//! were a fifth of it. Anything missing or of the wrong type makes the whole value
//! unreadable (`None`), exactly as a strict deserializer would.

use js_sys::{JSON, Object, Reflect};
use paydesk_shared::api::{
    BankOption, CardAvailability, CreateAttemptRequest, CreateAttemptResponse, LineItem,
    Unavailable, WidgetAttempt, WidgetOrder, WidgetSession, WidgetStatus,
};
use paydesk_shared::bank::CardKind;
use paydesk_shared::{AttemptStatus, Currency, OrderStatus};
use wasm_bindgen::JsValue;

/// Parses a JSON text; `None` if it is not JSON.
pub fn parse(text: &str) -> Option<JsValue> {
    JSON::parse(text).ok()
}

/// `GET /v1/widget/session`
pub fn session(v: &JsValue) -> Option<WidgetSession> {
    Some(WidgetSession {
        order: order(&get(v, "order"))?,
        banks: list(v, "banks", bank)?,
    })
}

/// One event of the status stream, or `GET /v1/widget/status`.
pub fn status(v: &JsValue) -> Option<WidgetStatus> {
    Some(WidgetStatus {
        order_id: string(v, "order_id")?,
        status: OrderStatus::parse(&string(v, "status")?)?,
        last_attempt: optional(v, "last_attempt", attempt)?,
        receipt_url: optional(v, "receipt_url", JsValue::as_string)?,
        awaiting_bank: get(v, "awaiting_bank").as_bool()?,
        extra_payment_refunded: get(v, "extra_payment_refunded").as_bool()?,
    })
}

/// The answer to `POST /v1/widget/attempts`.
pub fn created_attempt(v: &JsValue) -> Option<CreateAttemptResponse> {
    Some(CreateAttemptResponse {
        attempt_id: string(v, "attempt_id")?,
        redirect_url: string(v, "redirect_url")?,
    })
}

/// The `code` of an error body `{"error": {"code", "message"}}`.
pub fn error_code(v: &JsValue) -> Option<String> {
    string(&get(v, "error"), "code")
}

/// The JSON body of `POST /v1/widget/attempts`.
pub fn attempt_request(request: &CreateAttemptRequest) -> String {
    let body = Object::new();
    set(&body, "bank_code", &request.bank_code);
    set(&body, "card_kind", request.card_kind.as_str());
    set(&body, "mode", request.mode.as_str());
    JSON::stringify(&body)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

fn order(v: &JsValue) -> Option<WidgetOrder> {
    let code = string(v, "currency")?;
    Some(WidgetOrder {
        id: string(v, "id")?,
        merchant_name: string(v, "merchant_name")?,
        status: OrderStatus::parse(&string(v, "status")?)?,
        currency: Currency::ALL.into_iter().find(|c| c.code() == code)?,
        items: list(v, "items", line_item)?,
        total: string(v, "total")?,
        expires_at: string(v, "expires_at")?,
        last_attempt: optional(v, "last_attempt", attempt)?,
        receipt_url: optional(v, "receipt_url", JsValue::as_string)?,
        awaiting_bank: get(v, "awaiting_bank").as_bool()?,
        extra_payment_refunded: get(v, "extra_payment_refunded").as_bool()?,
    })
}

fn line_item(v: &JsValue) -> Option<LineItem> {
    Some(LineItem {
        name: string(v, "name")?,
        quantity: whole_number(&get(v, "quantity"))?,
        unit_price: string(v, "unit_price")?,
        line_total: string(v, "line_total")?,
        image_url: optional(v, "image_url", JsValue::as_string)?,
    })
}

fn attempt(v: &JsValue) -> Option<WidgetAttempt> {
    Some(WidgetAttempt {
        bank_code: string(v, "bank_code")?,
        card_kind: CardKind::parse(&string(v, "card_kind")?)?,
        status: AttemptStatus::parse(&string(v, "status")?)?,
        failure_reason: optional(v, "failure_reason", JsValue::as_string)?,
    })
}

fn bank(v: &JsValue) -> Option<BankOption> {
    Some(BankOption {
        code: string(v, "code")?,
        name_en: string(v, "name_en")?,
        name_zh: string(v, "name_zh")?,
        pinyin: string(v, "pinyin")?,
        colour: string(v, "colour")?,
        popular: get(v, "popular").as_bool()?,
        debit: card_availability(&get(v, "debit"))?,
        credit: card_availability(&get(v, "credit"))?,
    })
}

fn card_availability(v: &JsValue) -> Option<CardAvailability> {
    Some(CardAvailability {
        limit: optional(v, "limit", JsValue::as_string)?,
        unavailable: optional(v, "unavailable", |r| match r.as_string()?.as_str() {
            "not_supported" => Some(Unavailable::NotSupported),
            "over_limit" => Some(Unavailable::OverLimit),
            "maintenance" => Some(Unavailable::Maintenance),
            _ => None,
        })?,
    })
}

fn get(v: &JsValue, key: &str) -> JsValue {
    if !v.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn string(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

/// A field that may be absent or `null`: `Some(None)` then, `None` if present but
/// unreadable.
fn optional<T>(v: &JsValue, key: &str, read: impl Fn(&JsValue) -> Option<T>) -> Option<Option<T>> {
    let field = get(v, key);
    if field.is_undefined() || field.is_null() {
        return Some(None);
    }
    read(&field).map(Some)
}

fn list<T>(v: &JsValue, key: &str, read: impl Fn(&JsValue) -> Option<T>) -> Option<Vec<T>> {
    let field = get(v, key);
    if !js_sys::Array::is_array(&field) {
        return None;
    }
    js_sys::Array::from(&field)
        .iter()
        .map(|e| read(&e))
        .collect()
}

/// A JSON number that is a whole number in `u32` range (quantities).
fn whole_number(v: &JsValue) -> Option<u32> {
    let n = v.as_f64()?;
    // The range check makes the cast exact: no rounding, no saturation.
    (js_sys::Number::is_integer(v) && (0.0..=f64::from(u32::MAX)).contains(&n)).then_some(n as u32)
}

fn set(object: &Object, key: &str, value: &str) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), &JsValue::from_str(value));
}
