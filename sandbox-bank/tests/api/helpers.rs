//! A sandbox bank on port 0, a signing "gateway", and a notification receiver that
//! records what it gets.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use paydesk_sandbox_bank::{Application, Config, Faults};
use paydesk_shared::Currency;
use paydesk_shared::bank::CardKind;
use paydesk_shared::bank_protocol::{PaymentNotification, PaymentRequest, SIGNATURE_HEADER};
use paydesk_shared::signing::{PublicKey, Signer, Verifier};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Long enough for a few retries on a busy machine; a healthy run takes milliseconds.
const RECEIVE_TIMEOUT: Duration = Duration::from_secs(15);

pub(crate) const RICH_DEBIT: &str = "6222 0000 0000 0001";
pub(crate) const POOR_DEBIT: &str = "6222 0000 0000 0002";
pub(crate) const CREDIT: &str = "6250 0000 0000 0003";
pub(crate) const PASSWORD: &str = "123456";

pub(crate) fn now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    i64::try_from(secs).expect("seconds fit i64")
}

pub(crate) struct TestApp {
    pub(crate) address: String,
    /// Does not follow redirects, so tests see the bank's 303s.
    pub(crate) client: reqwest::Client,
    pub(crate) gateway: Signer,
    pub(crate) bank_key: PublicKey,
    bank: Signer,
    /// Holds the bank's SQLite file; removed when the test ends.
    books: Arc<TempDir>,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<anyhow::Result<()>>,
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(Faults::default()).await
}

/// A bank that plays `faults` from the start.
pub(crate) async fn spawn_app_with(faults: Faults) -> TestApp {
    let books = Arc::new(tempfile::tempdir().expect("a temporary directory"));
    start(
        Signer::generate("gateway-test"),
        Signer::generate("bank-test"),
        books,
        faults,
    )
    .await
}

/// A bank with these keys on the books in `books`, on a fresh port.
async fn start(gateway: Signer, bank: Signer, books: Arc<TempDir>, faults: Faults) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let address = format!(
        "http://127.0.0.1:{}",
        listener.local_addr().expect("local address").port()
    );
    let config = Config {
        signer: bank.clone(),
        gateway_keys: vec![gateway.public_key()],
        public_url: address.clone(),
        database_path: books.path().join("bank.sqlite"),
        faults,
    };
    let app = Application::build(config, listener)
        .await
        .expect("build the bank");
    assert_eq!(address, format!("http://127.0.0.1:{}", app.port()));
    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        gateway,
        bank_key: bank.public_key(),
        bank,
        books,
        shutdown,
        server,
    }
}

/// A request for 25.00 CNY at ICBC with a debit card, unique attempt id.
pub(crate) fn payment_request(notify_url: &str) -> PaymentRequest {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    PaymentRequest {
        merchant_id: "mer_test".into(),
        attempt_id: format!("att_test_{n}"),
        order_id: format!("ord_test_{n}"),
        merchant_name: "Demo <Shop> & Co".into(),
        bank_code: "ICBC".into(),
        card_kind: CardKind::Debit,
        amount: "25.00".into(),
        currency: Currency::Cny,
        notify_url: notify_url.into(),
        return_url: format!("http://127.0.0.1:9/pay/return/att_test_{n}"),
        expires_at: now() + 900,
    }
}

/// The request as the gateway encodes it into the redirect URL.
pub(crate) fn encode(request: &PaymentRequest) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(request).expect("request JSON"))
}

/// The page the bank rendered, with the session id from its hidden field.
pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: String,
}

impl Page {
    pub(crate) fn session(&self) -> String {
        let marker = r#"name="session" value=""#;
        let start = self.body.find(marker).expect("page has a session field") + marker.len();
        let len = self.body[start..].find('"').expect("closing quote");
        self.body[start..start + len].to_owned()
    }
}

impl TestApp {
    /// Sends the shutdown signal and waits for the server and its background
    /// deliveries to stop.
    pub(crate) async fn stop(self) {
        let _ = self.shutdown.send(());
        tokio::time::timeout(RECEIVE_TIMEOUT, self.server)
            .await
            .expect("the bank stops promptly")
            .expect("server task joins")
            .expect("server ran cleanly");
    }

    /// Stops this bank and starts another with the same keys on the same books, as
    /// after a restart of the process (on a new port).
    pub(crate) async fn restart(self) -> TestApp {
        let (gateway, bank, books) = (
            self.gateway.clone(),
            self.bank.clone(),
            Arc::clone(&self.books),
        );
        self.stop().await;
        start(gateway, bank, books, Faults::default()).await
    }

