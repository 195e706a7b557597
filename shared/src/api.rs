//! JSON shapes on the wire. Amounts travel as decimal strings at the currency's scale
//! ("25.00", "2500" for JPY); the gateway computes every total.

use serde::{Deserialize, Serialize};

use crate::bank::CardKind;
use crate::currency::Currency;
use crate::payment::{AttemptStatus, OrderStatus};

// ---- merchant API -------------------------------------------------------------------

/// `POST /v1/orders`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateOrderRequest {
    /// ISO 4217 code. A string so an unknown code gets its own error.
    pub currency: String,
    pub items: Vec<LineItemRequest>,
    pub merchant_reference: String,
    pub return_url: String,
    /// Seconds the order can be paid for, 60 to 86,400; the gateway's default (15
    /// minutes unless its operator changed it) if not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 60, maximum = 86_400, example = 900))]
    pub expires_in: Option<serde_json::Number>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineItemRequest {
    pub name: String,
    /// A JSON number, validated as an integer in range (never read as a float).
    #[cfg_attr(feature = "openapi", schema(value_type = u32, minimum = 1, maximum = 10_000, example = 2))]
    pub quantity: serde_json::Number,
    /// A decimal string in the currency's major units, with at most its minor units:
    /// `"25.00"` is twenty-five yuan (CNY), `"2500"` is 2,500 yen (JPY). Never an
    /// amount in minor units (fen or cents).
    #[cfg_attr(feature = "openapi", schema(example = "25.00"))]
    pub unit_price: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

/// An order as the merchant API answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderResponse {
    pub id: String,
    pub status: OrderStatus,
    pub currency: Currency,
    pub items: Vec<LineItem>,
    #[cfg_attr(feature = "openapi", schema(example = "25.00"))]
    pub total: String,
    pub merchant_reference: String,
    pub return_url: String,
    /// Hand this to the widget; it authorises the shopper's side of this one order.
    pub client_token: String,
    /// The gateway's hosted checkout page for this order (`{public_url}/pay/{client_token}`),
    /// for merchants who redirect the shopper instead of embedding the widget.
    #[serde(default)]
    pub hosted_url: String,
    /// The shopper's receipt (`{public_url}/receipts/{receipt_token}`), a page anyone
    /// holding the link may open: set once the order is paid, `null` before.
    #[serde(default)]
    pub receipt_url: Option<String>,
    pub created_at: String,
    pub expires_at: String,
    #[serde(default)]
    pub attempts: Vec<AttemptResponse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineItem {
    pub name: String,
    pub quantity: u32,
    pub unit_price: String,
    #[cfg_attr(feature = "openapi", schema(example = "25.00"))]
    pub line_total: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

/// One trip of the shopper to one bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptResponse {
    pub id: String,
    pub bank_code: String,
    pub card_kind: CardKind,
    pub status: AttemptStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_transaction_id: Option<String>,
    pub created_at: String,
}

/// `GET /v1/orders`: newest first; pass the last id as `starting_after` for the next
/// page while `has_more`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderList {
    pub data: Vec<OrderResponse>,
    pub has_more: bool,
}

/// `POST /v1/test_helpers/orders/{id}/pay` (test keys only): the gateway plays the
/// shopper at the sandbox bank. Every field may be left out: a debit card at the first
/// bank that can take the order, paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TestPaymentRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_code: Option<String>,
    /// `debit` if absent (or the kind of `card_number`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_kind: Option<CardKind>,
    #[serde(default)]
    pub outcome: TestOutcome,
    /// Only with `"outcome": "declined"`; `insufficient_funds` if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<TestDecline>,
    /// One of the sandbox bank's test cards, to pay with instead of the card the
    /// outcome picks; the card then decides the outcome. Not with `decline_reason` or
    /// `"outcome": "pending"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
}

