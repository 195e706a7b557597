//! The tags' sections and each operation's: its parameters, request body and
//! responses.

use maud::{Markup, html};
use serde_json::{Map, Value};

use super::Page;
use super::text::{
    Ids, breakable, entries, first_example, first_schema, inline, items, prose, prose_of, slug_or,
    table_head, yes_no,
};

/// One tag's section.
pub(super) struct Group<'a> {
    pub(super) name: &'a str,
    description: Option<&'a str>,
    pub(super) id: String,
    /// The operations whose first tag this is, in document order.
    pub(super) own: Vec<usize>,
    /// Operations shown under their first tag that carry this one too.
    pub(super) also: Vec<usize>,
}

/// One operation: a method of a path (or of a webhook).
pub(super) struct Operation<'a> {
    pub(super) method: &'static str,
    /// The path, or the webhook's name.
    pub(super) path: &'a str,
    pub(super) webhook: bool,
    /// The path item, for the parameters all its operations share.
    pub(super) item: &'a Map<String, Value>,
    pub(super) op: &'a Map<String, Value>,
    pub(super) id: String,
}

impl Operation<'_> {
    pub(super) fn label(&self) -> Markup {
        html! {
            (method_badge(self.method)) " "
            code class="docs-path" { (breakable(self.path)) }
        }
    }
}

impl<'a> Group<'a> {
    pub(super) fn new(name: &'a str, description: Option<&'a str>, ids: &mut Ids) -> Group<'a> {
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
pub(super) fn group_named<'g, 'a>(
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

impl<'a> Page<'a> {
    pub(super) fn group(&self, group: &Group<'a>) -> Markup {
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
                (table_head(&["Name", "In", "Required", "Type", "Description"]))
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
                (table_head(&["Status", "Description", "Body"]))
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
}

fn method_badge(method: &str) -> Markup {
    html! {
        span class={ "docs-method docs-method-" (method) } { (method.to_ascii_uppercase()) }
    }
}