    /// `GET /pay` with `encoded` signed by `signer` at `t`.
    pub(crate) async fn open_raw(&self, encoded: &str, signature: &str) -> Page {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/pay", self.address),
            &[("request", encoded), ("signature", signature)],
        )
        .expect("pay URL");
        page(self.client.get(url).send().await.expect("GET /pay")).await
    }

    pub(crate) async fn open_signed_by(
        &self,
        request: &PaymentRequest,
        signer: &Signer,
        t: i64,
    ) -> Page {
        let encoded = encode(request);
        let signature = signer.sign(t, encoded.as_bytes());
        self.open_raw(&encoded, &signature).await
    }

    pub(crate) async fn open(&self, request: &PaymentRequest) -> Page {
        self.open_signed_by(request, &self.gateway, now()).await
    }

    pub(crate) async fn pay(&self, session: &str, card: &str, password: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/pay", self.address))
            .form(&[
                ("session", session),
                ("card_number", card),
                ("password", password),
            ])
            .send()
            .await
            .expect("POST /pay")
    }

    pub(crate) async fn cancel(&self, session: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/pay/cancel", self.address))
            .form(&[("session", session)])
            .send()
            .await
            .expect("POST /pay/cancel")
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("GET")
    }

    /// The card's balance in `currency`, from `GET /cards`.
    pub(crate) async fn balance(&self, card: &str, currency: Currency) -> String {
        let cards: serde_json::Value = self.get("/cards").await.json().await.expect("cards JSON");
        let digits = card.replace(' ', "");
        cards
            .as_array()
            .expect("a list")
            .iter()
            .find(|c| c["number"] == digits.as_str())
            .and_then(|c| c["balances"][currency.code()].as_str())
            .expect("card and currency listed")
            .to_owned()
    }

    /// `POST`s `body` to `path` with `signature` (if any) in the signature header.
    pub(crate) async fn post_raw(
        &self,
        path: &str,
        body: Vec<u8>,
        signature: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}{path}", self.address))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(signature) = signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        request.send().await.expect("POST")
    }

    /// `POST`s `message` as JSON, signed by the gateway's key now.
    pub(crate) async fn post_signed<T: Serialize>(
        &self,
        path: &str,
        message: &T,
    ) -> reqwest::Response {
        let body = serde_json::to_vec(message).expect("message JSON");
        let signature = self.gateway.sign(now(), &body);
        self.post_raw(path, body, Some(&signature)).await
    }

    /// Checks a 200 answer's signature with the bank's key and decodes it.
    pub(crate) async fn signed_answer<T: DeserializeOwned>(
        &self,
        response: reqwest::Response,
    ) -> T {
        assert_eq!(response.status(), StatusCode::OK);
        let signature = response
            .headers()
            .get(SIGNATURE_HEADER)
            .expect("a signed answer")
            .to_str()
            .expect("ASCII signature")
            .to_owned();
        let body = response.bytes().await.expect("answer body");
        Verifier::new(vec![self.bank_key.clone()])
            .verify(&signature, &body, now())
            .expect("the answer's signature verifies with the bank key");
        serde_json::from_slice(&body).expect("answer JSON")
    }

    /// Verifies a received notification with the bank's public key and decodes it.
    pub(crate) fn verify(&self, received: &Received) -> PaymentNotification {
        Verifier::new(vec![self.bank_key.clone()])
            .verify(&received.signature, &received.body, now())
            .expect("notification signature verifies with the bank key");
        serde_json::from_slice(&received.body).expect("notification JSON")
    }
}

pub(crate) async fn page(response: reqwest::Response) -> Page {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.expect("body");
    Page {
        status,
        headers,
        body,
    }
}

/// One request the receiver got, and what it answered.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) signature: String,
    pub(crate) body: Vec<u8>,
    pub(crate) answered: StatusCode,
}

pub(crate) struct Receiver {
    pub(crate) url: String,
    received: mpsc::UnboundedReceiver<Received>,
    after_script: Arc<Mutex<StatusCode>>,
}

/// A stand-in for the gateway's notification endpoint: answers with `script` in
/// order, then 200 (or what [`Receiver::answer_from_now_on`] says) for ever.
pub(crate) async fn spawn_receiver(script: Vec<StatusCode>) -> Receiver {
    let (tx, rx) = mpsc::unbounded_channel();
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    let after_script = Arc::new(Mutex::new(StatusCode::OK));
    let fallback = Arc::clone(&after_script);
    let handler = move |headers: HeaderMap, body: Bytes| {
        let tx = tx.clone();
        let script = Arc::clone(&script);
        let fallback = Arc::clone(&fallback);
        async move {
            let scripted = script.lock().expect("script lock").pop_front();
            let answered = scripted.unwrap_or_else(|| *fallback.lock().expect("fallback lock"));
            let signature = headers
                .get(SIGNATURE_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let _ = tx.send(Received {
                signature,
                body: body.to_vec(),
                answered,
            });
            answered
        }
    };
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let url = format!(
        "http://127.0.0.1:{}/notify",
        listener.local_addr().expect("receiver address").port()
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, Router::new().route("/notify", post(handler))).await;
    });
    Receiver {
        url,
        received: rx,
        after_script,
    }
}

impl Receiver {
    pub(crate) async fn next(&mut self) -> Received {
        tokio::time::timeout(RECEIVE_TIMEOUT, self.received.recv())
            .await
            .expect("a notification within the timeout")
            .expect("receiver still running")
    }

    /// Once the script is used up, answer `status` to every request.
    pub(crate) fn answer_from_now_on(&self, status: StatusCode) {
        *self.after_script.lock().expect("fallback lock") = status;
    }

    /// Forgets whatever has arrived so far.
    pub(crate) fn drain(&mut self) {
        while self.received.try_recv().is_ok() {}
    }

    /// Everything that arrives until nothing has for `quiet`.
    pub(crate) async fn until_quiet(&mut self, quiet: Duration) -> Vec<Received> {
        let mut out = Vec::new();
        while let Ok(Some(received)) = tokio::time::timeout(quiet, self.received.recv()).await {
            out.push(received);
        }
        out
    }

    /// Nothing more arrives within `wait`.
    pub(crate) async fn assert_quiet(&mut self, wait: Duration) {
        if let Ok(Some(extra)) = tokio::time::timeout(wait, self.received.recv()).await {
            panic!("unexpected notification: {extra:?}");
        }
    }
}

/// A 4xx JSON error with this status and code.
pub(crate) async fn assert_error(response: reqwest::Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status);
    let body: serde_json::Value = response.json().await.expect("error JSON");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// The `Location` of a 303.
pub(crate) fn see_other(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .expect("Location header")
        .to_str()
        .expect("ASCII location")
        .to_owned()
}
