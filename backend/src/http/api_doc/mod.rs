//! The OpenAPI 3.1 document, read off the routes themselves: every route is registered
//! through utoipa-axum's `routes!`, so a handler without its `#[utoipa::path]` does not
//! compile into the router, and the document cannot describe a route that is not
//! served. Served at `/v1/openapi.json`, and as a reference page at `/docs`.

mod layers;
mod page;

use std::sync::{Arc, OnceLock};

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Router};
use bytes::Bytes;
use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) use layers::Layer;

use crate::state::AppState;

/// The reference page loads its stylesheet and nothing else.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'";

/// The parts of the document no route carries.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Paydesk API",
        description = "Online-banking checkout and collection: create an order, let the shopper pay it \
at their bank through the widget or the hosted page, receive signed webhooks, refund, and \
follow the money to your bank account.

Amounts are decimal strings in the currency's major units, never in minor units: \
`\"25.00\"` in CNY is twenty-five yuan, not twenty-five fen, and `\"2500\"` is 2,500 \
yuan (in JPY, 2,500 yen). Send at most the currency's minor units of decimals: \
`\"25.5\"` and `\"25.50\"` are both fine for CNY, `\"25.505\"` is `amount_invalid`, \
and JPY and KRW take no decimals.

Every refusal answers `{\"error\": {\"code\": \"…\", \"message\": \"…\"}}`: match on \
`code`, which is stable; `message` is for people and may change. Each operation lists the \
codes it can answer.

Retry any POST safely with an `Idempotency-Key` header: the same key with the same \
request replays the first answer.",
        license(name = "Proprietary"),
    ),
    tags(
        (name = "Orders", description = "Orders a shopper pays at their bank."),
        (name = "Refunds", description = "Money given back through the bank that took it."),
        (name = "Account", description = "Your merchant account and its return URLs."),
        (name = "Balance", description = "Your balance, its transactions, settlements and payouts."),
        (name = "Webhooks", description = "Endpoints that receive signed events, and the events themselves."),
        (name = "Test helpers", description = "Drive test orders through the sandbox bank without a browser. Test keys (`sk_test_…`) only."),
        (name = "Widget", description = "What the checkout widget calls, authorised by one order's client token (`ct_…`)."),
        (name = "Hosted pages", description = "Pages the gateway serves to shoppers."),
        (name = "Bank network", description = "Signed messages from banks."),
        (name = "Operator", description = "Running the gateway: merchants, keys, the ledger, settlement and alerts. Operator key only."),
        (name = "Health", description = "Liveness, readiness and metrics."),
        (name = "Reference", description = "This document and its page."),
    ),
)]
struct Base;

/// The routes of one audience, split into their axum router and their part of the
/// document, with the layers around them described on each of their operations.
pub(crate) struct Collector {
    paths: serde_json::Map<String, Value>,
    schemas: serde_json::Map<String, Value>,
}

impl Collector {
    pub(crate) fn new() -> Self {
        Collector {
            paths: serde_json::Map::new(),
            schemas: serde_json::Map::new(),
        }
    }

    /// Takes `routes` into the document, each operation answering what `layers` add
    /// (they must be the layers the caller puts around the returned router).
    pub(crate) fn take(
        &mut self,
        routes: OpenApiRouter<AppState>,
        layers: &[Layer],
    ) -> Router<AppState> {
        let (router, api) = routes.split_for_parts();
        let Ok(Value::Object(mut part)) = serde_json::to_value(&api) else {
            unreachable!("an OpenAPI document serialises to a JSON object");
        };
        if let Some(Value::Object(paths)) = part.remove("paths") {
            for (path, mut item) in paths {
                layers::describe(&mut item, layers);
                // One path may take methods from two groups (layered differently).
                match (self.paths.get_mut(&path), item) {
                    (Some(Value::Object(known)), Value::Object(more)) => known.extend(more),
                    (_, item) => {
                        self.paths.insert(path, item);
                    }
                }
            }
        }
        if let Some(Value::Object(schemas)) = part
            .get_mut("components")
            .and_then(|c| c.get_mut("schemas"))
            .map(Value::take)
        {
            self.schemas.extend(schemas);
        }
        router
    }

    /// The whole document, for the gateway at `public_url`: every error response's
    /// body names exactly the codes its description lists.
    pub(crate) fn finish(self, public_url: &str) -> Value {
        let mut doc = serde_json::to_value(Base::openapi()).unwrap_or_default();
        doc["servers"] = json!([{"url": public_url, "description": "This gateway."}]);
        let mut paths = self.paths;
        for item in paths.values_mut() {
            layers::answer_always(item);
            layers::type_error_bodies(item);
        }
        doc["paths"] = Value::Object(paths);
        let mut schemas = self.schemas;
        layers::add_shared_schemas(&mut schemas);
        doc["components"]["schemas"] = Value::Object(schemas);
        doc["components"]["securitySchemes"] = layers::security_schemes();
        doc
    }
}

/// The document and its page, once the rest of the routes are collected. The page is
/// rendered when it is first asked for, not at start-up.
#[derive(Clone)]
pub(crate) struct Published {
    doc: Arc<Value>,
    json: Bytes,
    page: Arc<OnceLock<Bytes>>,
}

impl Published {
    pub(crate) fn new(doc: Value) -> Self {
        Published {
            json: doc.to_string().into(),
            doc: Arc::new(doc),
            page: Arc::default(),
        }
    }

    fn page(&self) -> Bytes {
        self.page
            .get_or_init(|| page::render(&self.doc).into_string().into())
            .clone()
    }
}

/// `/v1/openapi.json`, `/docs` and its stylesheet. The handlers read the finished
/// document from the `Published` extension the caller layers on.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .routes(routes!(docs_page))
        .routes(routes!(docs_stylesheet))
}

pub(crate) fn publish(router: Router<AppState>, published: Published) -> Router<AppState> {
    router.layer(Extension(published))
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "Reference",
    operation_id = "get_openapi_document",
    responses((status = 200, description = "This document.", content_type = "application/json", body = Object)),
)]
async fn openapi_json(Extension(published): Extension<Published>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], published.json).into_response()
}

/// The API reference: this document as a page.
#[utoipa::path(
    get,
    path = "/docs",
    tag = "Reference",
    operation_id = "get_reference_page",
    responses((status = 200, description = "The reference page.", content_type = "text/html")),
)]
async fn docs_page(Extension(published): Extension<Published>) -> Response {
    (
        [(header::CONTENT_SECURITY_POLICY, CSP)],
        Html(published.page()),
    )
        .into_response()
}

/// The reference page's stylesheet.
#[utoipa::path(
    get,
    path = "/docs/docs.css",
    tag = "Reference",
    operation_id = "get_reference_stylesheet",
    responses((status = 200, description = "The stylesheet.", content_type = "text/css")),
)]
async fn docs_stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        page::STYLESHEET,
    )
        .into_response()
}
