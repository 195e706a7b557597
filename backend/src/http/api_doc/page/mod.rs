//! The API reference at `/docs`: the OpenAPI document as one page, rendered on the
//! server from the document's JSON. Like the gateway's other pages it is a `maud`
//! template, so every value spliced in is escaped; it runs no script and carries no
//! inline style, so its policy allows nothing but its own stylesheet.
//!
//! The page reads the document as plain JSON and trusts none of its shape: a part
//! that is missing renders as nothing, a schema it does not know as `object`, and
//! `$ref` chains and nesting are followed only so deep.
//!
//! Here is the page's frame: its head, contents, introduction and authentication.
//! Each tag's operations are in `operations`, the schemas section in `schemas`, types
//! in words in `types`, and prose, ids and reading the JSON in `text`.

mod operations;
mod schemas;
#[cfg(test)]
mod tests;
mod text;
mod types;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use maud::{Markup, PreEscaped, html};
use serde_json::Value;

use operations::{Group, Operation, group_named};
use text::{Ids, entries, items, prose, prose_of, resolve, slug, slug_or, table_head};

/// The reference page's stylesheet, served at [`STYLESHEET_PATH`].
pub(crate) const STYLESHEET: &str = include_str!("../docs.css");

/// Where the gateway serves [`STYLESHEET`].
const STYLESHEET_PATH: &str = "/docs/docs.css";

/// Where the gateway serves the document itself.
const DOCUMENT_PATH: &str = "/v1/openapi.json";

/// The doctype as the gateway's other pages spell it.
const DOCTYPE: PreEscaped<&str> = PreEscaped("<!doctype html>");

/// The path item keys that are operations, in the order OpenAPI lists them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How deep the page follows `$ref` chains and nested schemas: a document that
/// refers to itself renders, shallowly, instead of looping.
const MAX_DEPTH: usize = 8;

/// The prefix of a `$ref` to a named schema.
const SCHEMA_REF: &str = "#/components/schemas/";

/// The group of operations that carry no tag.
const UNTAGGED: &str = "Other";

/// The API reference page: every operation of `doc` (an OpenAPI 3.1 document as JSON),
/// grouped by tag.
pub(crate) fn render(doc: &Value) -> Markup {
    Page::new(doc).render()
}

/// The document, with the ids of everything the page links to settled up front so
/// that the contents and the sections agree and no id is used twice.
struct Page<'a> {
    doc: &'a Value,
    /// Each named schema and the id of its section.
    schema_ids: HashMap<&'a str, String>,
    /// Each security scheme and the id of its row.
    auth_ids: HashMap<&'a str, String>,
    groups: Vec<Group<'a>>,
    operations: Vec<Operation<'a>>,
    /// The names of the scrollable regions given so far: each must be unique.
    regions: RefCell<HashSet<String>>,
}

impl<'a> Page<'a> {
    fn new(doc: &'a Value) -> Page<'a> {
        let mut ids = Ids::default();
        for fixed in ["main", "authentication", "schemas"] {
            ids.claim(fixed);
        }
        let mut schema_ids = HashMap::new();
        for (name, _) in entries(doc.pointer("/components/schemas")) {
            let safe: Vec<&str> = name.split_whitespace().collect();
            let id = ids.claim(&format!("schema-{}", safe.join("-")));
            schema_ids.insert(name.as_str(), id);
        }
        let mut auth_ids = HashMap::new();
        for (name, _) in entries(doc.pointer("/components/securitySchemes")) {
            let id = ids.claim(&format!("auth-{}", slug_or(name, "scheme")));
            auth_ids.insert(name.as_str(), id);
        }

        let mut groups: Vec<Group<'a>> = Vec::new();
        for tag in items(doc.get("tags")) {
            let Some(name) = tag.get("name").and_then(Value::as_str) else {
                continue;
            };
            if !groups.iter().any(|g| g.name == name) {
                let description = tag.get("description").and_then(Value::as_str);
                groups.push(Group::new(name, description, &mut ids));
            }
        }

        let mut operations = Vec::new();
        let mut untagged = Vec::new();
        let sources = [(false, doc.get("paths")), (true, doc.get("webhooks"))];
        for (webhook, source) in sources {
            for (path, item) in entries(source) {
                let Some(item) = resolve(doc, item).as_object() else {
                    continue;
                };
                for (key, op) in item {
                    let Some(&method) = METHODS.iter().find(|m| m.eq_ignore_ascii_case(key)) else {
                        continue;
                    };
                    let Some(op) = op.as_object() else {
                        continue;
                    };
                    let wanted = op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(slug)
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| slug_or(&format!("{method} {path}"), "operation"));
                    let index = operations.len();
                    operations.push(Operation {
                        method,
                        path,
                        webhook,
                        item,
                        op,
                        id: ids.claim(&wanted),
                    });
                    let mut tags: Vec<&str> = Vec::new();
                    for tag in items(op.get("tags")).iter().filter_map(Value::as_str) {
                        if !tags.contains(&tag) {
                            tags.push(tag);
                        }
                    }
                    if tags.is_empty() {
                        untagged.push(index);
                    }
                    for (n, tag) in tags.into_iter().enumerate() {
                        let group = group_named(&mut groups, tag, &mut ids);
                        if n == 0 {
                            group.own.push(index);
                        } else {
                            group.also.push(index);
                        }
                    }
                }
            }
        }
        if !untagged.is_empty() {
            group_named(&mut groups, UNTAGGED, &mut ids)
                .own
                .extend(untagged);
        }

        Page {
            doc,
            schema_ids,
            auth_ids,
            groups,
            operations,
            regions: RefCell::new(HashSet::new()),
        }
    }

