use std::collections::HashSet;

use maud::Markup;
use serde_json::{Value, json};

use super::text::{Ids, breakable, inline, slug};
use super::types::constraints;
use super::{Page, render};

fn sample() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Paydesk API",
            "version": "1.2.3",
            "description": "Amounts are strings: `\"25.00\"`.\n\nNo <b>markup</b> here, nor *emphasis*.",
        },
        "tags": [
            {"name": "Orders", "description": "Orders a shopper pays."},
            {"name": "Refunds", "description": "Money given back."},
        ],
        "paths": {
            "/v1/orders": {
                "post": {
                    "tags": ["Orders"],
                    "operationId": "create_order",
                    "summary": "Create an order",
                    "security": [{"merchant_key": []}],
                    "requestBody": {
                        "required": true,
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/CreateOrder"},
                            "example": {"amount": "25.00"},
                        }},
                    },
                    "responses": {
                        "201": {
                            "description": "The new order.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}},
                        },
                        "422": {
                            "description": "`amount_invalid`: not an amount.\n\n`currency_unsupported`: not a currency we take.",
                            "content": {"application/json": {"schema": {
                                "type": "object",
                                "properties": {"error": {"type": "object"}},
                            }}},
                        },
                    },
                },
            },
            "/v1/orders/{order_id}": {
                "parameters": [
                    {"name": "order_id", "in": "path", "required": true, "description": "The order's id.", "schema": {"type": "string"}},
                ],
                "get": {
                    "tags": ["Orders"],
                    "operationId": "getOrder",
                    "responses": {"200": {
                        "description": "The order.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}},
                    }},
                },
            },
            "/v1/refunds": {
                "get": {
                    "tags": ["Refunds", "Orders"],
                    "operationId": "list_refunds",
                    "requestBody": {"content": {"application/json": {"schema": {
                        "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Refund"}],
                    }}}},
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 100}},
                    ],
                    "responses": {"200": {
                        "description": "Refunds, newest first.",
                        "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Refund"}}}},
                    }},
                },
            },
            "/v1/status": {"get": {"responses": {"200": {"description": "Up."}}}},
        },
        "components": {
            "securitySchemes": {
                "merchant_key": {"type": "http", "scheme": "bearer", "description": "Your `sk_…` key."},
            },
            "schemas": {
                "CreateOrder": {
                    "type": "object",
                    "required": ["amount"],
                    "properties": {
                        "amount": {"type": "string", "description": "Decimal string.", "example": "25.00"},
                        "note": {"type": ["string", "null"]},
                    },
                },
                "Order": {
                    "type": "object",
                    "required": ["id", "status", "items"],
                    "properties": {
                        "id": {"type": "string"},
                        "status": {"type": "string", "enum": ["open", "paid", "expired"]},
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
                        "refund": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Refund"}]},
                        "customer": {"type": "object", "properties": {"email": {"type": "string", "format": "email"}}},
                    },
                },
                "Item": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Refund": {"type": "object", "properties": {"amount": {"type": "string"}}},
                "Status": {"type": "string", "enum": ["open", "paid"]},
                "Outcome": {"oneOf": [
                    {"type": "string", "enum": ["paid"], "description": "The bank pays."},
                    {"type": "string", "enum": ["declined"], "description": "The bank says `no`."},
                ]},
            },
        },
    })
}

