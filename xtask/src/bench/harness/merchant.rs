//! The demo merchant's side of a benchmark: the API requests its shop sends.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Result;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, header};
use paydesk_shared::api::{CreateOrderRequest, LineItemRequest};

/// The merchant's credentials and shop, cheap to clone into every connection.
#[derive(Debug, Clone)]
pub(crate) struct Merchant {
    authorization: Arc<str>,
    shop_url: Arc<str>,
}

impl Merchant {
    pub(crate) fn new(secret_key: &str, shop_url: &str) -> Self {
        Merchant {
            authorization: format!("Bearer {secret_key}").into(),
            shop_url: shop_url.into(),
        }
    }

    /// `POST /v1/orders` with [`Merchant::order_body`]; `key` is both the
    /// Idempotency-Key and the merchant's reference, so it must be unique per order.
    pub(crate) fn order_request(
        &self,
        addr: SocketAddr,
        key: &str,
    ) -> Result<Request<Full<Bytes>>> {
        Ok(Request::post("/v1/orders")
            .header(header::HOST, addr.to_string())
            .header(header::AUTHORIZATION, &*self.authorization)
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", key)
            .body(Full::new(Bytes::from(self.order_body(key)?)))?)
    }

    /// Two line items in CNY, as a tea shop's checkout would send.
    fn order_body(&self, reference: &str) -> Result<Vec<u8>> {
        let order = CreateOrderRequest {
            currency: "CNY".to_owned(),
            items: vec![
                LineItemRequest {
                    name: "Longjing green tea, 250 g".to_owned(),
                    quantity: 2_u32.into(),
                    unit_price: "168.00".to_owned(),
                    image_url: None,
                },
                LineItemRequest {
                    name: "Celadon tea cup".to_owned(),
                    quantity: 1_u32.into(),
                    unit_price: "89.50".to_owned(),
                    image_url: None,
                },
            ],
            merchant_reference: reference.to_owned(),
            return_url: format!("{}/checkout/complete?order={reference}", self.shop_url),
            expires_in: None,
        };
        Ok(serde_json::to_vec(&order)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_body_is_a_valid_create_order_request() {
        let merchant = Merchant::new("sk_test_x", "http://127.0.0.1:9");
        let body = merchant.order_body("bench-x-1-1").unwrap();
        let parsed: CreateOrderRequest = serde_json::from_slice(&body).unwrap();
        assert_eq!(parsed.currency, "CNY");
        assert_eq!(parsed.items.len(), 2);
        assert_eq!(
            parsed.return_url,
            "http://127.0.0.1:9/checkout/complete?order=bench-x-1-1"
        );
    }

    #[test]
    fn an_order_request_carries_key_and_credentials() {
        let merchant = Merchant::new("sk_test_x", "http://127.0.0.1:9");
        let addr = SocketAddr::from(([127, 0, 0, 1], 8080));
        let request = merchant.order_request(addr, "k-1").unwrap();
        assert_eq!(request.uri().path(), "/v1/orders");
        assert_eq!(request.headers()["Idempotency-Key"], "k-1");
        assert_eq!(request.headers()[header::AUTHORIZATION], "Bearer sk_test_x");
    }
}