    fn render(&self) -> Markup {
        let title = self
            .doc
            .pointer("/info/title")
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty())
            .unwrap_or("API");
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="color-scheme" content="light";
                    title { (title) " reference" }
                    link rel="stylesheet" href=(STYLESHEET_PATH);
                }
                body class="docs" {
                    a class="docs-skip" href="#main" { "Skip to content" }
                    div class="docs-layout" {
                        (self.contents(title))
                        main class="docs-main" id="main" tabindex="-1" {
                            (self.intro(title))
                            (self.authentication())
                            @for group in &self.groups {
                                (self.group(group))
                            }
                            (self.schemas())
                        }
                    }
                }
            }
        }
    }

    /// The table of contents: the tags and their operations.
    fn contents(&self, title: &str) -> Markup {
        html! {
            nav class="docs-toc" aria-label="Contents" {
                p class="docs-toc-title" { a href="#main" { (title) } }
                ol class="docs-toc-list" {
                    @if !self.auth_ids.is_empty() {
                        li { a class="docs-toc-group" href="#authentication" { "Authentication" } }
                    }
                    @for group in &self.groups {
                        li {
                            a class="docs-toc-group" href={ "#" (group.id) } { (group.name) }
                            @if !group.own.is_empty() {
                                ol class="docs-toc-ops" {
                                    @for op in group.own.iter().filter_map(|&i| self.operations.get(i)) {
                                        li { a href={ "#" (op.id) } { (op.label()) } }
                                    }
                                }
                            }
                        }
                    }
                    @if !self.schema_ids.is_empty() {
                        li { a class="docs-toc-group" href="#schemas" { "Schemas" } }
                    }
                }
            }
        }
    }

    /// The title, the version, the description and where the document is.
    fn intro(&self, title: &str) -> Markup {
        let info = self.doc.get("info");
        let text = |key: &str| info.and_then(|i| i.get(key)).and_then(Value::as_str);
        let license = info
            .and_then(|i| i.pointer("/license/name"))
            .and_then(Value::as_str);
        let openapi = self.doc.get("openapi").and_then(Value::as_str);
        let servers: Vec<&str> = items(self.doc.get("servers"))
            .iter()
            .filter_map(|s| s.get("url").and_then(Value::as_str))
            .collect();
        html! {
            header class="docs-intro" {
                h1 class="docs-title" { (title) }
                ul class="docs-meta" {
                    @if let Some(version) = text("version") {
                        li { "Version " (version) }
                    }
                    @if let Some(openapi) = openapi {
                        li { "OpenAPI " (openapi) }
                    }
                    @if let Some(license) = license {
                        li { "License: " (license) }
                    }
                    li { a href=(DOCUMENT_PATH) { "OpenAPI document (JSON)" } }
                }
                @if let Some(description) = text("description") {
                    div class="docs-prose" { (prose(description)) }
                }
                @if !servers.is_empty() {
                    p class="docs-servers" {
                        "Base URL: "
                        @for (i, url) in servers.iter().enumerate() {
                            @if i > 0 { ", " }
                            code { (url) }
                        }
                    }
                }
            }
        }
    }

    /// The security schemes: how a request proves who sent it.
    fn authentication(&self) -> Markup {
        let schemes: Vec<(&String, &Value)> =
            entries(self.doc.pointer("/components/securitySchemes")).collect();
        if schemes.is_empty() {
            return html! {};
        }
        html! {
            section class="docs-section" {
                h2 class="docs-h2" id="authentication" { "Authentication" }
                table class="docs-table" {
                    (table_head(&["Name", "Type", "Description"]))
                    tbody {
                        @for (name, scheme) in schemes {
                            tr {
                                th scope="row" class="docs-name" id=[self.auth_ids.get(name.as_str())] {
                                    code { (name) }
                                }
                                td data-label="Type" { (scheme_kind(scheme)) }
                                td class="docs-desc" { (prose_of(scheme)) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A block of example JSON that scrolls sideways in its own box, which keyboard
    /// users reach by Tab and screen readers by its (unique) name.
    pub(super) fn example_block(&self, label: String, value: &Value) -> Markup {
        let text = match value {
            Value::String(s) => s.clone(),
            other => serde_json::to_string_pretty(other).unwrap_or_default(),
        };
        let label = {
            let mut regions = self.regions.borrow_mut();
            let mut unique = label.clone();
            let mut n = 2_usize;
            while !regions.insert(unique.clone()) {
                unique = format!("{label} ({n})");
                n += 1;
            }
            unique
        };
        html! {
            div class="docs-scroll" role="region" aria-label=(label) tabindex="0" {
                pre class="docs-code" { code { (text) } }
            }
        }
    }

    /// Follows a local `$ref` (`#/components/…`) to what it names.
    pub(super) fn resolve(&self, value: &'a Value) -> &'a Value {
        resolve(self.doc, value)
    }
}

/// How a security scheme is presented: `HTTP bearer`, `API key in header X-Key`.
fn scheme_kind(scheme: &Value) -> Markup {
    let text = |key: &str| scheme.get(key).and_then(Value::as_str);
    match text("type") {
        Some("http") => html! {
            "HTTP " (text("scheme").unwrap_or("auth"))
            @if let Some(format) = text("bearerFormat") { " (" (format) ")" }
        },
        Some("apiKey") => html! {
            "API key in " (text("in").unwrap_or("request")) " "
            code { (text("name").unwrap_or("?")) }
        },
        Some("oauth2") => html! { "OAuth 2.0" },
        Some("openIdConnect") => html! { "OpenID Connect" },
        Some("mutualTLS") => html! { "Mutual TLS" },
        Some(other) => html! { (other) },
        None => html! { "unknown" },
    }
}
