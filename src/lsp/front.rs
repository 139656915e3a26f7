//! The front matter as the cursor sees it: which mapping a line is in (`terms`, an item of
//! `contacts`), and what the JSON Schema of the format says of the keys there, so hover and
//! completion read the same schema `rapport schema` prints.

use serde_json::Value;

use super::text::Lines;

/// The keys of the mappings enclosing character `at` of front matter line `line` (0-based),
/// outermost first: `["contacts"]` inside `- { name: …, level: … }` under `contacts:`.
pub fn parents(lines: &Lines<'_>, line: usize, at: usize) -> Vec<String> {
    let text = lines.get(line);
    let before: String = text.chars().take(at).collect();
    let mut path = Vec::new();
    let indent = indentation(text);
    let open_braces = before.matches('{').count() > before.matches('}').count();
    let content = text.trim_start();
    let item = content.starts_with("- ") || content == "-";
    if open_braces
        && !item
        && let Some(key) = leading_key(content)
    {
        // `terms: { payment_days: 30 }`: inside the mapping of the line's own key.
        path.push(key);
    }
    let mut level = indent;
    if item {
        // An item's keys belong to the list's key, written at this or a smaller indentation.
        level += 1;
    }
    for i in (0..line).rev() {
        let above = lines.get(i);
        if above.trim().is_empty() || above.trim_start().starts_with('#') {
            continue;
        }
        let width = indentation(above);
        if width < level {
            let content = above.trim_start();
            let listed = content.starts_with("- ");
            let content = content.trim_start_matches("- ").trim_start_matches("{ ");
            if let Some(key) = leading_key(content)
                && content.trim_end().ends_with(':')
            {
                path.push(key);
            }
            level = if listed { width + 1 } else { width };
            if width == 0 {
                break;
            }
        }
    }
    path.reverse();
    path
}

fn indentation(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ').count()
}

/// `key` when `text` starts with `key:`.
fn leading_key(text: &str) -> Option<String> {
    let key: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    (!key.is_empty() && text[key.len()..].starts_with(':')).then_some(key)
}

/// What the schema allows under the mapping at `path`: the resolved object schema.
pub fn object<'a>(root: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut node = resolve(root, root);
    for key in path {
        node = resolve(root, node.get("properties")?.get(key)?);
    }
    Some(node)
}

/// The schema of `key` under the mapping at `path`, unresolved (its own description kept).
pub fn property<'a>(root: &'a Value, path: &[String], key: &str) -> Option<&'a Value> {
    object(root, path)?.get("properties")?.get(key)
}

/// Follows `$ref`, an optional's `anyOf [X, null]` and an array's `items` to the schema of one
/// value.
pub fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    follow(root, node, true)
}

/// The values an enumeration allows (`status`, `side`, `better`, `payer`).
pub fn choices(root: &Value, node: &Value) -> Vec<String> {
    let node = resolve(root, node);
    let mut found: Vec<String> = Vec::new();
    let mut add = |values: &Value| {
        for v in values.as_array().into_iter().flatten() {
            if let Some(s) = v.as_str() {
                found.push(s.to_string());
            }
        }
    };
    if let Some(values) = node.get("enum") {
        add(values);
    }
    for variant in node
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(value) = variant.get("const") {
            add(&Value::Array(vec![value.clone()]));
        }
        if let Some(values) = variant.get("enum") {
            add(values);
        }
    }
    found
}

/// One line saying what a value is: `date`, `one of: partner, ours`, `list`.
pub fn kind(root: &Value, node: &Value) -> String {
    let choices = choices(root, node);
    if !choices.is_empty() {
        return format!("one of: {}", choices.join(", "));
    }
    let is_list = resolve_shallow(root, node)
        .get("type")
        .and_then(Value::as_str)
        == Some("array");
    let node = resolve(root, node);
    let what = match node.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ if node.get("format").is_some() || node.get("pattern").is_some() => "string".into(),
        _ => String::new(),
    };
    let what = if node.get("format").and_then(Value::as_str) == Some("date") {
        "date (YYYY-MM-DD)".to_string()
    } else {
        what
    };
    match (is_list, what.as_str()) {
        (true, "") => "list".into(),
        (true, what) => format!("list of {what}s"),
        (false, what) => what.to_string(),
    }
}

/// `$ref` and `anyOf` followed, but not an array's items.
fn resolve_shallow<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    follow(root, node, false)
}

/// `$ref` and an optional's `anyOf [X, null]` followed, and with `into_items` an array's
/// `items` too, to the schema of one value (at most eight steps: a schema is no loop).
fn follow<'a>(root: &'a Value, mut node: &'a Value, into_items: bool) -> &'a Value {
    for _ in 0..8 {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            let name = reference.trim_start_matches("#/$defs/");
            match root.get("$defs").and_then(|d| d.get(name)) {
                Some(target) => node = target,
                None => return node,
            }
        } else if let Some(first) =
            node.get("anyOf")
                .and_then(Value::as_array)
                .and_then(|options| {
                    options
                        .iter()
                        .find(|o| o.get("type") != Some(&"null".into()))
                })
        {
            node = first;
        } else if into_items && node.get("type").and_then(Value::as_str) == Some("array") {
            match node.get("items") {
                Some(items) => node = items,
                None => return node,
            }
        } else {
            return node;
        }
    }
    node
}

/// The description of a key: its own, else that of what it holds.
pub fn description(root: &Value, node: &Value) -> Option<String> {
    let own = node.get("description").and_then(Value::as_str);
    let held = || {
        resolve_shallow(root, node)
            .get("description")
            .and_then(Value::as_str)
            .or_else(|| {
                resolve(root, node)
                    .get("description")
                    .and_then(Value::as_str)
            })
    };
    own.or_else(held).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRONT: &str = "---\nrapport: 1\ncontacts:\n  - { name: Dana, side: partner, level: executive }\n  - name: Omar\n    side: partner\nterms: { payment_days: 30 }\nplan:\n  agreed: 2024-02-10\n---\n";

    #[test]
    fn parents_follow_flow_mappings_lists_and_indentation() {
        let lines = Lines::new(FRONT);
        assert_eq!(parents(&lines, 1, 2), Vec::<String>::new());
        assert_eq!(parents(&lines, 3, 30), ["contacts"]);
        assert_eq!(parents(&lines, 4, 6), ["contacts"]);
        assert_eq!(parents(&lines, 5, 6), ["contacts"]);
        assert_eq!(parents(&lines, 6, 12), ["terms"]);
        assert_eq!(parents(&lines, 8, 4), ["plan"]);
    }

    #[test]
    fn the_schema_names_keys_and_choices() {
        let schema = crate::ledger::parse::schema();
        let root = schema.as_value();
        let path = ["contacts".to_string()];
        let side = property(root, &path, "side").expect("contacts have a side");
        assert_eq!(choices(root, side), ["partner", "ours"]);
        let status = property(root, &[], "status").expect("a status");
        assert!(choices(root, status).contains(&"onboarding".to_string()));
        let days = property(root, &["terms".to_string()], "payment_days").expect("terms");
        assert!(description(root, days).is_some_and(|d| !d.is_empty()));
    }
}
