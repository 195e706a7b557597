//! Turning a merchant's order request into a validated draft with gateway-computed
//! totals. Everything after this point only sees valid orders.

use crate::api::{CreateOrderRequest, LineItem, LineItemRequest};
use crate::currency::Currency;
use crate::error::ErrorCode;
use crate::money::{AmountError, Money};

pub const MAX_ITEMS: usize = 100;
pub const MAX_QUANTITY: u64 = 10_000;
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_REFERENCE_CHARS: usize = 128;
pub const MAX_URL_CHARS: usize = 2048;
/// How long an order may be payable, in seconds: a minute to a day.
pub const EXPIRES_IN_SECS: std::ops::RangeInclusive<u32> = 60..=86_400;

/// A rejected field: the stable error code, the field's path and a readable message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub code: ErrorCode,
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn new(code: ErrorCode, field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            code,
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftItem {
    pub name: String,
    pub quantity: u32,
    pub unit_price: Money,
    pub line_total: Money,
    pub image_url: Option<String>,
}

/// A valid order with its totals computed, not yet stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDraft {
    pub currency: Currency,
    pub items: Vec<DraftItem>,
    pub total: Money,
    pub merchant_reference: String,
    pub return_url: String,
    /// Seconds the order can be paid for, if the merchant chose.
    pub expires_in: Option<u32>,
}

impl OrderDraft {
    pub fn parse(req: &CreateOrderRequest) -> Result<Self, FieldError> {
        let currency: Currency =
            req.currency
                .parse()
                .map_err(|e: crate::currency::UnknownCurrency| {
                    FieldError::new(ErrorCode::CurrencyUnknown, "currency", e.to_string())
                })?;
        if req.items.is_empty() {
            return Err(FieldError::new(
                ErrorCode::ItemsEmpty,
                "items",
                "an order needs at least one item",
            ));
        }
        if req.items.len() > MAX_ITEMS {
            return Err(FieldError::new(
                ErrorCode::ItemsTooMany,
                "items",
                format!("an order has at most {MAX_ITEMS} items"),
            ));
        }
        let items = req
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| parse_item(i, item, currency))
            .collect::<Result<Vec<_>, _>>()?;
        let total = Money::checked_sum(currency, items.iter().map(|i| i.line_total))
            .map_err(|e| amount_error("total", e))?;
        if total.is_zero() {
            return Err(FieldError::new(
                ErrorCode::AmountInvalid,
                "total",
                "the order total must be greater than zero",
            ));
        }
        let merchant_reference = text(
            "merchant_reference",
            &req.merchant_reference,
            MAX_REFERENCE_CHARS,
        )?;
        let return_url = http_url("return_url", &req.return_url)?;
        let expires_in = req
            .expires_in
            .as_ref()
            .map(|n| {
                n.as_u64()
                    .and_then(|s| u32::try_from(s).ok())
                    .filter(|s| EXPIRES_IN_SECS.contains(s))
                    .ok_or_else(|| {
                        FieldError::new(
                            ErrorCode::ExpiresInInvalid,
                            "expires_in",
                            format!(
                                "a whole number of seconds from {} to {}",
                                EXPIRES_IN_SECS.start(),
                                EXPIRES_IN_SECS.end()
                            ),
                        )
                    })
            })
            .transpose()?;
        Ok(OrderDraft {
            currency,
            items,
            total,
            merchant_reference,
            return_url,
            expires_in,
        })
    }
}

impl DraftItem {
    /// The item as the API shows it.
    pub fn to_line_item(&self) -> LineItem {
        LineItem {
            name: self.name.clone(),
            quantity: self.quantity,
            unit_price: self.unit_price.to_string(),
            line_total: self.line_total.to_string(),
            image_url: self.image_url.clone(),
        }
    }
}

fn parse_item(
    i: usize,
    item: &LineItemRequest,
    currency: Currency,
) -> Result<DraftItem, FieldError> {
    let field = |name: &str| format!("items[{i}].{name}");
    let name = text(&field("name"), &item.name, MAX_NAME_CHARS)?;
    let quantity = item
        .quantity
        .as_u64()
        .filter(|q| (1..=MAX_QUANTITY).contains(q))
        .and_then(|q| u32::try_from(q).ok())
        .ok_or_else(|| {
            FieldError::new(
                ErrorCode::QuantityInvalid,
                field("quantity"),
                format!("quantity must be a whole number from 1 to {MAX_QUANTITY}"),
            )
        })?;
    let unit_price = Money::parse(&item.unit_price, currency)
        .map_err(|e| amount_error(&field("unit_price"), e))?;
    let line_total = unit_price
        .checked_mul(quantity)
        .map_err(|e| amount_error(&field("quantity"), e))?;
    let image_url = item
        .image_url
        .as_deref()
        .map(|u| http_url(&field("image_url"), u))
        .transpose()?;
    Ok(DraftItem {
        name,
        quantity,
        unit_price,
        line_total,
        image_url,
    })
}

fn amount_error(field: &str, e: AmountError) -> FieldError {
    FieldError::new(ErrorCode::AmountInvalid, field, e.to_string())
}

