//! Checks what a merchant sends for an endpoint: URL, event types, description.

use paydesk_shared::ErrorCode;
use paydesk_shared::webhook::EventType;

use crate::http::error::ApiError;
use crate::webhooks::url_policy::{self, UrlRefusal};

const MAX_DESCRIPTION_LEN: usize = 255;

pub(crate) fn url(raw: &str, allow_private: bool) -> Result<String, ApiError> {
    match url_policy::check(raw, allow_private) {
        Ok(url) => Ok(url.to_string()),
        Err(UrlRefusal::Invalid(why)) => Err(ApiError::unprocessable(
            ErrorCode::UrlInvalid,
            format!("url: {why}"),
        )),
        Err(refusal @ UrlRefusal::Private) => Err(ApiError::unprocessable(
            ErrorCode::WebhookUrlNotAllowed,
            format!("url: {refusal}"),
        )),
    }
}

/// Known types, each once, in the order given; `["*"]` alone means every type.
pub(super) fn event_types(types: Option<Vec<String>>) -> Result<Vec<String>, ApiError> {
    let Some(types) = types else {
        return Ok(vec!["*".into()]);
    };
    if types.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::EventTypeUnknown,
            "event_types: name at least one event type, or \"*\" for all",
        ));
    }
    if types.iter().any(|t| t == "*") {
        return if types.len() == 1 {
            Ok(types)
        } else {
            Err(ApiError::unprocessable(
                ErrorCode::EventTypeUnknown,
                "event_types: \"*\" already means every type; send it alone",
            ))
        };
    }
    let mut known: Vec<String> = Vec::with_capacity(types.len());
    for t in types {
        if EventType::parse(&t).is_none() {
            return Err(ApiError::unprocessable(
                ErrorCode::EventTypeUnknown,
                format!(
                    "event_types: {t:?} is not an event type; known: {}",
                    EventType::names()
                ),
            ));
        }
        if !known.contains(&t) {
            known.push(t);
        }
    }
    Ok(known)
}

pub(super) fn description(d: Option<String>) -> Result<Option<String>, ApiError> {
    match d {
        Some(d) if d.chars().count() > MAX_DESCRIPTION_LEN => Err(ApiError::unprocessable(
            ErrorCode::FieldTooLong,
            format!("description: at most {MAX_DESCRIPTION_LEN} characters"),
        )),
        Some(d) if d.trim().is_empty() => Ok(None),
        other => Ok(other),
    }
}
