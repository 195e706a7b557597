//! A stand-in for the Paydesk merchant API: `POST /v1/orders` only, with the real
//! gateway's checks on the key and the idempotency key, and totals computed by
//! `paydesk_shared::order::OrderDraft` like the real one.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use paydesk_shared::api::{CreateOrderRequest, OrderResponse};
use paydesk_shared::order::OrderDraft;
use paydesk_shared::{ErrorBody, ErrorCode, OrderStatus};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::helpers::SECRET_KEY;

/// The real gateway's default time to pay.
const ORDER_TTL: Duration = Duration::minutes(15);

/// One `POST /v1/orders` as the fake gateway saw it.
#[derive(Debug, Clone)]
pub(crate) struct ReceivedOrder {
    pub(crate) authorization: Option<String>,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) request: CreateOrderRequest,
}

pub(crate) struct FakeGateway {
    pub(crate) url: String,
    received: mpsc::UnboundedReceiver<ReceivedOrder>,
    state: Arc<GatewayState>,
    _shutdown: oneshot::Sender<()>,
}

struct GatewayState {
    received: mpsc::UnboundedSender<ReceivedOrder>,
    /// Answers to give instead of creating an order, first in first out.
    failures: Mutex<VecDeque<(StatusCode, ErrorBody)>>,
    /// Created orders by idempotency key, so a retry gets the first answer again.
    orders: Mutex<HashMap<String, OrderResponse>>,
    next_id: AtomicU64,
    /// Where the fake gateway says its hosted pages are: `{url}/pay` unless a test
    /// changes it.
    hosted_base: Mutex<String>,
}

impl FakeGateway {
    pub(crate) async fn spawn() -> FakeGateway {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (sender, received) = mpsc::unbounded_channel();
        let state = Arc::new(GatewayState {
            received: sender,
            failures: Mutex::default(),
            orders: Mutex::default(),
            next_id: AtomicU64::new(1),
            hosted_base: Mutex::new(format!("{url}/pay")),
        });
        let router = Router::new()
            .route("/v1/orders", post(create_order))
            .with_state(state.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        FakeGateway {
            url,
            received,
            state,
            _shutdown: shutdown,
        }
    }

    /// Makes the next order creation fail with `status` and `code`.
    pub(crate) fn fail_next(&self, status: StatusCode, code: ErrorCode, message: &str) {
        self.state
            .failures
            .lock()
            .unwrap()
            .push_back((status, ErrorBody::new(code, message)));
    }

    /// Makes the orders created from now on name hosted pages under `base`.
    pub(crate) fn set_hosted_base(&self, base: &str) {
        *self.state.hosted_base.lock().unwrap() = base.to_owned();
    }

    /// The next request the gateway received. The shop answers only after its
    /// gateway call finished, so by then the request is already here.
    pub(crate) fn next_request(&mut self) -> ReceivedOrder {
        self.received
            .try_recv()
            .expect("the shop did not call the gateway")
    }

    pub(crate) fn assert_no_request(&mut self) {
        if let Ok(request) = self.received.try_recv() {
            panic!("unexpected gateway call: {request:?}");
        }
    }

    /// The order the gateway created under this idempotency key.
    pub(crate) fn order(&self, idempotency_key: &str) -> OrderResponse {
        self.state.orders.lock().unwrap()[idempotency_key].clone()
    }
}

async fn create_order(
    State(state): State<Arc<GatewayState>>,
    headers: HeaderMap,
    Json(request): Json<CreateOrderRequest>,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let received = ReceivedOrder {
        authorization: header("authorization"),
        idempotency_key: header("idempotency-key"),
        request: request.clone(),
    };
    state.received.send(received.clone()).unwrap();

    if received.authorization.as_deref() != Some(&format!("Bearer {SECRET_KEY}")) {
        return error(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "unknown API key",
        );
    }
    let Some(key) = received.idempotency_key.filter(|k| !k.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            ErrorCode::IdempotencyKeyInvalid,
            "Idempotency-Key header is required",
        );
    };
    if let Some((status, body)) = state.failures.lock().unwrap().pop_front() {
        return (status, Json(body)).into_response();
    }
    let draft = match OrderDraft::parse(&request) {
        Ok(draft) => draft,
        Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, e.code, &e.to_string()),
    };
    let hosted_base = state.hosted_base.lock().unwrap().clone();
    let now = OffsetDateTime::now_utc();
    let mut orders = state.orders.lock().unwrap();
    let order = orders.entry(key).or_insert_with(|| {
        let n = state.next_id.fetch_add(1, Ordering::Relaxed);
        OrderResponse {
            id: format!("ord_test{n}"),
            status: OrderStatus::Created,
            currency: draft.currency,
            items: draft.items.iter().map(|i| i.to_line_item()).collect(),
            total: draft.total.to_string(),
            merchant_reference: draft.merchant_reference.clone(),
            return_url: draft.return_url.clone(),
            client_token: format!("ct_test{n}_Zm9yIHRoZSB3aWRnZXQ"),
            hosted_url: format!("{hosted_base}/ct_test{n}_Zm9yIHRoZSB3aWRnZXQ"),
            receipt_url: None,
            created_at: rfc3339(now),
            expires_at: rfc3339(now + ORDER_TTL),
            attempts: Vec::new(),
        }
    });
    (StatusCode::CREATED, Json(order.clone())).into_response()
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap()
}

fn error(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    (status, Json(ErrorBody::new(code, message))).into_response()
}
