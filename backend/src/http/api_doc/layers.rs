//! What the gateway's layers answer, added to the operations they wrap, and the error
//! bodies typed from the codes each response lists.
//!
//! An error response is written on its route as a description naming its codes in
//! backticks (`` `not_found`: no order with this id. ``); its body's `code` is then an
//! enumeration of exactly those codes, so a client generator and a schema check both
//! see what the route can answer.

use paydesk_shared::{ErrorBody, ErrorCode};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::http::MAX_BODY_BYTES;

/// A layer the caller puts around a group of routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    /// The request time limit.
    Bounded,
    /// `Idempotency-Key` on POST.
    Idempotent,
    /// A per-client (or per-connector) rate limit.
    RateLimited,
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn operations(item: &mut Value) -> impl Iterator<Item = (&str, &mut Value)> {
    item.as_object_mut()
        .into_iter()
        .flat_map(|o| o.iter_mut())
        .filter_map(|(method, op)| METHODS.iter().find(|m| **m == method).map(|m| (*m, op)))
}

pub(super) fn describe(item: &mut Value, layers: &[Layer]) {
    for (method, op) in operations(item) {
        for layer in layers {
            match layer {
                Layer::Bounded if !streams(op) => add(
                    op,
                    408,
                    "`request_timeout`: the gateway did not finish in time. Retry with the same `Idempotency-Key`.",
                ),
                Layer::Bounded => {}
                Layer::Idempotent if method == "post" => {
                    idempotency_header(op);
                    add(
                        op,
                        400,
                        "`idempotency_key_invalid`: the `Idempotency-Key` is not 1 to 255 printable ASCII characters.",
                    );
                    add(
                        op,
                        409,
                        "`idempotency_key_in_use`: a request with this `Idempotency-Key` is still running; retry when it has answered.",
                    );
                    add(
                        op,
                        422,
                        "`idempotency_key_reused`: this `Idempotency-Key` was used for a different request.",
                    );
                }
                Layer::Idempotent => {}
                Layer::RateLimited => add(
                    op,
                    429,
                    "`rate_limited`: too many requests from this client in a short time; `Retry-After` says in how many seconds to try again.",
                ),
            }
        }
    }
}

/// What any operation can answer: a refused key, an unreadable body, an internal fault.
pub(super) fn answer_always(item: &mut Value) {
    for (_, op) in operations(item) {
        if op
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(|s| !s.is_empty())
        {
            add(
                op,
                401,
                "`unauthenticated`: no `Authorization: Bearer` header, or a key or token the gateway does not know.",
            );
        }
        if op.get("requestBody").is_some() {
            add(
                op,
                400,
                "`invalid_json`: the body is not JSON, or not the shape this operation takes.",
            );
            add(
                op,
                413,
                &format!(
                    "`payload_too_large`: the body is larger than {} KiB.",
                    MAX_BODY_BYTES / 1024
                ),
            );
            add(
                op,
                415,
                "`unsupported_media_type`: send the body as `Content-Type: application/json`.",
            );
        }
        add(
            op,
            500,
            "`internal`: something failed inside the gateway; `request_id` names it in the gateway's log.",
        );
    }
}

fn streams(op: &Value) -> bool {
    op.pointer("/responses/200/content/text~1event-stream")
        .is_some()
}

fn idempotency_header(op: &mut Value) {
    let param = json!({
        "name": "Idempotency-Key",
        "in": "header",
        "required": false,
        "description": "Any unique string of 1 to 255 printable ASCII characters (a UUID is good). A retry with the same key and the same request answers what the first answered; kept 24 hours.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    });
    match op.get_mut("parameters").and_then(Value::as_array_mut) {
        Some(params) => params.push(param),
        None => op["parameters"] = json!([param]),
    }
}

/// Adds `text` to the response for `status`, creating it if the route has none.
fn add(op: &mut Value, status: u16, text: &str) {
    let responses = &mut op["responses"];
    let key = status.to_string();
    match responses
        .get_mut(&key)
        .and_then(|r| r.get_mut("description"))
    {
        Some(Value::String(description)) => {
            description.push_str("\n\n");
            description.push_str(text);
        }
        _ => responses[key] = json!({"description": text}),
    }
}

/// Gives each 4xx and 5xx response the error body, its `code` limited to the codes
/// its description names.
pub(super) fn type_error_bodies(item: &mut Value) {
    for (_, op) in operations(item) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        for (status, response) in responses.iter_mut() {
            // A body the route describes itself (a readiness report) stays as written.
            if !(status.starts_with('4') || status.starts_with('5'))
                || response.get("content").is_some()
            {
                continue;
            }
            let codes = codes_in(response["description"].as_str().unwrap_or_default());
            response["content"] = json!({"application/json": {"schema": error_schema(&codes)}});
            if status == "429" || status == "503" {
                response["headers"] = json!({"Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer", "minimum": 0},
                }});
            }
        }
    }
}

