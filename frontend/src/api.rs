//! The widget API of the gateway, over the browser's own `fetch`.

use paydesk_shared::ErrorCode;
use paydesk_shared::api::{CreateAttemptRequest, CreateAttemptResponse, WidgetSession};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, RequestMode, Response};

use crate::i18n::Text;
use crate::wire;

/// Where the gateway is and which order this widget may act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    base: String,
    client_token: String,
    /// `GET /v1/widget/session` in the widget's language, which names the banks in
    /// its script.
    session_path: String,
}

/// Why a call failed, in the terms the widget reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The request never got an answer (offline, DNS, CORS, blocked by the page).
    Network,
    /// The gateway answered with an error body; `code` is its stable error code
    /// (`paydesk_shared::ErrorCode`), kept as sent so a code newer than this widget
    /// still reads.
    Rejected { status: u16, code: String },
    /// The gateway answered with something that is not the agreed JSON.
    Unexpected { status: u16 },
}

impl ApiError {
    /// Whether the gateway refused with this error code. Inlined at every call, where
    /// `wanted` is a constant, so only the codes the widget names are in its wasm.
    #[inline(always)]
    pub fn is(&self, wanted: ErrorCode) -> bool {
        matches!(self, ApiError::Rejected { code, .. } if code == wanted.as_str())
    }

    /// What to tell the shopper. Gateway messages are written for developers, so the
    /// widget says it in its own words, by error code.
    pub fn message(&self, text: &Text) -> &'static str {
        match self {
            ApiError::Network => text.error_network,
            ApiError::Rejected { .. } => {
                if self.is(ErrorCode::Unauthenticated) || self.is(ErrorCode::NotFound) {
                    text.error_link_invalid
                } else if self.is(ErrorCode::OrderNotPayable) {
                    text.error_not_payable
                } else if self.is(ErrorCode::BankUnavailable) || self.is(ErrorCode::BankUnknown) {
                    text.error_bank_unavailable
                } else {
                    text.error_generic
                }
            }
            ApiError::Unexpected { .. } => text.error_generic,
        }
    }
}

impl Api {
    /// `base` is the gateway origin (`https://pay.example`); a trailing slash is fine.
    /// `lang` is the widget's language tag.
    pub fn new(base: &str, client_token: &str, lang: &str) -> Api {
        Api {
            base: base.trim_end_matches('/').to_owned(),
            client_token: client_token.to_owned(),
            session_path: ["/v1/widget/session?lang=", lang].concat(),
        }
    }

    /// `GET /v1/widget/session?lang=…`, or the answer to that same request if the
    /// loader already `started` it alongside the widget's files.
    pub async fn session(
        &self,
        started: Option<js_sys::Promise>,
    ) -> Result<WidgetSession, ApiError> {
        let response = match started {
            Some(response) => JsFuture::from(response).await,
            None => self.fetch("GET", &self.session_path, None, None).await,
        };
        read(response, wire::session).await
    }

    /// `POST /v1/widget/attempts`. The same `idempotency_key` yields the same attempt,
    /// so a repeated click cannot send the shopper to two banks.
    pub async fn create_attempt(
        &self,
        request: &CreateAttemptRequest,
        idempotency_key: &str,
    ) -> Result<CreateAttemptResponse, ApiError> {
        let body = wire::attempt_request(request);
        let response = self
            .fetch(
                "POST",
                "/v1/widget/attempts",
                Some(&body),
                Some(idempotency_key),
            )
            .await;
        read(response, wire::created_attempt).await
    }

    /// The Server-Sent Events URL for status changes. `EventSource` cannot send
    /// headers, so the token travels in the query string.
    pub fn status_stream_url(&self) -> String {
        let token: String = js_sys::encode_uri_component(&self.client_token).into();
        [&self.base, "/v1/widget/status/stream?client_token=", &token].concat()
    }

    async fn fetch(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<JsValue, JsValue> {
        let init = RequestInit::new();
        init.set_method(method);
        init.set_mode(RequestMode::Cors);
        if let Some(body) = body {
            init.set_body(&JsValue::from_str(body));
        }
        let request = Request::new_with_str_and_init(&[&self.base, path].concat(), &init)?;
        let headers = request.headers();
        headers.set("Accept", "application/json")?;
        headers.set("Authorization", &["Bearer ", &self.client_token].concat())?;
        if body.is_some() {
            headers.set("Content-Type", "application/json")?;
        }
        if let Some(key) = idempotency_key {
            headers.set("Idempotency-Key", key)?;
        }
        let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
        JsFuture::from(window.fetch_with_request(&request)).await
    }
}

/// The gateway's answer to a `fetch`: `read_body` of its JSON, or the error it names.
async fn read<T>(
    response: Result<JsValue, JsValue>,
    read_body: fn(&JsValue) -> Option<T>,
) -> Result<T, ApiError> {
    let response = response
        .and_then(JsCast::dyn_into::<Response>)
        .map_err(|_| ApiError::Network)?;
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map_err(|_| ApiError::Network)?,
        Err(_) => return Err(ApiError::Network),
    };
    let json = wire::parse(&text.as_string().unwrap_or_default());
    let unexpected = ApiError::Unexpected { status };
    if response.ok() {
        json.as_ref().and_then(read_body).ok_or(unexpected)
    } else {
        match json.as_ref().and_then(wire::error_code) {
            Some(code) => Err(ApiError::Rejected { status, code }),
            None => Err(unexpected),
        }
    }
}