/// How the sandbox bank's page is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TestOutcome {
    /// A test card that pays: the order becomes `paid`.
    #[default]
    Paid,
    /// The bank declines (`decline_reason`): the attempt fails, the order is `failed`.
    Declined,
    /// The shopper never comes back: the attempt stays pending at the bank.
    Pending,
}

/// The bank's reasons a test payment can be declined with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TestDecline {
    /// Paid with a test card whose balance is below the order's total.
    InsufficientFunds,
    /// Paid with an expired test card.
    CardExpired,
    /// The shopper pressed the bank page's cancel button.
    CancelledByShopper,
}

/// `POST /v1/orders/{id}/refunds`
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateRefundRequest {
    /// Decimal string in the order's currency; everything not refunded yet if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "25.00"))]
    pub amount: Option<String>,
    /// `requested_by_customer` (the default), `duplicate`, `fraudulent` or `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `GET /v1/orders/{id}/refunds`, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundList {
    pub data: Vec<RefundResponse>,
}

/// The body of a webhook the gateway sends to the merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEvent {
    /// Stable across retries: deduplicate on it.
    pub id: String,
    /// One of the names of `webhook::EventType`.
    #[serde(rename = "type")]
    pub kind: String,
    /// 1, 2, 3 … within the event's subject (its order, settlement or payout): events
    /// of one subject are delivered to an endpoint in this order, and a receiver can
    /// tell which came last.
    pub sequence: i64,
    pub created_at: String,
    pub data: WebhookData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookData {
    /// For `order.*` and `refund.*` events: the order as the change left it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderResponse>,
    /// For `refund.*` events: the refund the event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund: Option<RefundResponse>,
    /// For `settlement.created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<crate::balance_api::SettlementResponse>,
    /// For `payout.*` events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payout: Option<crate::balance_api::PayoutResponse>,
}

/// Money given back to the shopper through the bank that took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundResponse {
    pub id: String,
    pub order_id: String,
    /// The payment attempt whose money goes back.
    pub attempt_id: String,
    #[cfg_attr(feature = "openapi", schema(example = "25.00"))]
    pub amount: String,
    pub currency: Currency,
    /// `late_payment` (paid after the order expired), `duplicate_payment` (a second
    /// payment of a paid order), `order_cancelled`, …
    pub reason: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
}

// ---- widget API (authorised by the order's client token) -----------------------------

/// `GET /v1/widget/session`: everything the widget shows before Pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetSession {
    pub order: WidgetOrder,
    pub banks: Vec<BankOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetOrder {
    pub id: String,
    pub merchant_name: String,
    pub status: OrderStatus,
    pub currency: Currency,
    pub items: Vec<LineItem>,
    #[cfg_attr(feature = "openapi", schema(example = "25.00"))]
    pub total: String,
    pub expires_at: String,
    /// The latest attempt, if the shopper has been to a bank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt: Option<WidgetAttempt>,
    /// The shopper's receipt, once the order is paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_url: Option<String>,
    /// An attempt is still at a bank: the status may change even once it is final
    /// (a payment that lands then is refunded). Nothing changes once this is false
    /// and the status is final.
    pub awaiting_bank: bool,
    /// A payment the order could not keep (a second success, or one after the order
    /// expired or was cancelled) is refunded to the shopper automatically.
    pub extra_payment_refunded: bool,
}

impl WidgetOrder {
    /// As [`WidgetStatus::can_change`].
    pub fn can_change(&self) -> bool {
        can_change(self.status, self.awaiting_bank)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetAttempt {
    pub bank_code: String,
    pub card_kind: CardKind,
    pub status: AttemptStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

/// A bank as the widget lists it, with whether it can take this order's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankOption {
    pub code: String,
    pub name_en: String,
    /// The Chinese name: in Traditional characters when the session was asked for
    /// with `lang=zh-TW`, in Simplified characters otherwise.
    pub name_zh: String,
    pub pinyin: String,
    /// Badge colour, `#rrggbb`.
    pub colour: String,
    pub popular: bool,
    pub debit: CardAvailability,
    pub credit: CardAvailability,
}

/// Whether one card kind at one bank can take this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardAvailability {
    /// Single-payment limit in the order's currency, if the bank takes this card kind
    /// in that currency at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "25.00"))]
    pub limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<Unavailable>,
}

/// Why a bank cannot take this payment with this card kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Unavailable {
    /// The bank does not take this card kind in this currency.
    NotSupported,
    /// The order total is above the bank's single-payment limit.
    OverLimit,
    /// The bank's online banking is in maintenance.
    Maintenance,
}

