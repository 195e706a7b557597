//! The API reference at `/docs`: the OpenAPI document as one page, rendered on the
//! server from the document's JSON. Like the gateway's other pages it is a `maud`
//! template, so every value spliced in is escaped; it runs no script and carries no
//! inline style, so its policy allows nothing but its own stylesheet.
//!
//! The page reads the document as plain JSON and trusts none of its shape: a part
//! that is missing renders as nothing, a schema it does not know as `object`, and
//! `$ref` chains and nesting are followed only so deep.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use maud::{Markup, PreEscaped, html};
use serde_json::{Map, Value};

/// The reference page's stylesheet, served at [`STYLESHEET_PATH`].
pub(crate) const STYLESHEET: &str = include_str!("docs.css");

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

/// One tag's section.
struct Group<'a> {
    name: &'a str,
    description: Option<&'a str>,
    id: String,
    /// The operations whose first tag this is, in document order.
    own: Vec<usize>,
    /// Operations shown under their first tag that carry this one too.
    also: Vec<usize>,
}

/// One operation: a method of a path (or of a webhook).
struct Operation<'a> {
    method: &'static str,
    /// The path, or the webhook's name.
    path: &'a str,
    webhook: bool,
    /// The path item, for the parameters all its operations share.
    item: &'a Map<String, Value>,
    op: &'a Map<String, Value>,
    id: String,
}

impl Operation<'_> {
    fn label(&self) -> Markup {
        html! {
            (method_badge(self.method)) " "
            code class="docs-path" { (breakable(self.path)) }
        }
    }
}

/// The ids given out so far; a wanted id already taken gets a number.
#[derive(Default)]
struct Ids(HashSet<String>);

impl Ids {
    fn claim(&mut self, wanted: &str) -> String {
        if self.0.insert(wanted.to_owned()) {
            return wanted.to_owned();
        }
        let mut n = 2_usize;
        loop {
            let id = format!("{wanted}-{n}");
            if self.0.insert(id.clone()) {
                return id;
            }
            n += 1;
        }
    }
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
                    thead {
                        tr {
                            th scope="col" { "Name" }
                            th scope="col" { "Type" }
                            th scope="col" { "Description" }
                        }
                    }
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

