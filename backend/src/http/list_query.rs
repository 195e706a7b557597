//! The query string of a list endpoint: known parameters only, each at most once, and
//! `limit` in range.

use std::collections::HashMap;

use paydesk_shared::ErrorCode;

use crate::http::error::ApiError;

pub(crate) const DEFAULT_LIMIT: u32 = 20;
pub(crate) const MAX_LIMIT: u32 = 100;

pub(crate) struct ListQuery(HashMap<String, String>);

impl ListQuery {
    pub(crate) fn parse(raw: Option<&str>, known: &[&str]) -> Result<Self, ApiError> {
        let mut params = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            if !known.contains(&name.as_ref()) {
                return Err(invalid(format!(
                    "unknown parameter {name:?}; this list takes {}",
                    known.join(", ")
                )));
            }
            if params
                .insert(name.to_string(), value.into_owned())
                .is_some()
            {
                return Err(invalid(format!("parameter {name:?} given twice")));
            }
        }
        Ok(ListQuery(params))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// `limit`: 1 to 100, 20 if not given.
    pub(crate) fn limit(&self) -> Result<u32, ApiError> {
        match self.get("limit") {
            None => Ok(DEFAULT_LIMIT),
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| invalid(format!("limit: a whole number from 1 to {MAX_LIMIT}"))),
        }
    }
}

pub(crate) fn invalid(message: String) -> ApiError {
    ApiError::bad_request(ErrorCode::QueryInvalid, message)
}

/// An RFC 3339 time parameter, as Unix milliseconds.
pub(crate) fn timestamp(name: &str, value: &str) -> Result<i64, ApiError> {
    time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok())
        .ok_or_else(|| {
            invalid(format!(
                "{name}: an RFC 3339 time such as 2026-12-05T08:00:00Z"
            ))
        })
}