/// The error codes named in backticks in `description`, in order, once each.
pub(super) fn codes_in(description: &str) -> Vec<&str> {
    let mut codes: Vec<&str> = Vec::new();
    for (i, token) in description.split('`').enumerate() {
        let quoted = i % 2 == 1;
        if quoted
            && serde_json::from_value::<ErrorCode>(Value::String(token.to_owned())).is_ok()
            && !codes.contains(&token)
        {
            codes.push(token);
        }
    }
    codes
}

fn error_schema(codes: &[&str]) -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {"error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "enum": codes},
                "message": {"type": "string", "description": "For people; may change."},
                "request_id": {"type": "string", "description": "On a 5xx: the id the gateway's log holds the cause under."},
            },
        }},
    })
}

/// `ErrorBody` and the full list of codes, for clients that want one error type.
pub(super) fn add_shared_schemas(schemas: &mut Map<String, Value>) {
    let mut all = Vec::new();
    <ErrorBody as ToSchema>::schemas(&mut all);
    all.push((
        <ErrorBody as ToSchema>::name().into_owned(),
        <ErrorBody as utoipa::PartialSchema>::schema(),
    ));
    for (name, schema) in all {
        if let Ok(schema) = serde_json::to_value(schema) {
            schemas.insert(name, schema);
        }
    }
}

pub(super) fn security_schemes() -> Value {
    json!({
        "merchant_key": {
            "type": "http",
            "scheme": "bearer",
            "description": "Your secret key: `Authorization: Bearer sk_test_…` (test mode, the sandbox bank) or `sk_live_…`. Keep it on your server.",
        },
        "client_token": {
            "type": "http",
            "scheme": "bearer",
            "description": "One order's client token (`ct_…`, from the order's `client_token`): it authorises the shopper's side of that order only, and may be shown to the shopper's browser.",
        },
        "operator_key": {
            "type": "http",
            "scheme": "bearer",
            "description": "The gateway operator's key (`PAYDESK_OPERATOR_KEY`).",
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_from_backticks_once_each() {
        assert_eq!(
            codes_in(
                "`not_found`: no such order.\n\n`not_found` again; `Idempotency-Key` is not a code; `order_not_refundable`."
            ),
            ["not_found", "order_not_refundable"]
        );
        assert!(codes_in("no codes here").is_empty());
    }

    #[test]
    fn a_layer_appends_to_a_response_the_route_already_has() {
        let mut item =
            json!({"post": {"responses": {"422": {"description": "`amount_invalid`: bad."}}}});
        describe(&mut item, &[Layer::Idempotent]);
        type_error_bodies(&mut item);
        let response = &item["post"]["responses"]["422"];
        assert_eq!(
            response["content"]["application/json"]["schema"]["properties"]["error"]["properties"]
                ["code"]["enum"],
            json!(["amount_invalid", "idempotency_key_reused"])
        );
        assert_eq!(item["post"]["parameters"][0]["name"], "Idempotency-Key");
    }

    #[test]
    fn streams_are_not_bounded_and_gets_take_no_idempotency_key() {
        let mut item = json!({"get": {"responses": {"200": {"description": "events", "content": {"text/event-stream": {}}}}}});
        describe(&mut item, &[Layer::Bounded, Layer::Idempotent]);
        assert!(item["get"]["responses"].get("408").is_none());
        assert!(item["get"].get("parameters").is_none());
    }
}
