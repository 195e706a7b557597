//! Text and JSON at their smallest: prose with inline code, names that break between
//! their parts, ids, and reading the document's JSON without trusting its shape.

use std::collections::HashSet;

use maud::{Markup, PreEscaped, html};
use serde_json::{Map, Value};

use super::MAX_DEPTH;

/// The ids given out so far; a wanted id already taken gets a number.
#[derive(Default)]
pub(super) struct Ids(HashSet<String>);

impl Ids {
    pub(super) fn claim(&mut self, wanted: &str) -> String {
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

/// `text` with a place to break a line before each `/` and `.` after the first
/// character, so paths and dotted names wrap between their parts.
pub(super) fn breakable(text: &str) -> Markup {
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

/// A table's header row, one column heading each.
pub(super) fn table_head(columns: &[&str]) -> Markup {
    html! {
        thead {
            tr {
                @for column in columns {
                    th scope="col" { (column) }
                }
            }
        }
    }
}

pub(super) fn yes_no(yes: bool) -> &'static str {
    if yes { "yes" } else { "no" }
}

/// The `description` of an object, as paragraphs.
pub(super) fn prose_of(value: &Value) -> Markup {
    match value.get("description").and_then(Value::as_str) {
        Some(description) => prose(description),
        None => html! {},
    }
}

/// Plain text as paragraphs, one per run of lines between blank lines.
pub(super) fn prose(text: &str) -> Markup {
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
pub(super) fn inline(text: &str) -> Markup {
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
pub(super) fn entries(value: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    value.and_then(Value::as_object).into_iter().flatten()
}

/// `value`'s items if it is an array, else none.
pub(super) fn items(value: Option<&Value>) -> &[Value] {
    value
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The schema of the first media type of a `content` map.
pub(super) fn first_schema(content: Option<&Value>) -> Option<&Value> {
    entries(content).find_map(|(_, media)| media.get("schema"))
}

/// The first of `examples`: an array of values (a schema) or a map of example
/// objects (a media type or parameter).
pub(super) fn first_example(object: Option<&Map<String, Value>>) -> Option<&Value> {
    match object?.get("examples")? {
        Value::Array(values) => values.first(),
        Value::Object(named) => named.values().find_map(|e| e.get("value")),
        _ => None,
    }
}

/// Follows local `$ref`s (`#/components/…`) to what they name, as far as they lead.
pub(super) fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
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
pub(super) fn unescape_pointer(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// `text` as an id: lower-case ASCII letters and digits, words joined by `-`
/// (`createOrder` and `create_order` both give `create-order`).
pub(super) fn slug(text: &str) -> String {
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
pub(super) fn slug_or(text: &str, fallback: &str) -> String {
    let slug = slug(text);
    if slug.is_empty() {
        fallback.to_owned()
    } else {
        slug
    }
}
