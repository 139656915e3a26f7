//! YAML reading with serde-saphyr under resource limits: a position-carrying tree of the document
//! (so every problem can point at a line), typed deserialization, and a path index from
//! `terms.payment_days` or `kpis[0].actual` to the line and column where it is written.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, Options, Spanned};

/// Limits that keep a hostile file from costing more than a normal ledger file ever would.
/// An alias bomb trips the alias or event budget long before it expands.
pub fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_events = 200_000;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_depth = 32;
    budget.max_nodes = 100_000;
    budget.max_total_scalar_bytes = 4 * 1024 * 1024;
    budget.max_documents = 1;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    options
}

/// A YAML node with the position of every key and value.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl Node {
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "nothing",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "text",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Number(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::String(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Node, E> {
                Ok(Node::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Node::Map(entries))
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}

/// A problem reading YAML, positioned in the YAML text (1-based line and column).
#[derive(Clone, Debug, PartialEq)]
pub struct YamlProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
}

/// Parses YAML text into a positioned tree, under the resource limits.
pub fn parse_tree(text: &str) -> Result<Spanned<Node>, YamlProblem> {
    serde_saphyr::from_str_with_options::<Spanned<Node>>(text, options())
        .map_err(|e| convert_error(e, text))
}

/// Deserializes YAML text into a typed value, under the resource limits.
pub fn parse_typed<T: DeserializeOwned>(text: &str) -> Result<T, YamlProblem> {
    serde_saphyr::from_str_with_options::<T>(text, options()).map_err(|e| convert_error(e, text))
}

/// A typed value read from an already parsed tree, sparing a second pass over the text. `None`
/// when the tree does not fit the type as plainly as JSON would; the caller then deserializes
/// the text, whose error says exactly what is wrong and where.
pub fn typed_from_tree<T: DeserializeOwned>(tree: &Spanned<Node>) -> Option<T> {
    fn json(node: &Node) -> Option<serde_json::Value> {
        use serde_json::Value;
        Some(match node {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            // Integers stay integers, so integer fields accept them.
            Node::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Value::from(*n as i64),
            // Not-a-number and infinities have no JSON form: left to the YAML deserializer.
            Node::Number(n) => Value::Number(serde_json::Number::from_f64(*n)?),
            Node::String(s) => Value::String(s.clone()),
            Node::Seq(items) => Value::Array(
                items
                    .iter()
                    .map(|i| json(&i.value))
                    .collect::<Option<_>>()?,
            ),
            Node::Map(entries) => {
                let object: serde_json::Map<String, Value> = entries
                    .iter()
                    .map(|(k, v)| Some((k.value.clone(), json(&v.value)?)))
                    .collect::<Option<_>>()?;
                // A repeated key is the YAML deserializer's to report.
                if object.len() != entries.len() {
                    return None;
                }
                Value::Object(object)
            }
        })
    }
    serde_json::from_value(json(&tree.value)?).ok()
}

fn convert_error(error: serde_saphyr::Error, text: &str) -> YamlProblem {
    let (line, column) = error
        .location()
        .map(|l| (l.line() as usize, l.column() as usize))
        .unwrap_or((1, 1));
    let raw = error.without_snippet().to_string();
    let raw = strip_position(raw.lines().next().unwrap_or("").trim()).to_string();
    let (message, help) = if raw.contains("budget breached") {
        let limit = raw
            .split("budget breached:")
            .nth(1)
            .unwrap_or("")
            .split(" at ")
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        if uses_aliases(text) {
            (
                format!("refused: expanding the YAML aliases here exceeds safe limits ({limit}); this is an alias bomb"),
                Some("remove the repeated `*alias` references; partnership files never need more than a few anchors".to_string()),
            )
        } else {
            (
                format!("refused: this YAML is larger or deeper than a partnership file can be ({limit})"),
                Some("split the content, or move long notes into the Markdown body below the front matter".to_string()),
            )
        }
    } else {
        (raw, None)
    };
    YamlProblem {
        line: line.max(1),
        column: column.max(1),
        message,
        help,
    }
}

/// Whether the text has `*alias` references.
fn uses_aliases(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'*' && (w[1].is_ascii_alphanumeric() || w[1] == b'_'))
}

