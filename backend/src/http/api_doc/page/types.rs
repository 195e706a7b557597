//! A schema's type in words (`array of Order`, `string | null`), linked to the named
//! schemas it refers to, and what constrains a value.

use maud::{Markup, html};
use serde_json::Value;

use super::text::unescape_pointer;
use super::{MAX_DEPTH, Page, SCHEMA_REF};

impl<'a> Page<'a> {
    /// A `$ref` as a link to the named schema's section, or its name alone when the
    /// document has no such section.
    pub(super) fn reference(&self, reference: &str) -> Markup {
        render_type(&self.named(reference))
    }

    pub(super) fn type_markup(&self, schema: &Value) -> Markup {
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
pub(super) fn literal(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What limits a value: lengths, bounds, a pattern.
pub(super) fn constraints(schema: &Value) -> Vec<Markup> {
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