/// Non-blank text without control characters, at most `max` characters.
fn text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    if value.trim().is_empty() {
        return Err(FieldError::new(
            ErrorCode::InvalidField,
            field,
            "must not be empty",
        ));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(
            ErrorCode::FieldTooLong,
            field,
            format!("at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(
            ErrorCode::InvalidField,
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

/// An absolute http(s) URL with a host and no whitespace. The gateway checks return
/// URLs against the merchant's registered ones separately.
pub fn http_url(field: &str, value: &str) -> Result<String, FieldError> {
    if value.len() > MAX_URL_CHARS {
        return Err(FieldError::new(
            ErrorCode::FieldTooLong,
            field,
            format!("at most {MAX_URL_CHARS} characters"),
        ));
    }
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let valid = host.is_some_and(|h| !h.is_empty() && !h.contains('@'))
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        return Err(FieldError::new(
            ErrorCode::UrlInvalid,
            field,
            "must be an absolute http:// or https:// URL",
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(items: serde_json::Value) -> CreateOrderRequest {
        serde_json::from_value(serde_json::json!({
            "currency": "CNY",
            "items": items,
            "merchant_reference": "A-1",
            "return_url": "https://shop.example/return",
        }))
        .unwrap()
    }

    #[test]
    fn expiry_is_a_whole_number_of_seconds_from_a_minute_to_a_day() {
        let mut req =
            request(serde_json::json!([{"name": "Tea", "quantity": 1, "unit_price": "1.00"}]));
        assert_eq!(OrderDraft::parse(&req).unwrap().expires_in, None);
        for ok in [60, 900, 86_400] {
            req.expires_in = Some(ok.into());
            assert_eq!(OrderDraft::parse(&req).unwrap().expires_in, Some(ok));
        }
        for bad in [
            serde_json::json!(59),
            serde_json::json!(86_401),
            serde_json::json!(-60),
            serde_json::json!(90.5),
        ] {
            req.expires_in = serde_json::from_value(bad).unwrap();
            assert_eq!(
                OrderDraft::parse(&req).unwrap_err().code,
                ErrorCode::ExpiresInInvalid
            );
        }
    }

    #[test]
    fn computes_line_and_order_totals() {
        let draft = OrderDraft::parse(&request(serde_json::json!([
            {"name": "Tea", "quantity": 3, "unit_price": "12.50"},
            {"name": "Cup", "quantity": 1, "unit_price": "0.05"},
        ])))
        .unwrap();
        assert_eq!(draft.items[0].line_total.to_string(), "37.50");
        assert_eq!(draft.total.to_string(), "37.55");
    }

    #[test]
    fn rejects_each_bad_field_with_its_code() {
        let cases = [
            (serde_json::json!([]), ErrorCode::ItemsEmpty),
            (
                serde_json::json!([{"name": "T", "quantity": 0, "unit_price": "1"}]),
                ErrorCode::QuantityInvalid,
            ),
            (
                serde_json::json!([{"name": "T", "quantity": -2, "unit_price": "1"}]),
                ErrorCode::QuantityInvalid,
            ),
            (
                serde_json::json!([{"name": "T", "quantity": 1.5, "unit_price": "1"}]),
                ErrorCode::QuantityInvalid,
            ),
            (
                serde_json::json!([{"name": "T", "quantity": 1e30, "unit_price": "1"}]),
                ErrorCode::QuantityInvalid,
            ),
            (
                serde_json::json!([{"name": "T", "quantity": 1, "unit_price": "1.001"}]),
                ErrorCode::AmountInvalid,
            ),
            (
                serde_json::json!([{"name": "T", "quantity": 1, "unit_price": "0"}]),
                ErrorCode::AmountInvalid,
            ),
            (
                serde_json::json!([{"name": "", "quantity": 1, "unit_price": "1"}]),
                ErrorCode::InvalidField,
            ),
            (
                serde_json::json!([{"name": "x".repeat(201), "quantity": 1, "unit_price": "1"}]),
                ErrorCode::FieldTooLong,
            ),
            (
                serde_json::json!([{"name": "T", "quantity": 1, "unit_price": "1", "image_url": "javascript:alert(1)"}]),
                ErrorCode::UrlInvalid,
            ),
            (
                serde_json::json!([{"name": "T", "quantity": 10000, "unit_price": "999999999999.99"}]),
                ErrorCode::AmountInvalid,
            ),
        ];
        for (items, code) in cases {
            let err = OrderDraft::parse(&request(items.clone())).unwrap_err();
            assert_eq!(err.code, code, "{items}");
        }
    }

    #[test]
    fn rejects_unknown_currency_and_bad_return_url() {
        let mut req = request(serde_json::json!([{"name": "T", "quantity": 1, "unit_price": "1"}]));
        req.currency = "XXX".into();
        assert_eq!(
            OrderDraft::parse(&req).unwrap_err().code,
            ErrorCode::CurrencyUnknown
        );
        req.currency = "CNY".into();
        req.return_url = "ftp://x".into();
        assert_eq!(
            OrderDraft::parse(&req).unwrap_err().code,
            ErrorCode::UrlInvalid
        );
    }
}
