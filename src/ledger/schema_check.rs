//! Checks a positioned YAML tree against the JSON Schema generated from the Rust types, and
//! collects every problem in the document rather than the first one serde would stop at:
//! unknown keys (with "did you mean"), missing required keys, wrong types, values outside a
//! closed vocabulary, impossible dates.

use serde_json::Value;
use serde_saphyr::Spanned;

use super::date::Date;
use super::yaml::{Node, closest};

/// One problem, positioned in the YAML text (1-based line and column).
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaProblem {
    pub line: usize,
    pub column: usize,
    pub code: &'static str,
    pub message: String,
    pub help: String,
}

/// Checks `node` against `schema`, whose `$ref`s resolve in `root`.
pub fn check_tree(node: &Spanned<Node>, root: &Value, noun: &str) -> Vec<SchemaProblem> {
    check_tree_readable(node, root, noun).0
}

/// [`check_tree`], with what can still be read of the document (see [`Readable`]). `None` when
/// nothing can be read (the document is not a mapping, or repeats a key).
pub fn check_tree_readable(
    node: &Spanned<Node>,
    root: &Value,
    noun: &str,
) -> (Vec<SchemaProblem>, Option<Readable>) {
    let mut checker = Checker {
        root,
        noun,
        problems: Vec::new(),
    };
    let readable = checker.check(node, root, "").and_then(Readable::new);
    (checker.problems, readable)
}

/// What can be read of a document that has problems: the document as JSON without the values
/// that have one (an entry of a list or mapping that lacks a required field is left out whole),
/// so that the checks on values (ranges, references, vocabularies) run on a file with structural
/// errors too, and report every problem in one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Readable {
    /// The top-level mapping.
    pub fields: serde_json::Map<String, Value>,
    /// For each top-level list, the index in the file of each entry that could be read.
    kept: std::collections::HashMap<String, Vec<usize>>,
}

impl Readable {
    fn new(document: Value) -> Option<Readable> {
        let Value::Object(mut fields) = document else {
            return None;
        };
        let mut kept = std::collections::HashMap::new();
        for (name, value) in fields.iter_mut() {
            if let Value::Array(items) = value {
                kept.insert(
                    name.clone(),
                    (0..items.len()).filter(|&i| !items[i].is_null()).collect(),
                );
            }
            drop_unreadable(value);
        }
        Some(Readable { fields, kept })
    }

    /// A path of the readable document (`kpis[1].actual`) as the file numbers its entries
    /// (`kpis[2].actual` when the file's second entry could not be read).
    pub fn path_in_file(&self, path: &str) -> String {
        let Some((list, rest)) = path.split_once('[') else {
            return path.to_string();
        };
        let Some((index, tail)) = rest.split_once(']') else {
            return path.to_string();
        };
        match index
            .parse::<usize>()
            .ok()
            .and_then(|i| self.kept.get(list)?.get(i))
        {
            Some(original) => format!("{list}[{original}]{tail}"),
            None => path.to_string(),
        }
    }
}

/// Removes the entries of lists that could not be read (null), at any depth.
fn drop_unreadable(value: &mut Value) {
    match value {
        Value::Array(items) => {
            items.retain(|item| !item.is_null());
            items.iter_mut().for_each(drop_unreadable);
        }
        Value::Object(fields) => fields.values_mut().for_each(drop_unreadable),
        _ => {}
    }
}

struct Checker<'a> {
    root: &'a Value,
    /// What a key is called in messages: "field" for partnership files, "key" for config.
    noun: &'a str,
    problems: Vec<SchemaProblem>,
}

fn position<T>(node: &Spanned<T>) -> (usize, usize) {
    (
        node.referenced.line() as usize,
        node.referenced.column() as usize,
    )
}

impl<'a> Checker<'a> {
    fn push(&mut self, at: (usize, usize), code: &'static str, message: String, help: String) {
        self.problems.push(SchemaProblem {
            line: at.0.max(1),
            column: at.1.max(1),
            code,
            message,
            help,
        });
    }

