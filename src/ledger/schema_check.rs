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
    let mut checker = Checker {
        root,
        noun,
        problems: Vec::new(),
    };
    checker.check(node, root, "");
    checker.problems
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

    fn check(&mut self, node: &Spanned<Node>, schema: &'a Value, path: &str) {
        let schema = self.resolve(schema);
        if let Some(alternatives) = schema.get("anyOf").and_then(Value::as_array) {
            // `Option<T>` is written `anyOf: [T, null]`: null is fine, anything else is checked as T.
            let non_null: Vec<&Value> = alternatives
                .iter()
                .filter(|alt| alt.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            if matches!(node.value, Node::Null) && non_null.len() < alternatives.len() {
                return;
            }
            if let [only] = non_null.as_slice() {
                self.check(node, only, path);
            }
            return;
        }
        let types = types(schema);
        if matches!(node.value, Node::Null) {
            if types.contains(&"null") {
                return;
            }
            // An empty value for a field with a default (such as `contacts:`) is written by
            // people as "none"; serde accepts it for lists and the typed pass reports the rest.
            if types.contains(&"array") {
                return;
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
                    return;
                };
                let known: Vec<&str> = properties.keys().map(String::as_str).collect();
                for (key, value) in entries {
                    let child = if path.is_empty() {
                        key.value.clone()
                    } else {
                        format!("{path}.{}", key.value)
                    };
                    match properties.get(&key.value) {
                        Some(sub) => self.check(value, sub, &child),
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
                for name in required {
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
            }
            Node::Seq(items) => match schema.get("items") {
                Some(item_schema) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item, item_schema, &format!("{path}[{i}]"));
                    }
                }
                None if !types.is_empty() && !types.contains(&"array") => {
                    self.push(
                        position(node),
                        "invalid-type",
                        format!("{shown} should be {}, not a list", describe(&types)),
                        "write a single value here".into(),
                    );
                }
                None => {}
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
                    }
                    return;
                }
                if schema.get("format").and_then(Value::as_str) == Some("date") {
                    if let Err(message) = Date::parse(text) {
                        self.push(
                            position(node),
                            "invalid-date",
                            format!("{shown}: {message}"),
                            "write a real calendar date as YYYY-MM-DD".into(),
                        );
                    }
                    return;
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
                }
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
                }
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
