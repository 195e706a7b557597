//! What an event's `data` says to the merchant: the order (and the refund) in the
//! API's shapes, as the change leaves them. The rules choose the event; this renders it.

use std::sync::Arc;

use paydesk_shared::api::WebhookData;

use crate::domain::event::{Compose, EventType, NewEvent};
use crate::domain::ids::{EventId, MerchantId};
use crate::domain::order::Order;
use crate::domain::payout::Payout;
use crate::domain::refund::Refund;
use crate::domain::settlement::Settlement;
use crate::domain::time::Millis;
use crate::http::wire;

pub(crate) struct Payloads {
    /// Where the order's hosted page is, for the order's `hosted_url`.
    pub(crate) public_url: Arc<str>,
}

impl Payloads {
    fn new_event(
        &self,
        merchant_id: &MerchantId,
        subject: String,
        kind: EventType,
        data: &WebhookData,
        now: Millis,
    ) -> NewEvent {
        NewEvent {
            id: EventId::generate(),
            merchant_id: merchant_id.clone(),
            subject,
            kind,
            data: serde_json::to_string(data).expect("API shapes serialise"),
            created_at: now,
        }
    }

    fn event(
        &self,
        order: &Order,
        refund: Option<&Refund>,
        kind: EventType,
        now: Millis,
    ) -> NewEvent {
        let data = WebhookData {
            order: Some(wire::order_response(order, &self.public_url, now)),
            refund: refund.map(wire::refund_response),
            settlement: None,
            payout: None,
        };
        self.new_event(&order.merchant_id, order.id.to_string(), kind, &data, now)
    }
}

impl Compose for Payloads {
    fn order_event(&self, order: &Order, kind: EventType, now: Millis) -> NewEvent {
        self.event(order, None, kind, now)
    }

    fn refund_event(
        &self,
        order: &Order,
        refund: &Refund,
        kind: EventType,
        now: Millis,
    ) -> NewEvent {
        self.event(order, Some(refund), kind, now)
    }

    fn settlement_event(&self, settlement: &Settlement, now: Millis) -> NewEvent {
        let data = WebhookData {
            order: None,
            refund: None,
            settlement: Some(wire::settlement_response(settlement)),
            payout: None,
        };
        let subject = settlement.id.to_string();
        let kind = EventType::SettlementCreated;
        self.new_event(&settlement.merchant_id, subject, kind, &data, now)
    }

    fn payout_event(&self, payout: &Payout, kind: EventType, now: Millis) -> NewEvent {
        let data = WebhookData {
            order: None,
            refund: None,
            settlement: None,
            payout: Some(wire::payout_response(payout)),
        };
        self.new_event(&payout.merchant_id, payout.id.to_string(), kind, &data, now)
    }
}

#[cfg(test)]
mod tests {
    use paydesk_shared::api::WebhookEvent;
    use paydesk_shared::{Currency, Money, OrderStatus};

    use super::*;

    #[test]
    fn the_body_is_the_webhook_event_shape_byte_for_byte() {
        let order = Order {
            id: "ord_1".into(),
            merchant_id: "mer_1".into(),
            status: OrderStatus::Paid,
            currency: Currency::Cny,
            items: Vec::new(),
            total: Money::parse("25.00", Currency::Cny).expect("money"),
            merchant_reference: "TH-1\"<".into(),
            return_url: "https://shop.example/done".into(),
            client_token: "ct_1".into(),
            created_at: 1_800_000_000_000,
            expires_at: 1_800_000_900_000,
            paid_at: Some(1_800_000_100_000),
            paid_attempt_id: None,
            attempts: Vec::new(),
        };
        let payloads = Payloads {
            public_url: "http://gw".into(),
        };
        let event = payloads.order_event(&order, EventType::OrderPaid, 1_800_000_100_123);
        let body = event.body(3);
        let parsed: WebhookEvent = serde_json::from_str(&body).expect("a webhook event");
        assert_eq!(body, serde_json::to_string(&parsed).expect("serialises"));
        assert_eq!(
            (
                parsed.kind.as_str(),
                parsed.sequence,
                parsed.created_at.as_str()
            ),
            ("order.paid", 3, "2027-01-15T08:01:40.123Z")
        );
        let order_data = parsed.data.order.expect("the order");
        assert_eq!(order_data.status, OrderStatus::Paid);
        // The paid order links the shopper's receipt, under the gateway's public URL.
        let receipt = order_data.receipt_url.expect("a paid order's receipt");
        assert!(receipt.starts_with("http://gw/receipts/rcpt_"), "{receipt}");
    }
}