/// Drops a trailing " at line N, column M": the diagnostic shows the position itself.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) if message[i..].contains(", column ") => &message[..i],
        _ => message,
    }
}

/// Where each path of a document is written: `terms.payment_days`, `kpis[0].actual`.
#[derive(Clone, Debug, Default)]
pub struct PathIndex {
    entries: Vec<(String, usize, usize)>,
}

impl PathIndex {
    pub fn build(root: &Spanned<Node>) -> PathIndex {
        let mut index = PathIndex::default();
        index.walk(String::new(), root);
        index
    }

    fn walk(&mut self, path: String, node: &Spanned<Node>) {
        self.entries.push((
            path.clone(),
            node.referenced.line() as usize,
            node.referenced.column() as usize,
        ));
        match &node.value {
            Node::Map(entries) => {
                for (key, value) in entries {
                    let child = if path.is_empty() {
                        key.value.clone()
                    } else {
                        format!("{path}.{}", key.value)
                    };
                    // A key's own position: where a reader looks for the field.
                    self.entries.push((
                        format!("{child}#key"),
                        key.referenced.line() as usize,
                        key.referenced.column() as usize,
                    ));
                    self.walk(child, value);
                }
            }
            Node::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(format!("{path}[{i}]"), item);
                }
            }
            _ => {}
        }
    }

    /// Whether the document writes `path` itself (not only an enclosing path).
    pub fn written(&self, path: &str) -> bool {
        let key = format!("{path}#key");
        self.entries.iter().any(|(p, ..)| *p == key || *p == path)
    }

    /// Line and column of a path's key (for mapping entries) or value (for list items), falling
    /// back to the nearest enclosing path that is written.
    pub fn locate(&self, path: &str) -> Option<(usize, usize)> {
        let mut path = path.to_string();
        loop {
            let key = format!("{path}#key");
            if let Some((_, line, col)) =
                self.entries.iter().find(|(p, ..)| *p == key || *p == path)
            {
                return Some((*line, *col));
            }
            let cut = path.rfind(['.', '['])?;
            path.truncate(cut);
        }
    }
}

/// Locates a path in YAML text (parsing it again). For reports that need one line, once.
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let tree = parse_tree(text).ok()?;
    PathIndex::build(&tree).locate(path)
}

/// The candidate closest to a mistyped word, for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_paths_to_lines() {
        let text =
            "rapport: 1\nterms: { payment_days: 30, price: 10 }\nkpis:\n  - id: a\n    actual: 3\n";
        let tree = parse_tree(text).expect("the test YAML parses");
        let index = PathIndex::build(&tree);
        assert_eq!(index.locate("terms.payment_days").map(|p| p.0), Some(2));
        assert_eq!(index.locate("kpis[0].actual"), Some((5, 5)));
        assert_eq!(index.locate("kpis[0].missing").map(|p| p.0), Some(4));
        assert_eq!(index.locate("rapport"), Some((1, 1)));
    }

    #[test]
    fn refuses_an_alias_bomb_quickly() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = (b'a' + (i - 1) as u8) as char;
            let this = (b'a' + i as u8) as char;
            text.push_str(&format!(
                "{this}: &{this} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let problem = parse_tree(&text).expect_err("an alias bomb is refused");
        assert!(
            problem.message.contains("alias bomb"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn suggests_the_closest_name() {
        assert_eq!(
            closest("payment_dayz", ["payment_days", "price", "currency"]),
            Some("payment_days")
        );
        assert_eq!(closest("zzz", ["payment_days", "price"]), None);
    }
}