/// The values of every `id="…"` in `html`.
fn ids(html: &str) -> Vec<&str> {
    html.split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

fn position(html: &str, needle: &str) -> usize {
    html.find(needle)
        .unwrap_or_else(|| panic!("{needle}\nnot in\n{html}"))
}

#[test]
fn the_page_shows_every_operation_under_its_tag_with_its_schemas() {
    let html = render(&sample()).into_string();
    for expected in [
        r#"<html lang="en">"#,
        "<title>Paydesk API reference</title>",
        r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#,
        r#"<link rel="stylesheet" href="/docs/docs.css">"#,
        r##"<a class="docs-skip" href="#main">"##,
        r#"<nav class="docs-toc" aria-label="Contents">"#,
        r#"<main class="docs-main" id="main" tabindex="-1">"#,
        r#"<h1 class="docs-title">Paydesk API</h1>"#,
        "<li>Version 1.2.3</li>",
        r#"<a href="/v1/openapi.json">"#,
        // Backticks are code; nothing else is markup.
        "<p>Amounts are strings: <code>&quot;25.00&quot;</code>.</p>",
        "<p>No &lt;b&gt;markup&lt;/b&gt; here, nor *emphasis*.</p>",
        // Authentication.
        r#"<th scope="row" class="docs-name" id="auth-merchant-key"><code>merchant_key</code></th><td data-label="Type">HTTP bearer</td>"#,
        "Your <code>sk_…</code> key.",
        // Tags and operations, with their anchors and the contents' links.
        r#"<h2 class="docs-h2" id="tag-orders">Orders</h2>"#,
        r#"<h2 class="docs-h2" id="tag-refunds">Refunds</h2>"#,
        r#"<h2 class="docs-h2" id="tag-other">Other</h2>"#,
        r#"<h3 class="docs-op-title" id="create-order"><span class="docs-method docs-method-post">POST</span> <code class="docs-path">/v1<wbr>/orders</code></h3>"#,
        r#"<h3 class="docs-op-title" id="get-order"><span class="docs-method docs-method-get">GET</span> <code class="docs-path">/v1<wbr>/orders<wbr>/{order_id}</code></h3>"#,
        r#"id="get-v1-status""#,
        r##"<a href="#create-order">"##,
        r##"<a href="#get-v1-status">"##,
        r#"<p class="docs-summary">Create an order</p>"#,
        r##"Authentication: </span><a href="#auth-merchant-key"><code>merchant_key</code></a>"##,
        r#"Authentication: </span>none"#,
        // A second tag links to the operation shown under its first.
        r##"Also under this tag: <a href="#list-refunds">GET /v1/refunds</a>"##,
        // The path parameter, from the path item.
        r#"<th scope="row" class="docs-name"><code>order_id</code></th><td data-label="In">path</td><td data-label="Required">yes</td><td class="docs-type" data-label="Type">string</td><td class="docs-desc"><p>The order's id.</p>"#,
        r#"<code>limit</code></th><td data-label="In">query</td><td data-label="Required">no</td><td class="docs-type" data-label="Type">integer <span class="docs-muted">(int32)</span></td>"#,
        "1 to 100.",
        // The request body: its schema linked and its fields listed.
        r#"Content type: <code>application/json</code> (required)"#,
        r##"Schema: <a href="#schema-CreateOrder">CreateOrder</a>"##,
        r#"<code>amount</code></th><td class="docs-type" data-label="Type">string</td><td data-label="Required">yes</td><td class="docs-desc"><p>Decimal string.</p><p class="docs-note">Example: <code>&quot;25.00&quot;</code></p>"#,
        r#"role="region" aria-label="Example request: POST /v1/orders" tabindex="0"><pre class="docs-code">"#,
        // Responses.
        r##"<th scope="row" class="docs-status">201</th><td class="docs-desc"><p>The new order.</p></td><td class="docs-type" data-label="Body"><a href="#schema-Order">Order</a></td>"##,
        "<p><code>amount_invalid</code>: not an amount.</p><p><code>currency_unsupported</code>: not a currency we take.</p></td><td class=\"docs-type\" data-label=\"Body\">object with <code>error</code></td>",
        r##"array of <a href="#schema-Refund">Refund</a>"##,
        // An optional body is its schema, or null.
        r##"Content type: <code>application/json</code> (optional)</p><p class="docs-media">Schema: <a href="#schema-Refund">Refund</a> (or <code>null</code>)</p><table"##,
        // Schemas: arrays, nullables, enums, inline objects.
        r#"<h2 class="docs-h2" id="schemas">Schemas</h2>"#,
        r#"<h3 class="docs-schema-title" id="schema-Order"><code>Order</code></h3>"#,
        r##"<td class="docs-type" data-label="Type">array of <a href="#schema-Item">Item</a></td>"##,
        r#"<code>note</code></th><td class="docs-type" data-label="Type">string | null</td><td data-label="Required">no</td>"#,
        "one of: <code>open</code>, <code>paid</code>, <code>expired</code>",
        r##"<a href="#schema-Refund">Refund</a> | null"##,
        r#"<code>customer<wbr>.email</code></th><td class="docs-type" data-label="Type">string <span class="docs-muted">(email)</span></td>"#,
        r#"Type: one of: <code>open</code>, <code>paid</code>"#,
        // A documented enum lists its values with what each means.
        r#"<th scope="row" class="docs-name"><code>declined</code></th><td class="docs-desc"><p>The bank says <code>no</code>.</p></td>"#,
    ] {
        assert!(html.contains(expected), "{expected}\nnot in\n{html}");
    }

    // Tags in the document's order, untagged operations after them, schemas last.
    let orders = position(&html, r#"id="tag-orders""#);
    let refunds = position(&html, r#"id="tag-refunds""#);
    let other = position(&html, r#"id="tag-other""#);
    let schemas = position(&html, r#"id="schemas""#);
    assert!(orders < refunds && refunds < other && other < schemas);
    assert!(position(&html, r#"id="create-order""#) < position(&html, r#"id="get-order""#));
    assert!(refunds < position(&html, r#"id="list-refunds""#));

    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains(" style="), "{html}");
    assert!(!html.contains("<style"), "{html}");

    let ids = ids(&html);
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "an id is used twice: {ids:?}");
    // Every link within the page leads somewhere.
    for target in html
        .split("href=\"#")
        .skip(1)
        .filter_map(|r| r.split('"').next())
    {
        assert!(unique.contains(target), "#{target} is no id on the page");
    }
}

#[test]
fn an_empty_document_renders() {
    let html = render(&json!({})).into_string();
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains("<title>API reference</title>"), "{html}");
    assert!(
        html.contains(r#"<h1 class="docs-title">API</h1>"#),
        "{html}"
    );
    assert!(html.contains(r#"id="main""#), "{html}");
    assert!(
        !html.contains("Schemas") && !html.contains("Authentication"),
        "{html}"
    );
}

#[test]
fn any_shape_renders_without_panicking() {
    for doc in [
        json!(null),
        json!([1, 2]),
        json!("text"),
        json!({"info": [], "tags": "x", "paths": 3, "components": {"schemas": 5}}),
        json!({
            "tags": [{"name": 1}, {"description": "no name"}, "x", {"name": "A"}, {"name": "A"}],
            "security": "x",
            "paths": {
                "/a": {"get": {"tags": [1, "B", "B"], "responses": 5, "parameters": "x", "security": [5, {"x": 5}]}},
                "/b": {"post": "x", "parameters": [5, {"$ref": "#/nowhere"}], "put": {"requestBody": {"content": {"x": 5}}, "responses": {"200": {"content": {"a/b": {}}}}}},
                "/c": [],
                "/d": {"GET": {"operationId": "", "responses": {"200": {"$ref": "#/components/responses/Missing"}}}},
                "/é": {"delete": {"operationId": "!!!"}},
            },
            "components": {"schemas": {
                "A": 3,
                "B": {"type": 7},
                "C": {"oneOf": "no"},
                "D": {"$ref": "#/components/schemas/D"},
                "E": {"allOf": [{"$ref": "#/components/schemas/E"}, {"$ref": "#/components/schemas/E"}]},
                "F": {"type": [], "enum": []},
                "G": {"type": "array", "items": {"type": "array", "items": {"oneOf": [{"type": "null"}]}}},
                "H": {"properties": {"x": {"properties": {"y": {"$ref": "#/components/schemas/H"}}}}},
                "I": {"anyOf": [{"type": "object", "properties": {"kind": {"const": "i"}}}, {"$ref": "#"}]},
                "J": {"example": {"a": [1, 2, 3]}, "examples": 4},
                "K K": {"additionalProperties": {"type": "integer"}, "type": "object"},
                "L": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/L"}]},
                "M": {"anyOf": [{"enum": [null]}, {"type": ["null"]}]},
            }},
        }),
    ] {
        let html = render(&doc).into_string();
        assert!(html.contains("</html>"));
        let ids = ids(&html);
        let unique: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "an id is used twice: {ids:?}");
    }
}

#[test]
fn types_read_as_words() {
    let page = Page::new(&Value::Null);
    let text = |schema: Value| {
        let html = page.type_markup(&schema).into_string();
        html.replace("<code>", "").replace("</code>", "")
    };
    assert_eq!(
        text(json!({"type": ["integer", "null"], "format": "int64"})),
        "integer <span class=\"docs-muted\">(int64)</span> | null"
    );
    assert_eq!(
        text(json!({"type": "array", "items": {"type": ["string", "null"]}})),
        "array of (string | null)"
    );
    assert_eq!(
        text(json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})),
        "string | integer"
    );
    assert_eq!(
        text(json!({"type": "object", "additionalProperties": {"type": "string"}})),
        "map of string"
    );
    assert_eq!(
        text(json!({"type": ["string", "null"], "enum": ["a", "b"]})),
        "(one of: a, b) | null"
    );
    assert_eq!(text(json!({"const": "card"})), "card (constant)");
    assert_eq!(
        text(json!({"oneOf": [{"enum": ["a"]}, {"const": "b"}, {"type": "null"}]})),
        "(one of: a, b) | null"
    );
    assert_eq!(text(json!({"$ref": "#/components/schemas/Gone"})), "Gone");
    assert_eq!(text(json!({"description": "anything"})), "any");
    assert_eq!(text(json!({"not": {}})), "object");
    assert_eq!(text(json!(7)), "object");
}

#[test]
fn ids_are_slugs_and_never_repeat() {
    assert_eq!(slug("createOrder"), "create-order");
    assert_eq!(slug("create_order"), "create-order");
    assert_eq!(slug("GET /v1/orders/{id}"), "get-v1-orders-id");
    assert_eq!(slug("--"), "");
    let mut ids = Ids::default();
    assert_eq!(ids.claim("a"), "a");
    assert_eq!(ids.claim("a"), "a-2");
    assert_eq!(ids.claim("a"), "a-3");
}

#[test]
fn constraints_read_as_words() {
    let text = |schema: Value| {
        let parts: Vec<String> = constraints(&schema)
            .into_iter()
            .map(Markup::into_string)
            .collect();
        parts.join(", ")
    };
    assert_eq!(
        text(json!({"minLength": 1, "maxLength": 255, "pattern": "^a$"})),
        "1 to 255 characters, pattern <code>^a$</code>"
    );
    assert_eq!(text(json!({"minLength": 1})), "at least 1 character");
    assert_eq!(text(json!({"maxItems": 100})), "at most 100 items");
    assert_eq!(text(json!({"minimum": 0})), "minimum 0");
    assert_eq!(
        text(json!({"minItems": 2, "maxItems": 2})),
        "exactly 2 items"
    );
    assert_eq!(text(json!({"maximum": "9"})), "");
}

#[test]
fn paths_and_names_break_between_their_parts() {
    let html = |text: &str| breakable(text).into_string();
    assert_eq!(html("/v1/orders/{id}"), "/v1<wbr>/orders<wbr>/{id}");
    assert_eq!(html("error.code"), "error<wbr>.code");
    assert_eq!(html("<a>"), "&lt;a&gt;");
    assert_eq!(html(""), "");
}

#[test]
fn backticks_are_code_and_a_lone_one_is_text() {
    let html = |text: &str| inline(text).into_string();
    assert_eq!(html("a `b` c"), "a <code>b</code> c");
    assert_eq!(html("a `b` c `d"), "a <code>b</code> c `d");
    assert_eq!(html("``"), "``");
    assert_eq!(html("<`&`>"), "&lt;<code>&amp;</code>&gt;");
}