/// `POST /v1/widget/attempts`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateAttemptRequest {
    pub bank_code: String,
    pub card_kind: CardKind,
    /// Where the widget runs, which decides where the bank sends the shopper back.
    #[serde(default)]
    pub mode: WidgetMode,
}

/// Where the widget runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WidgetMode {
    /// Mounted in the merchant's page: the bank returns the shopper to the order's
    /// `return_url`.
    #[default]
    Embedded,
    /// On the gateway's hosted checkout page: the bank returns the shopper there.
    Hosted,
}

impl WidgetMode {
    /// The wire name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            WidgetMode::Embedded => "embedded",
            WidgetMode::Hosted => "hosted",
        }
    }

    /// The mode for a wire name; `None` for anything else.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "embedded" => Some(WidgetMode::Embedded),
            "hosted" => Some(WidgetMode::Hosted),
            _ => None,
        }
    }
}

/// The signed redirect to the bank's online-banking page. The widget navigates to it
/// as given; it never builds a bank URL itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateAttemptResponse {
    pub attempt_id: String,
    pub redirect_url: String,
}

/// `GET /v1/widget/status` and each event of `GET /v1/widget/status/stream`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetStatus {
    pub order_id: String,
    pub status: OrderStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt: Option<WidgetAttempt>,
    /// The shopper's receipt, once the order is paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_url: Option<String>,
    /// An attempt is still at a bank: the status may change even once it is final
    /// (a payment that lands then is refunded). Nothing changes once this is false
    /// and the status is final.
    pub awaiting_bank: bool,
    /// A payment the order could not keep (a second success, or one after the order
    /// expired or was cancelled) is refunded to the shopper automatically.
    pub extra_payment_refunded: bool,
}

/// Not final, or a bank may still decide an attempt (and its payment be refunded).
fn can_change(status: OrderStatus, awaiting_bank: bool) -> bool {
    !status.is_final() || awaiting_bank
}

impl WidgetStatus {
    /// Whether a later event can still differ: the order is not final, or a bank may
    /// still decide an attempt.
    pub fn can_change(&self) -> bool {
        can_change(self.status, self.awaiting_bank)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_mode_defaults_to_embedded_and_reads_hosted() {
        let plain: CreateAttemptRequest =
            serde_json::from_str(r#"{"bank_code":"ICBC","card_kind":"debit"}"#).unwrap();
        assert_eq!(plain.mode, WidgetMode::Embedded);
        let hosted: CreateAttemptRequest =
            serde_json::from_str(r#"{"bank_code":"ICBC","card_kind":"debit","mode":"hosted"}"#)
                .unwrap();
        assert_eq!(hosted.mode, WidgetMode::Hosted);
        assert!(
            serde_json::from_str::<CreateAttemptRequest>(
                r#"{"bank_code":"ICBC","card_kind":"debit","mode":"popup"}"#
            )
            .is_err()
        );
    }

    #[test]
    fn mode_names_round_trip() {
        for mode in [WidgetMode::Embedded, WidgetMode::Hosted] {
            assert_eq!(WidgetMode::parse(mode.as_str()), Some(mode));
            assert_eq!(
                serde_json::to_string(&mode).unwrap(),
                format!("\"{}\"", mode.as_str())
            );
        }
        assert_eq!(WidgetMode::parse("Hosted"), None);
    }
}