    fn group(&self, group: &Group<'a>) -> Markup {
        let also: Vec<&Operation<'a>> = group
            .also
            .iter()
            .filter_map(|&i| self.operations.get(i))
            .collect();
        html! {
            section class="docs-section" {
                h2 class="docs-h2" id=(group.id) { (group.name) }
                @if let Some(description) = group.description {
                    div class="docs-prose" { (prose(description)) }
                }
                @if group.own.is_empty() && also.is_empty() {
                    p class="docs-muted" { "No operations." }
                }
                @if !also.is_empty() {
                    p class="docs-also" {
                        "Also under this tag: "
                        @for (i, op) in also.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href={ "#" (op.id) } { (op.method.to_ascii_uppercase()) " " (op.path) }
                        }
                    }
                }
                @for op in group.own.iter().filter_map(|&i| self.operations.get(i)) {
                    (self.operation(op))
                }
            }
        }
    }

    fn operation(&self, op: &Operation<'a>) -> Markup {
        let o = op.op;
        let summary = o.get("summary").and_then(Value::as_str);
        let description = o
            .get("description")
            .and_then(Value::as_str)
            .filter(|d| Some(d.trim()) != summary.map(str::trim));
        let parameters = self.parameters(op);
        let body = o.get("requestBody").map(|b| self.resolve(b));
        let responses: Vec<(&String, &Value)> = entries(o.get("responses")).collect();
        html! {
            div class="docs-op" {
                h3 class="docs-op-title" id=(op.id) {
                    (op.label())
                    @if op.webhook { " " span class="docs-flag" { "webhook" } }
                }
                @if let Some(summary) = summary {
                    p class="docs-summary" { (inline(summary)) }
                }
                @if let Some(description) = description {
                    div class="docs-prose" { (prose(description)) }
                }
                @if o.get("deprecated") == Some(&Value::Bool(true)) {
                    p class="docs-deprecated" { "Deprecated." }
                }
                p class="docs-auth" {
                    span class="docs-label" { "Authentication: " }
                    (self.security(o))
                }
                @if !parameters.is_empty() {
                    h4 class="docs-h4" { "Parameters" }
                    (self.parameters_table(&parameters))
                }
                @if let Some(body) = body {
                    h4 class="docs-h4" { "Request body" }
                    (self.request_body(op, body))
                }
                @if !responses.is_empty() {
                    h4 class="docs-h4" { "Responses" }
                    (self.responses_table(&responses))
                }
            }
        }
    }

    /// The schemes an operation takes (its own `security`, else the document's):
    /// any one requirement will do, and a requirement needs all its schemes.
    fn security(&self, op: &Map<String, Value>) -> Markup {
        let requirements = op
            .get("security")
            .or_else(|| self.doc.get("security"))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if requirements.is_empty() {
            return html! { "none" };
        }
        html! {
            @for (i, requirement) in requirements.iter().enumerate() {
                @if i > 0 { " or " }
                @let schemes: Vec<(&String, &Value)> = entries(Some(requirement)).collect();
                @if schemes.is_empty() {
                    "none"
                }
                @for (j, (name, scopes)) in schemes.into_iter().enumerate() {
                    @if j > 0 { " and " }
                    @match self.auth_ids.get(name.as_str()) {
                        Some(id) => { a href={ "#" (id) } { code { (name) } } }
                        None => { code { (name) } }
                    }
                    @let scopes: Vec<&str> = items(Some(scopes)).iter().filter_map(Value::as_str).collect();
                    @if !scopes.is_empty() {
                        " (" (scopes.join(", ")) ")"
                    }
                }
            }
        }
    }

    /// The path item's parameters and the operation's, the operation's winning.
    fn parameters(&self, op: &Operation<'a>) -> Vec<&'a Map<String, Value>> {
        let key = |p: &Map<String, Value>| {
            (
                p.get("name").and_then(Value::as_str).map(str::to_owned),
                p.get("in").and_then(Value::as_str).map(str::to_owned),
            )
        };
        let mut parameters: Vec<&'a Map<String, Value>> = Vec::new();
        for list in [op.item.get("parameters"), op.op.get("parameters")] {
            for parameter in items(list) {
                let Some(parameter) = self.resolve(parameter).as_object() else {
                    continue;
                };
                let wanted = key(parameter);
                match parameters.iter_mut().find(|p| key(p) == wanted) {
                    Some(slot) => *slot = parameter,
                    None => parameters.push(parameter),
                }
            }
        }
        parameters
    }

    fn parameters_table(&self, parameters: &[&'a Map<String, Value>]) -> Markup {
        html! {
            table class="docs-table" {
                thead {
                    tr {
                        th scope="col" { "Name" }
                        th scope="col" { "In" }
                        th scope="col" { "Required" }
                        th scope="col" { "Type" }
                        th scope="col" { "Description" }
                    }
                }
                tbody {
                    @for p in parameters {
                        @let place = p.get("in").and_then(Value::as_str);
                        @let required = place == Some("path") || p.get("required") == Some(&Value::Bool(true));
                        @let schema = p.get("schema").or_else(|| first_schema(p.get("content"))).unwrap_or(&Value::Null);
                        tr {
                            th scope="row" class="docs-name" {
                                code { (p.get("name").and_then(Value::as_str).unwrap_or("?")) }
                            }
                            td data-label="In" { (place.unwrap_or("?")) }
                            td data-label="Required" { (yes_no(required)) }
                            td class="docs-type" data-label="Type" { (self.type_markup(schema)) }
                            td class="docs-desc" {
                                (self.notes(p.get("description").and_then(Value::as_str), schema,
                                    p.get("deprecated") == Some(&Value::Bool(true)),
                                    p.get("example").or_else(|| first_example(Some(*p)))))
                            }
                        }
                    }
                }
            }
        }
    }

    fn request_body(&self, op: &Operation<'a>, body: &'a Value) -> Markup {
        let required = body.get("required") == Some(&Value::Bool(true));
        let content: Vec<(&String, &Value)> = entries(body.get("content")).collect();
        html! {
            @if let Some(description) = body.get("description").and_then(Value::as_str) {
                div class="docs-prose" { (prose(description)) }
            }
            @if content.is_empty() {
                p class="docs-note" { (if required { "Required." } else { "Optional." }) }
            }
            @for (media_type, media) in content {
                p class="docs-media" {
                    "Content type: " code { (media_type) }
                    (if required { " (required)" } else { " (optional)" })
                }
                @if let Some(schema) = media.get("schema") {
                    @if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
                        p class="docs-media" { "Schema: " (self.reference(reference)) }
                    }
                    (self.schema_detail(schema))
                }
                @if let Some(example) = media.get("example").or_else(|| first_example(media.as_object())) {
                    (self.example_block(
                        format!("Example request: {} {}", op.method.to_ascii_uppercase(), op.path),
                        example,
                    ))
                }
            }
        }
    }

    fn responses_table(&self, responses: &[(&String, &'a Value)]) -> Markup {
        html! {
            table class="docs-table docs-responses" {
                thead {
                    tr {
                        th scope="col" { "Status" }
                        th scope="col" { "Description" }
                        th scope="col" { "Body" }
                    }
                }
                tbody {
                    @for (status, response) in responses {
                        @let response = self.resolve(response);
                        @let content: Vec<(&String, &Value)> = entries(response.get("content")).collect();
                        @let headers: Vec<(&String, &Value)> = entries(response.get("headers")).collect();
                        tr {
                            th scope="row" class="docs-status" { (status) }
                            td class="docs-desc" {
                                (prose_of(response))
                                @for (name, header) in headers {
                                    @let header = self.resolve(header);
                                    p class="docs-note" {
                                        "Header " code { (name) } " ("
                                        (self.type_markup(header.get("schema").unwrap_or(&Value::Null)))
                                        ")"
                                        @if let Some(d) = header.get("description").and_then(Value::as_str) {
                                            ": " (inline(d))
                                        }
                                    }
                                }
                            }
                            td class="docs-type" data-label="Body" {
                                @if content.is_empty() {
                                    span class="docs-muted" { "none" }
                                }
                                @for (i, (media_type, media)) in content.iter().enumerate() {
                                    @if i > 0 { br; }
                                    @if let Some(schema) = media.get("schema") {
                                        (self.body_type(schema))
                                        @if media_type.as_str() != "application/json" {
                                            " " span class="docs-muted" { "(" (media_type) ")" }
                                        }
                                    } @else {
                                        (media_type)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Every named schema, with its fields.
    fn schemas(&self) -> Markup {
        let schemas: Vec<(&String, &Value)> =
            entries(self.doc.pointer("/components/schemas")).collect();
        if schemas.is_empty() {
            return html! {};
        }
        html! {
            section class="docs-section" {
                h2 class="docs-h2" id="schemas" { "Schemas" }
                @for (name, schema) in schemas {
                    div class="docs-schema" {
                        h3 class="docs-schema-title" id=[self.schema_ids.get(name.as_str())] {
                            code { (name) }
                        }
                        (prose_of(schema))
                        @if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
                            p class="docs-media" { "Same as " (self.reference(reference)) "." }
                        } @else {
                            (self.schema_detail(schema))
                        }
                        @if let Some(example) = schema.get("example").or_else(|| first_example(schema.as_object())) {
                            @if example.is_object() || example.is_array() {
                                (self.example_block(format!("Example: {name}"), example))
                            } @else {
                                p class="docs-note" { "Example: " code { (example) } }
                            }
                        }
                    }
                }
            }
        }
    }

    /// What a schema holds: its fields as a table, the alternatives it may be, or
    /// else its type in a line.
    fn schema_detail(&self, schema: &'a Value) -> Markup {
        self.detail(schema, 0)
    }

    fn detail(&self, schema: &'a Value, depth: usize) -> Markup {
        let schema = self.resolve(schema);
        if depth < MAX_DEPTH
            && let Some(inner) = non_null_alternative(schema)
        {
            // `T | null` (an optional body, say) shows as `T`, noting the `null`.
            return html! {
                p class="docs-media" {
                    @match inner.get("$ref").and_then(Value::as_str) {
                        Some(reference) => { "Schema: " (self.reference(reference)) }
                        None => { "Schema:" }
                    }
                    " (or " code { "null" } ")"
                }
                (self.detail(inner, depth + 1))
            };
        }
        let rows = self.rows(schema);
        if !rows.is_empty() {
            return self.rows_table(&rows);
        }
        if let Some(values) = described_values(schema) {
            return html! {
                table class="docs-table" {
                    thead {
                        tr {
                            th scope="col" { "Value" }
                            th scope="col" { "Description" }
                        }
                    }
                    tbody {
                        @for (value, alternative) in values {
                            tr {
                                th scope="row" class="docs-name" { code { (value) } }
                                td class="docs-desc" { (prose_of(alternative)) }
                            }
                        }
                    }
                }
            };
        }
        let alternatives = ["oneOf", "anyOf"].into_iter().find_map(|key| {
            schema
                .get(key)
                .and_then(Value::as_array)
                .filter(|alts| alts.iter().any(|a| !self.rows(self.resolve(a)).is_empty()))
                .map(|alts| (key, alts))
        });
        let Some((key, alternatives)) = alternatives else {
            return html! {
                p class="docs-media" { "Type: " (self.type_markup(schema)) }
            };
        };
        html! {
            p class="docs-media" { (if key == "oneOf" { "One of:" } else { "Any of:" }) }
            @for (i, alternative) in alternatives.iter().enumerate() {
                div class="docs-variant" {
                    @if let Some(reference) = alternative.get("$ref").and_then(Value::as_str) {
                        p class="docs-variant-title" { (self.reference(reference)) }
                    } @else {
                        p class="docs-variant-title" { (variant_label(alternative, i)) }
                        (prose_of(alternative))
                        @let rows = self.rows(alternative);
                        @if rows.is_empty() {
                            p class="docs-media" { "Type: " (self.type_markup(alternative)) }
                        } @else {
                            (self.rows_table(&rows))
                        }
                    }
                }
            }
        }
    }

    /// A schema's fields, those of its `allOf` parts too, and those of inline
    /// objects under them as `parent.child` (`parent[].child` in arrays).
    fn rows(&self, schema: &'a Value) -> Vec<Row<'a>> {
        let mut rows = Vec::new();
        self.collect_rows(schema, "", 0, &mut rows);
        rows
    }

    fn collect_rows(&self, schema: &'a Value, prefix: &str, depth: usize, rows: &mut Vec<Row<'a>>) {
        if depth > MAX_DEPTH {
            return;
        }
        let schema = self.resolve(schema);
        for part in items(schema.get("allOf")) {
            self.collect_rows(part, prefix, depth + 1, rows);
        }
        let required: Vec<&str> = items(schema.get("required"))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for (name, property) in entries(schema.get("properties")) {
            let full = format!("{prefix}{name}");
            if rows.iter().any(|r| r.name == full) {
                continue;
            }
            rows.push(Row {
                name: full.clone(),
                schema: property,
                required: required.contains(&name.as_str()),
            });
            if is_inline_object(property) {
                self.collect_rows(property, &format!("{full}."), depth + 1, rows);
            } else if let Some(item) = property.get("items").filter(|i| is_inline_object(i)) {
                self.collect_rows(item, &format!("{full}[]."), depth + 1, rows);
            }
        }
    }

    fn rows_table(&self, rows: &[Row<'a>]) -> Markup {
        html! {
            table class="docs-table" {
                thead {
                    tr {
                        th scope="col" { "Name" }
                        th scope="col" { "Type" }
                        th scope="col" { "Required" }
                        th scope="col" { "Description" }
                    }
                }
                tbody {
                    @for row in rows {
                        tr {
                            th scope="row" class="docs-name" { code { (breakable(&row.name)) } }
                            td class="docs-type" data-label="Type" { (self.type_markup(row.schema)) }
                            td data-label="Required" { (yes_no(row.required)) }
                            td class="docs-desc" {
                                (self.notes(
                                    row.schema.get("description").and_then(Value::as_str),
                                    row.schema,
                                    row.schema.get("deprecated") == Some(&Value::Bool(true)),
                                    None,
                                ))
                            }
                        }
                    }
                }
            }
        }
    }

    /// A field's description, then its constraints, default and example.
    fn notes(
        &self,
        description: Option<&str>,
        schema: &Value,
        deprecated: bool,
        example: Option<&Value>,
    ) -> Markup {
        let constraints = constraints(schema);
        let example = example
            .or_else(|| schema.get("example"))
            .or_else(|| first_example(schema.as_object()));
        html! {
            @if let Some(description) = description {
                (prose(description))
            }
            @if deprecated {
                p class="docs-deprecated" { "Deprecated." }
            }
            @if !constraints.is_empty() {
                p class="docs-note" {
                    @for (i, constraint) in constraints.into_iter().enumerate() {
                        @if i > 0 { ", " }
                        (constraint)
                    }
                    "."
                }
            }
            @if let Some(default) = schema.get("default") {
                p class="docs-note" { "Default: " code { (default) } }
            }
            @if let Some(example) = example {
                p class="docs-note" { "Example: " code { (example) } }
            }
        }
    }

    /// A block of example JSON that scrolls sideways in its own box, which keyboard
    /// users reach by Tab and screen readers by its (unique) name.
    fn example_block(&self, label: String, value: &Value) -> Markup {
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

    /// A `$ref` as a link to the named schema's section, or its name alone when the
    /// document has no such section.
    fn reference(&self, reference: &str) -> Markup {
        render_type(&self.named(reference))
    }

    /// A response body's type; an object written in place names its fields.
    fn body_type(&self, schema: &Value) -> Markup {
        let fields: Vec<&String> = match schema.get("$ref") {
            None => entries(schema.get("properties"))
                .map(|(name, _)| name)
                .collect(),
            Some(_) => Vec::new(),
        };
        if fields.is_empty() {
            return self.type_markup(schema);
        }
        html! {
            "object with "
            @for (i, field) in fields.iter().enumerate() {
                @if i > 0 { ", " }
                code { (field) }
            }
        }
    }

    fn type_markup(&self, schema: &Value) -> Markup {
        render_type(&self.type_of(schema, 0))
    }

    fn named(&self, reference: &str) -> Ty {
        let name = match reference.strip_prefix(SCHEMA_REF) {
            Some(name) => unescape_pointer(name),
            None => reference.rsplit('/').next().unwrap_or(reference).to_owned(),
        };
        let id = reference
            .starts_with(SCHEMA_REF)
            .then(|| self.schema_ids.get(name.as_str()).cloned())
            .flatten();
        Ty::Named(name, id)
    }

    /// A schema's type: `string`, `array of Order`, `string | null`, `one of: a, b`.
    fn type_of(&self, schema: &Value, depth: usize) -> Ty {
        let object = match schema {
            Value::Object(object) => object,
            Value::Bool(true) => return Ty::plain("any"),
            _ => return Ty::plain("object"),
        };
        if depth > MAX_DEPTH {
            return Ty::plain("object");
        }
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            return self.named(reference);
        }
        for (key, separator) in [("oneOf", " | "), ("anyOf", " | "), ("allOf", " & ")] {
            let Some(alternatives) = object
                .get(key)
                .and_then(Value::as_array)
                .filter(|a| !a.is_empty())
            else {
                continue;
            };
            let mut parts: Vec<Ty> = alternatives
                .iter()
                .map(|a| self.type_of(a, depth + 1))
                .collect();
            if key == "allOf" && parts.len() > 1 {
                // A part that only annotates (`{"description": …}`) adds nothing.
                parts.retain(|p| !p.is("any"));
            }
            return Ty::union(parts, separator);
        }
        let mut types: Vec<&str> = match object.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if object.get("nullable") == Some(&Value::Bool(true)) && !types.contains(&"null") {
            types.push("null");
        }
        let nullable = types.contains(&"null");
        if let Some(values) = object.get("enum").and_then(Value::as_array) {
            let literal = Ty::Literal(values.iter().map(literal).collect());
            return if nullable && !values.contains(&Value::Null) {
                Ty::union(vec![literal, Ty::plain("null")], " | ")
            } else {
                literal
            };
        }
        if let Some(value) = object.get("const") {
            return Ty::Literal(vec![literal(value)]);
        }
        if types.is_empty() {
            let kind = if object.contains_key("properties") {
                "object"
            } else if object.contains_key("items") {
                "array"
            } else if object.keys().all(|k| ANNOTATIONS.contains(&k.as_str())) {
                "any"
            } else {
                "object"
            };
            types.push(kind);
        }
        let format = object.get("format").and_then(Value::as_str);
        let parts = types
            .into_iter()
            .map(|t| match t {
                "array" => Ty::Array(Box::new(match object.get("items") {
                    Some(items) => self.type_of(items, depth + 1),
                    None => Ty::plain("any"),
                })),
                "object" => match object.get("additionalProperties") {
                    Some(values @ Value::Object(_)) if !object.contains_key("properties") => {
                        Ty::Map(Box::new(self.type_of(values, depth + 1)))
                    }
                    _ => Ty::plain("object"),
                },
                "null" => Ty::plain("null"),
                other => Ty::Plain(other.to_owned(), format.map(str::to_owned)),
            })
            .collect();
        Ty::union(parts, " | ")
    }

    /// Follows a local `$ref` (`#/components/…`) to what it names.
    fn resolve(&self, value: &'a Value) -> &'a Value {
        resolve(self.doc, value)
    }
}

impl<'a> Group<'a> {
    fn new(name: &'a str, description: Option<&'a str>, ids: &mut Ids) -> Group<'a> {
        Group {
            name,
            description,
            id: ids.claim(&format!("tag-{}", slug_or(name, "untitled"))),
            own: Vec::new(),
            also: Vec::new(),
        }
    }
}

/// The group for `tag`, added after the others if the document did not declare it.
fn group_named<'g, 'a>(
    groups: &'g mut Vec<Group<'a>>,
    tag: &'a str,
    ids: &mut Ids,
) -> &'g mut Group<'a> {
    let index = match groups.iter().position(|g| g.name == tag) {
        Some(index) => index,
        None => {
            groups.push(Group::new(tag, None, ids));
            groups.len() - 1
        }
    };
    &mut groups[index]
}

/// One field of a schema's table.
struct Row<'a> {
    name: String,
    schema: &'a Value,
    required: bool,
}

/// The keys that describe a schema without constraining it: a schema of only these
/// takes any value.
const ANNOTATIONS: [&str; 9] = [
    "description",
    "title",
    "example",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "nullable",
];

/// A type as the page writes it.
enum Ty {
    /// `string`, or `string (date-time)` with its format.
    Plain(String, Option<String>),
    /// A named schema and the id of its section, if the page has one.
    Named(String, Option<String>),
    Array(Box<Ty>),
    Map(Box<Ty>),
    /// Alternatives, joined by the separator (` | `, or ` & ` for `allOf`).
    Union(Vec<Ty>, &'static str),
    /// The values an `enum` (or `const`) allows, as written in JSON.
    Literal(Vec<String>),
}

impl Ty {
    fn plain(name: &str) -> Ty {
        Ty::Plain(name.to_owned(), None)
    }

    fn is(&self, name: &str) -> bool {
        matches!(self, Ty::Plain(n, None) if n == name)
    }

    /// `parts` joined by `separator`: nested unions of the same kind flattened,
    /// alternative values as one list, `null` once and last, and a single part as
    /// itself.
    fn union(parts: Vec<Ty>, separator: &'static str) -> Ty {
        let mut flat: Vec<Ty> = Vec::new();
        let mut null = false;
        for part in parts {
            match part {
                Ty::Union(inner, s) if s == separator => flat.extend(inner),
                other => flat.push(other),
            }
        }
        if separator == " | " {
            let mut merged: Vec<Ty> = Vec::new();
            for part in flat {
                match (merged.last_mut(), part) {
                    (Some(Ty::Literal(values)), Ty::Literal(more)) => values.extend(more),
                    (_, part) => merged.push(part),
                }
            }
            flat = merged;
            null = flat.iter().any(|p| p.is("null"));
            flat.retain(|p| !p.is("null"));
        }
        if null {
            flat.push(Ty::plain("null"));
        }
        match flat.len() {
            0 => Ty::plain("object"),
            1 => flat.pop().unwrap_or_else(|| Ty::plain("object")),
            _ => Ty::Union(flat, separator),
        }
    }

    /// Whether the type needs brackets inside another (`array of (A | B)`).
    fn compound(&self) -> bool {
        match self {
            Ty::Union(..) => true,
            Ty::Literal(values) => values.len() > 1,
            _ => false,
        }
    }
}

fn render_type(ty: &Ty) -> Markup {
    match ty {
        Ty::Plain(name, None) => html! { (name) },
        Ty::Plain(name, Some(format)) => html! {
            (name) " " span class="docs-muted" { "(" (format) ")" }
        },
        Ty::Named(name, Some(id)) => html! { a href={ "#" (id) } { (name) } },
        Ty::Named(name, None) => html! { (name) },
        Ty::Array(inner) => html! { "array of " (nested_type(inner)) },
        Ty::Map(inner) => html! { "map of " (nested_type(inner)) },
        Ty::Union(parts, separator) => html! {
            @for (i, part) in parts.iter().enumerate() {
                @if i > 0 { (separator) }
                (nested_type(part))
            }
        },
        Ty::Literal(values) => match values.as_slice() {
            [] => html! { "no value" },
            [only] => html! { code { (only) } " (constant)" },
            values => html! {
                "one of: "
                @for (i, value) in values.iter().enumerate() {
                    @if i > 0 { ", " }
                    code { (value) }
                }
            },
        },
    }
}

fn nested_type(ty: &Ty) -> Markup {
    if ty.compound() {
        html! { "(" (render_type(ty)) ")" }
    } else {
        render_type(ty)
    }
}

/// An enum value as the page lists it: a string as itself, anything else as JSON.
fn literal(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What limits a value: lengths, bounds, a pattern.
fn constraints(schema: &Value) -> Vec<Markup> {
    let number = |key: &str| schema.get(key).filter(|v| v.is_number());
    let mut out = Vec::new();
    for (low, high, unit) in [
        ("minLength", "maxLength", Some(("character", "characters"))),
        ("minimum", "maximum", None),
        ("minItems", "maxItems", Some(("item", "items"))),
    ] {
        let noun = |n: &Value| match unit {
            Some((one, _)) if n.as_u64() == Some(1) => format!(" {one}"),
            Some((_, many)) => format!(" {many}"),
            None => String::new(),
        };
        let text = match (number(low), number(high)) {
            (Some(a), Some(b)) if a == b => format!("exactly {a}{}", noun(b)),
            (Some(a), Some(b)) => format!("{a} to {b}{}", noun(b)),
            (Some(a), None) if unit.is_some() => format!("at least {a}{}", noun(a)),
            (Some(a), None) => format!("minimum {a}"),
            (None, Some(b)) if unit.is_some() => format!("at most {b}{}", noun(b)),
            (None, Some(b)) => format!("maximum {b}"),
            (None, None) => continue,
        };
        out.push(html! { (text) });
    }
    if let Some(value) = number("exclusiveMinimum") {
        out.push(html! { "more than " (value) });
    }
    if let Some(value) = number("exclusiveMaximum") {
        out.push(html! { "less than " (value) });
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        out.push(html! { "pattern " code { (pattern) } });
    }
    if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
        out.push(html! { "unique items" });
    }
    out
}

/// `text` with a place to break a line before each `/` and `.` after the first
/// character, so paths and dotted names wrap between their parts.
fn breakable(text: &str) -> Markup {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices(['/', '.']) {
        if i > start {
            parts.push(text.get(start..i).unwrap_or_default());
            start = i;
        }
    }
    parts.push(text.get(start..).unwrap_or_default());
    html! {
        @for (i, part) in parts.into_iter().enumerate() {
            @if i > 0 {
                (PreEscaped("<wbr>"))
            }
            (part)
        }
    }
}

/// A name for one alternative of a `oneOf`: its title, else the property whose
/// single value tells it apart (`type: card`), else its number.
fn variant_label(alternative: &Value, index: usize) -> Markup {
    if let Some(title) = alternative.get("title").and_then(Value::as_str) {
        return html! { (title) };
    }
    let tag = entries(alternative.get("properties")).find_map(|(name, property)| {
        let value = property.get("const").or_else(|| {
            property
                .get("enum")
                .and_then(Value::as_array)
                .filter(|values| values.len() == 1)
                .and_then(|values| values.first())
        })?;
        Some((name, literal(value)))
    });
    match tag {
        Some((name, value)) => html! { code { (name) } ": " code { (value) } },
        None => html! { "Option " (index + 1) },
    }
}

/// The values of an enumeration written as one alternative per value (how a
/// documented enum's variants come out), each with its alternative: `None` unless
/// every alternative is a single value and one of them says something.
fn described_values(schema: &Value) -> Option<Vec<(String, &Value)>> {
    let alternatives = ["oneOf", "anyOf"]
        .into_iter()
        .find_map(|key| schema.get(key).and_then(Value::as_array))?;
    let mut values = Vec::new();
    for alternative in alternatives {
        let value = alternative.get("const").or_else(|| {
            alternative
                .get("enum")
                .and_then(Value::as_array)
                .filter(|values| values.len() == 1)
                .and_then(|values| values.first())
        })?;
        values.push((literal(value), alternative));
    }
    values
        .iter()
        .any(|(_, alternative)| alternative.get("description").is_some())
        .then_some(values)
}

/// The one alternative of a `oneOf` or `anyOf` that is not `null`, when all the
/// others are.
fn non_null_alternative(schema: &Value) -> Option<&Value> {
    let alternatives = ["oneOf", "anyOf"]
        .into_iter()
        .find_map(|key| schema.get(key).and_then(Value::as_array))?;
    let mut rest = alternatives.iter().filter(|a| !is_null(a));
    let only = rest.next()?;
    (rest.next().is_none() && alternatives.len() > 1).then_some(only)
}

/// Whether a schema allows `null` and nothing else.
fn is_null(schema: &Value) -> bool {
    let null_type = match schema.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().all(|t| t == "null") && !types.is_empty(),
        _ => false,
    };
    null_type
        || schema.get("const") == Some(&Value::Null)
        || schema.get("enum") == Some(&Value::Array(vec![Value::Null]))
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

fn method_badge(method: &str) -> Markup {
    html! {
        span class={ "docs-method docs-method-" (method) } { (method.to_ascii_uppercase()) }
    }
}

fn yes_no(yes: bool) -> &'static str {
    if yes { "yes" } else { "no" }
}

/// The `description` of an object, as paragraphs.
fn prose_of(value: &Value) -> Markup {
    match value.get("description").and_then(Value::as_str) {
        Some(description) => prose(description),
        None => html! {},
    }
}

/// Plain text as paragraphs, one per run of lines between blank lines.
fn prose(text: &str) -> Markup {
    let mut paragraphs: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line.trim());
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    html! {
        @for paragraph in paragraphs {
            p { (inline(&paragraph.join("\n"))) }
        }
    }
}

/// Text with what is between backticks as code; nothing else is markup. An
/// unpaired backtick stays as it is.
fn inline(text: &str) -> Markup {
    let pieces: Vec<&str> = text.split('`').collect();
    let paired = if pieces.len() % 2 == 1 {
        pieces.len()
    } else {
        pieces.len() - 1
    };
    html! {
        @for (i, piece) in pieces.iter().enumerate() {
            @if i >= paired {
                "`" (piece)
            } @else if i % 2 == 0 {
                (piece)
            } @else if piece.is_empty() {
                "``"
            } @else {
                code { (piece) }
            }
        }
    }
}

/// `value`'s entries if it is an object, else none.
fn entries(value: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    value.and_then(Value::as_object).into_iter().flatten()
}

/// `value`'s items if it is an array, else none.
fn items(value: Option<&Value>) -> &[Value] {
    value
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The schema of the first media type of a `content` map.
fn first_schema(content: Option<&Value>) -> Option<&Value> {
    entries(content).find_map(|(_, media)| media.get("schema"))
}

/// The first of `examples`: an array of values (a schema) or a map of example
/// objects (a media type or parameter).
fn first_example(object: Option<&Map<String, Value>>) -> Option<&Value> {
    match object?.get("examples")? {
        Value::Array(values) => values.first(),
        Value::Object(named) => named.values().find_map(|e| e.get("value")),
        _ => None,
    }
}

/// Whether a property is an object written in place (not a `$ref`), whose fields
/// the table lists under it.
fn is_inline_object(schema: &Value) -> bool {
    schema.get("$ref").is_none() && schema.get("properties").is_some_and(Value::is_object)
}

/// Follows local `$ref`s (`#/components/…`) to what they name, as far as they lead.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..MAX_DEPTH {
        let target = value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .filter(|pointer| pointer.starts_with('/'))
            .and_then(|pointer| doc.pointer(pointer));
        match target {
            Some(target) => value = target,
            None => break,
        }
    }
    value
}

/// A JSON Pointer segment as the name it escapes (`~1` is `/`, `~0` is `~`).
fn unescape_pointer(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// `text` as an id: lower-case ASCII letters and digits, words joined by `-`
/// (`createOrder` and `create_order` both give `create-order`).
fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous_lower && !out.ends_with('-') {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            previous_lower = false;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// [`slug`], or `fallback` when nothing of `text` is left.
fn slug_or(text: &str, fallback: &str) -> String {
    let slug = slug(text);
    if slug.is_empty() {
        fallback.to_owned()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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
}
