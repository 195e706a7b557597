//! The gateway's merchant API with the secret key; its refusals become errors that
//! name their stable code.

use std::fmt;

use anyhow::{Context, Result};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A refusal from the gateway: `code` is stable, `message` is for people.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub(crate) status: StatusCode,
    pub(crate) code: String,
    pub(crate) message: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for Refusal {}

#[derive(Clone)]
pub(crate) struct Api {
    pub(crate) url: String,
    key: String,
    pub(crate) http: reqwest::Client,
}

impl Api {
    pub(crate) fn new(url: &str, key: &str) -> Result<Api> {
        Ok(Api {
            url: url.trim_end_matches('/').to_owned(),
            key: key.to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
        })
    }

    pub(crate) fn is_test_key(&self) -> bool {
        self.key.starts_with("sk_test_")
    }

    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.send(Method::GET, path, None).await
    }

    pub(crate) async fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T> {
        self.send(Method::POST, path, Some(body)).await
    }

    /// An open streaming `GET` (Server-Sent Events), resuming after `last_event_id` if
    /// given; refused like any other request.
    pub(crate) async fn open_stream(
        &self,
        path: &str,
        last_event_id: Option<&str>,
    ) -> Result<reqwest::Response> {
        let mut request = self
            .http
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.key)
            .header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("cannot reach the gateway at {}", self.url))?;
        refused(response).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("cannot reach the gateway at {}", self.url))?;
        let response = refused(response).await?;
        response
            .json()
            .await
            .with_context(|| format!("the gateway's answer to {path} is not what was expected"))
    }
}

/// The response if it succeeded, else the gateway's refusal as an error.
async fn refused(response: reqwest::Response) -> Result<reqwest::Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body: Value = response.json().await.unwrap_or_default();
    let text = |key: &str| body["error"][key].as_str().unwrap_or("").to_owned();
    Err(Refusal {
        status,
        code: text("code"),
        message: text("message"),
    }
    .into())
}