    fn resolve(&self, schema: &'a Value) -> &'a Value {
        let mut schema = schema;
        for _ in 0..16 {
            match schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
            {
                Some(name) => match self.root.get("$defs").and_then(|d| d.get(name)) {
                    Some(next) => schema = next,
                    None => break,
                },
                None => break,
            }
        }
        schema
    }

    /// Checks one node, returning it as JSON when it can be read (`None` when it has a problem
    /// or is an empty value best left to its default).
    fn check(&mut self, node: &Spanned<Node>, schema: &'a Value, path: &str) -> Option<Value> {
        let schema = self.resolve(schema);
        if let Some(alternatives) = schema.get("anyOf").and_then(Value::as_array) {
            // `Option<T>` is written `anyOf: [T, null]`: null is fine, anything else is checked as T.
            let non_null: Vec<&Value> = alternatives
                .iter()
                .filter(|alt| alt.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            if matches!(node.value, Node::Null) && non_null.len() < alternatives.len() {
                return None;
            }
            if let [only] = non_null.as_slice() {
                return self.check(node, only, path);
            }
            return None;
        }
        let types = types(schema);
        if matches!(node.value, Node::Null) {
            if types.contains(&"null") {
                return None;
            }
            // An empty value for a field with a default (such as `contacts:`) is written by
            // people as "none"; serde accepts it for lists and the typed pass reports the rest.
            if types.contains(&"array") {
                return None;
            }
        }
        let shown = if path.is_empty() {
            "the document".to_string()
        } else {
            format!("`{path}`")
        };
        match &node.value {
            Node::Map(entries) => {
                let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                    if !types.is_empty() && !types.contains(&"object") {
                        self.push(
                            position(node),
                            "invalid-type",
                            format!("{shown} should be {}, not a mapping", describe(&types)),
                            "write a single value here".into(),
                        );
                    }
                    return None;
                };
                let known: Vec<&str> = properties.keys().map(String::as_str).collect();
                let mut readable = serde_json::Map::new();
                let mut repeated = false;
                for (key, value) in entries {
                    let child = if path.is_empty() {
                        key.value.clone()
                    } else {
                        format!("{path}.{}", key.value)
                    };
                    match properties.get(&key.value) {
                        Some(sub) => {
                            if let Some(read) = self.check(value, sub, &child) {
                                repeated |= readable.insert(key.value.clone(), read).is_some();
                            }
                        }
                        None => {
                            let help = match closest(&key.value, known.iter().copied()) {
                                Some(name) => format!("did you mean `{name}`?"),
                                None => format!("known {}s here: {}", self.noun, known.join(", ")),
                            };
                            let place = if path.is_empty() {
                                String::new()
                            } else {
                                format!(" in `{path}`")
                            };
                            self.push(
                                position(key),
                                "unknown-field",
                                format!("unknown {} `{}`{place}", self.noun, key.value),
                                help,
                            );
                        }
                    }
                }
                let required = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str);
                let mut complete = true;
                for name in required {
                    complete &= readable.contains_key(name);
                    if !entries.iter().any(|(key, _)| key.value == name) {
                        let place = if path.is_empty() {
                            String::new()
                        } else {
                            format!(" in `{path}`")
                        };
                        self.push(
                            position(node),
                            "missing-field",
                            format!("missing required {} `{name}`{place}", self.noun),
                            format!("add `{name}:`{}", required_hint(path)),
                        );
                    }
                }
                // The document itself is read even when incomplete: the caller fills in what
                // is required, so the values that are there still get checked.
                ((complete || path.is_empty()) && !repeated).then_some(Value::Object(readable))
            }
            Node::Seq(items) => match schema.get("items") {
                Some(item_schema) => {
                    let mut readable = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        // An entry that cannot be read is null, keeping the others' indices:
                        // the caller drops it and maps paths back.
                        let read = self.check(item, item_schema, &format!("{path}[{i}]"));
                        readable.push(read.unwrap_or(Value::Null));
                    }
                    Some(Value::Array(readable))
                }
                None if !types.is_empty() && !types.contains(&"array") => {
                    self.push(
                        position(node),
                        "invalid-type",
                        format!("{shown} should be {}, not a list", describe(&types)),
                        "write a single value here".into(),
                    );
                    None
                }
                None => None,
            },
            Node::String(text) => {
                if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
                    let allowed: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                    if !allowed.contains(&text.as_str()) {
                        let help = match closest(text, allowed.iter().copied()) {
                            Some(name) => {
                                format!("did you mean `{name}`? allowed: {}", allowed.join(", "))
                            }
                            None => format!("allowed: {}", allowed.join(", ")),
                        };
                        self.push(
                            position(node),
                            "invalid-value",
                            format!("`{text}` is not an allowed value for {shown}"),
                            help,
                        );
                        return None;
                    }
                    return Some(Value::String(text.clone()));
                }
                if schema.get("format").and_then(Value::as_str) == Some("date") {
                    if let Err(message) = Date::parse(text) {
                        self.push(
                            position(node),
                            "invalid-date",
                            format!("{shown}: {message}"),
                            "write a real calendar date as YYYY-MM-DD".into(),
                        );
                        return None;
                    }
                    return Some(Value::String(text.clone()));
                }
                if !types.is_empty() && !types.contains(&"string") {
                    self.push(
                        position(node),
                        "invalid-type",
                        format!(
                            "{shown} should be {}, not text (`{text}`)",
                            describe(&types)
                        ),
                        type_help(&types),
                    );
                    return None;
                }
                Some(Value::String(text.clone()))
            }
            Node::Number(n) => {
                let integer = n.fract() == 0.0;
                let fits = types.is_empty()
                    || types.contains(&"number")
                    || (types.contains(&"integer") && integer);
                if !fits {
                    let help = if types.contains(&"string") {
                        "quote it to make it text".to_string()
                    } else {
                        type_help(&types)
                    };
                    self.push(
                        position(node),
                        "invalid-type",
                        format!("{shown} should be {}, not the number {n}", describe(&types)),
                        help,
                    );
                    return None;
                }
                // Integers stay integers, so integer fields accept them; not-a-number and the
                // infinities have no JSON form and are left unread.
                if integer && n.abs() < 9.0e15 {
                    Some(Value::from(*n as i64))
                } else {
                    serde_json::Number::from_f64(*n).map(Value::Number)
                }
            }
            Node::Bool(b) => {
                if !types.is_empty() && !types.contains(&"boolean") {
                    self.push(
                        position(node),
                        "invalid-type",
                        format!("{shown} should be {}, not `{b}`", describe(&types)),
                        type_help(&types),
                    );
                    return None;
                }
                Some(Value::Bool(*b))
            }
            Node::Null => {
                if !types.is_empty() {
                    self.push(
                        position(node),
                        "invalid-type",
                        format!("{shown} is empty but should be {}", describe(&types)),
                        "write a value, or remove the line".into(),
                    );
                }
                None
            }
        }
    }
}

fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn describe(types: &[&str]) -> String {
    let names: Vec<&str> = types
        .iter()
        .filter(|t| **t != "null")
        .map(|t| match *t {
            "integer" => "a whole number",
            "number" => "a number",
            "string" => "text",
            "boolean" => "true or false",
            "array" => "a list",
            "object" => "a mapping",
            other => other,
        })
        .collect();
    names.join(" or ")
}

fn type_help(types: &[&str]) -> String {
    if types.contains(&"integer") || types.contains(&"number") {
        "write a plain number without units or quotes, such as `30`".into()
    } else if types.contains(&"boolean") {
        "write `true` or `false`".into()
    } else {
        "see `rapport schema` for the expected shape".into()
    }
}

fn required_hint(path: &str) -> &'static str {
    if path.is_empty() {
        "; every partnership needs `rapport`, `partner`, `status` and `owner`"
    } else {
        ""
    }
}
