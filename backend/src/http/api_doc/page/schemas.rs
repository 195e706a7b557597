//! The schemas section, and what a schema holds: its fields as a table, the values
//! of a documented enumeration, or the alternatives it may be.

use maud::{Markup, html};
use serde_json::Value;

use super::text::{breakable, entries, first_example, items, prose, prose_of, table_head, yes_no};
use super::types::{constraints, literal};
use super::{MAX_DEPTH, Page};

impl<'a> Page<'a> {
    /// Every named schema, with its fields.
    pub(super) fn schemas(&self) -> Markup {
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
    pub(super) fn schema_detail(&self, schema: &'a Value) -> Markup {
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
                    (table_head(&["Value", "Description"]))
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
                (table_head(&["Name", "Type", "Required", "Description"]))
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
    pub(super) fn notes(
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
}

/// One field of a schema's table.
struct Row<'a> {
    name: String,
    schema: &'a Value,
    required: bool,
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

/// Whether a property is an object written in place (not a `$ref`), whose fields
/// the table lists under it.
fn is_inline_object(schema: &Value) -> bool {
    schema.get("$ref").is_none() && schema.get("properties").is_some_and(Value::is_object)
}
