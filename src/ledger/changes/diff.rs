//! What changed between two versions of a partnership file, field by field: the front
//! matter's values, contacts, scope items, list entries, meetings and action items.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::ledger::Snapshot;
use crate::ledger::date::Date;
use crate::ledger::model::{Contact, ScopeItem, Side, same_people};

use super::items::{item_changes, summary_similarity};

/// One change between two versions of a partnership file.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// The first version of the partnership.
    Created,
    /// The file moved (its identity stays).
    Moved {
        from: String,
        to: String,
    },
    /// A front matter value changed, appeared (`from` absent) or went away (`to` absent).
    /// `path` reads like `terms.payment_days` or `kpis.sourced-pipeline.actual`.
    Field {
        path: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<String>,
    },
    ContactAdded {
        name: String,
        side: Side,
        #[serde(skip_serializing_if = "Option::is_none")]
        level: Option<String>,
    },
    ContactRemoved {
        name: String,
        side: Side,
        #[serde(skip_serializing_if = "Option::is_none")]
        level: Option<String>,
    },
    ContactLevelChanged {
        name: String,
        side: Side,
        from: Option<String>,
        to: Option<String>,
    },
    ScopeAdded {
        id: String,
        summary: String,
    },
    ScopeRemoved {
        id: String,
        summary: String,
    },
    /// The summary of a scope item changed; `similarity` is the word-level ratio (0 to 1).
    ScopeReworded {
        id: String,
        from: String,
        to: String,
        similarity: f32,
    },
    MeetingAdded {
        date: Date,
        title: String,
    },
    MeetingRemoved {
        date: Date,
        title: String,
    },
    ItemOpened {
        text: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        owner: Option<Side>,
        #[serde(skip_serializing_if = "Option::is_none")]
        due: Option<Date>,
    },
    ItemChecked {
        text: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        owner: Option<Side>,
    },
    ItemUnchecked {
        text: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        owner: Option<Side>,
    },
    ItemRemoved {
        text: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        owner: Option<Side>,
    },
}

impl Change {
    /// The same change with every text taken from the file (names, paths, summaries, titles,
    /// values) passed through `f`, for outputs that must escape them.
    pub fn map_text(&self, f: &dyn Fn(&str) -> String) -> Change {
        let o = |v: &Option<String>| v.as_deref().map(f);
        match self {
            Change::Created => Change::Created,
            Change::Moved { from, to } => Change::Moved {
                from: f(from),
                to: f(to),
            },
            Change::Field { path, from, to } => Change::Field {
                path: f(path),
                from: o(from),
                to: o(to),
            },
            Change::ContactAdded { name, side, level } => Change::ContactAdded {
                name: f(name),
                side: *side,
                level: o(level),
            },
            Change::ContactRemoved { name, side, level } => Change::ContactRemoved {
                name: f(name),
                side: *side,
                level: o(level),
            },
            Change::ContactLevelChanged {
                name,
                side,
                from,
                to,
            } => Change::ContactLevelChanged {
                name: f(name),
                side: *side,
                from: o(from),
                to: o(to),
            },
            Change::ScopeAdded { id, summary } => Change::ScopeAdded {
                id: f(id),
                summary: f(summary),
            },
            Change::ScopeRemoved { id, summary } => Change::ScopeRemoved {
                id: f(id),
                summary: f(summary),
            },
            Change::ScopeReworded {
                id,
                from,
                to,
                similarity,
            } => Change::ScopeReworded {
                id: f(id),
                from: f(from),
                to: f(to),
                similarity: *similarity,
            },
            Change::MeetingAdded { date, title } => Change::MeetingAdded {
                date: *date,
                title: f(title),
            },
            Change::MeetingRemoved { date, title } => Change::MeetingRemoved {
                date: *date,
                title: f(title),
            },
            Change::ItemOpened { text, owner, due } => Change::ItemOpened {
                text: f(text),
                owner: *owner,
                due: *due,
            },
            Change::ItemChecked { text, owner } => Change::ItemChecked {
                text: f(text),
                owner: *owner,
            },
            Change::ItemUnchecked { text, owner } => Change::ItemUnchecked {
                text: f(text),
                owner: *owner,
            },
            Change::ItemRemoved { text, owner } => Change::ItemRemoved {
                text: f(text),
                owner: *owner,
            },
        }
    }
}

/// The changes from `before` (absent for a first version or a re-added file) to `after`.
pub fn changes(before: Option<&Snapshot>, after: &Snapshot) -> Vec<Change> {
    let Some(before) = before else {
        return vec![Change::Created];
    };
    let mut out = Vec::new();
    if before.path != after.path {
        out.push(Change::Moved {
            from: before.path.clone(),
            to: after.path.clone(),
        });
    }
    let mut old = front_values(before);
    let mut new = front_values(after);
    contact_changes(&before.front.contacts, &after.front.contacts, &mut out);
    scope_changes(&before.front.scope, &after.front.scope, &mut out);
    // Contacts and scope items are compared above, entry by entry: below come only the other
    // fields of entries present on both sides.
    let kept = |s: &Snapshot| -> BTreeSet<String> {
        let contacts = s
            .front
            .contacts
            .iter()
            .map(|c| format!("contacts.{}.", c.name));
        let scope = s.front.scope.iter().map(|i| format!("scope.{}.", i.id));
        contacts.chain(scope).collect()
    };
    let (was, is) = (kept(before), kept(after));
    let both: PrefixSet = was.intersection(&is).map(String::as_str).collect();
    for values in [&mut old, &mut new] {
        values.retain(|path, _| {
            if !path.starts_with("contacts.") && !path.starts_with("scope.") {
                return true;
            }
            both.holds(path)
                && !(path.starts_with("contacts.") && path.ends_with(".level"))
                && !(path.starts_with("scope.") && path.ends_with(".summary"))
        });
    }
    // List entries that came or went whole are one change each, not one per field.
    let whole = entry_changes(before, after, &mut out);
    let whole: PrefixSet = whole.iter().map(String::as_str).collect();
    for values in [&mut old, &mut new] {
        values.retain(|path, _| !whole.holds(path));
    }
    // A price in another currency is another amount: each side names its own currency.
    let currency = |s: &Snapshot| s.front.terms.as_ref().and_then(|t| t.currency.clone());
    let (was_in, is_in) = (currency(before), currency(after));
    let priced = |value: Option<&String>, currency: &Option<String>| -> Option<String> {
        match (value, currency) {
            (Some(value), Some(code)) if was_in != is_in => Some(format!("{code} {value}")),
            (value, _) => value.cloned(),
        }
    };
    let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for path in paths {
        let (from, to) = (old.get(path), new.get(path));
        if from != to || (path == "terms.price" && was_in != is_in) {
            let (from, to) = if path == "terms.price" {
                (priced(from, &was_in), priced(to, &is_in))
            } else {
                (from.cloned(), to.cloned())
            };
            out.push(Change::Field {
                path: path.clone(),
                from,
                to,
            });
        }
    }
    let meetings = |s: &Snapshot| -> BTreeSet<(Date, String)> {
        s.body
            .meetings
            .iter()
            .map(|m| (m.date, m.title.clone()))
            .collect()
    };
    let (was, is) = (meetings(before), meetings(after));
    for (date, title) in is.difference(&was) {
        out.push(Change::MeetingAdded {
            date: *date,
            title: title.clone(),
        });
    }
    for (date, title) in was.difference(&is) {
        out.push(Change::MeetingRemoved {
            date: *date,
            title: title.clone(),
        });
    }
    item_changes(before, after, &mut out);
    out
}

/// Contacts added, removed, renamed or moved to another level. A contact is followed by
/// [`Contact::same_person`]: a corrected name is a rename, not a departure and an arrival.
fn contact_changes(before: &[Contact], after: &[Contact], out: &mut Vec<Change>) {
    let by_name = |list: &[Contact]| -> Vec<usize> {
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by(|&a, &b| (&list[a].name, list[a].side).cmp(&(&list[b].name, list[b].side)));
        order
    };
    let (old, new): (Vec<&Contact>, Vec<&Contact>) =
        (before.iter().collect(), after.iter().collect());
    let pairs = same_people(&old, &new);
    let mut was_of = vec![None; new.len()];
    for (i, pair) in pairs.iter().enumerate() {
        if let Some(j) = pair {
            was_of[*j] = Some(i);
        }
    }
    for j in by_name(after) {
        let c = &after[j];
        match was_of[j].map(|i| &before[i]) {
            None => out.push(Change::ContactAdded {
                name: c.name.clone(),
                side: c.side,
                level: c.level.clone(),
            }),
            Some(was) => {
                if was.name != c.name {
                    out.push(Change::Field {
                        path: format!("contacts.{}.name", was.name),
                        from: Some(was.name.clone()),
                        to: Some(c.name.clone()),
                    });
                }
                if was.level != c.level {
                    out.push(Change::ContactLevelChanged {
                        name: c.name.clone(),
                        side: c.side,
                        from: was.level.clone(),
                        to: c.level.clone(),
                    });
                }
            }
        }
    }
    for i in by_name(before) {
        if pairs[i].is_none() {
            let c = &before[i];
            out.push(Change::ContactRemoved {
                name: c.name.clone(),
                side: c.side,
                level: c.level.clone(),
            });
        }
    }
}

/// Scope items added, removed or reworded (with their word-level similarity).
pub fn scope_changes(before: &[ScopeItem], after: &[ScopeItem], out: &mut Vec<Change>) {
    let old: BTreeMap<&str, &ScopeItem> = before.iter().map(|s| (s.id.as_str(), s)).collect();
    let new: BTreeMap<&str, &ScopeItem> = after.iter().map(|s| (s.id.as_str(), s)).collect();
    for (id, item) in &new {
        match old.get(id) {
            None => out.push(Change::ScopeAdded {
                id: id.to_string(),
                summary: item.summary.clone(),
            }),
            Some(was) if was.summary != item.summary => out.push(Change::ScopeReworded {
                id: id.to_string(),
                from: was.summary.clone(),
                to: item.summary.clone(),
                similarity: summary_similarity(&was.summary, &item.summary),
            }),
            Some(_) => {}
        }
    }
    for (id, item) in &old {
        if !new.contains_key(id) {
            out.push(Change::ScopeRemoved {
                id: id.to_string(),
                summary: item.summary.clone(),
            });
        }
    }
}

/// Path prefixes ending in `.` or `[` (`invoices.INV-7.`, `wins[`), looked up by the prefixes of
/// a path rather than compared one by one: a file of thousands of entries has thousands of
/// prefixes and tens of thousands of paths.
struct PrefixSet<'a> {
    prefixes: std::collections::HashSet<&'a str>,
    longest: usize,
}

impl<'a> FromIterator<&'a str> for PrefixSet<'a> {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        let prefixes: std::collections::HashSet<&str> = iter.into_iter().collect();
        let longest = prefixes.iter().map(|p| p.len()).max().unwrap_or(0);
        PrefixSet { prefixes, longest }
    }
}

impl PrefixSet<'_> {
    /// Whether `path` starts with one of the prefixes.
    fn holds(&self, path: &str) -> bool {
        path.match_indices(['.', '['])
            .map(|(at, _)| at + 1)
            .take_while(|end| *end <= self.longest)
            .any(|end| self.prefixes.contains(&path[..end]))
    }
}

/// Entries of the front matter's lists (other than contacts and scope, compared on their own)
/// that were added or removed whole: one `Field` change each, showing the entry. Returns the
/// path prefixes (`invoices.INV-7.`) of such entries, whose fields are then not listed one by one.
fn entry_changes(before: &Snapshot, after: &Snapshot, out: &mut Vec<Change>) -> Vec<String> {
    let (Ok(was), Ok(is)) = (
        serde_json::to_value(&before.front),
        serde_json::to_value(&after.front),
    ) else {
        return Vec::new();
    };
    let mut prefixes = Vec::new();
    let lists: BTreeSet<&String> = [&was, &is]
        .iter()
        .filter_map(|v| v.as_object())
        .flat_map(|o| {
            o.iter()
                .filter(|(k, v)| v.is_array() && *k != "contacts" && *k != "scope")
                .map(|(k, _)| k)
        })
        .collect();
    for list in lists {
        // Entries without an id are keyed by their value: `wins[{date: …}]`.
        prefixes.push(format!("{list}["));
        let entries = |v: &Value| -> Vec<(String, Value)> {
            v.get(list.as_str())
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|item| {
                    (
                        item.get("id")
                            .and_then(Value::as_str)
                            .map_or_else(|| display(item), str::to_string),
                        item.clone(),
                    )
                })
                .collect()
        };
        let (old, new) = (entries(&was), entries(&is));
        let old_keys: std::collections::HashSet<&str> =
            old.iter().map(|(k, _)| k.as_str()).collect();
        let new_keys: std::collections::HashSet<&str> =
            new.iter().map(|(k, _)| k.as_str()).collect();
        for (key, item) in &new {
            if !old_keys.contains(key.as_str()) {
                out.push(Change::Field {
                    path: entry_path(list, key, item),
                    from: None,
                    to: Some(entry_display(list, item)),
                });
                prefixes.push(format!("{list}.{key}."));
            }
        }
        for (key, item) in &old {
            if !new_keys.contains(key.as_str()) {
                out.push(Change::Field {
                    path: entry_path(list, key, item),
                    from: Some(entry_display(list, item)),
                    to: None,
                });
                prefixes.push(format!("{list}.{key}."));
            }
        }
    }
    prefixes
}

/// An entry as shown under its path, which already names its id.
/// An entry of a list as a change shows it: an acknowledgement as a sentence,
/// `price-cut until 2025-11-28 (the reason)`, rather than its mapping; other entries as their
/// fields, without the id the path already names.
fn entry_display(list: &str, item: &Value) -> String {
    if list == "acknowledged"
        && let Some(rule) = item.get("rule").and_then(Value::as_str)
    {
        let mut text = rule.to_string();
        if let Some(until) = item.get("until") {
            text.push_str(&format!(" until {}", display(until)));
        }
        if let Some(reason) = item.get("reason") {
            text.push_str(&format!(" ({})", display(reason)));
        }
        return text;
    }
    display(&without_id(item))
}

fn without_id(item: &Value) -> Value {
    let mut item = item.clone();
    if let Some(map) = item.as_object_mut() {
        map.remove("id");
    }
    item
}

/// `invoices.INV-7` for an entry with an id; the list's name for one without.
fn entry_path(list: &str, key: &str, item: &Value) -> String {
    if item.get("id").is_some() {
        format!("{list}.{key}")
    } else {
        list.to_string()
    }
}

/// The front matter as `path → display value`. Lists whose entries have an identity (`id`, or a
/// contact's name) are keyed by it, so reordering is no change; other lists are keyed by value.
fn front_values(snapshot: &Snapshot) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(value) = serde_json::to_value(&snapshot.front) {
        flatten("", &value, &mut out);
    }
    out
}

fn flatten(path: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                flatten(&join(key), v, out);
            }
        }
        // A list of plain values (`plan.segments`) is one value.
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            out.insert(path.to_string(), display(value));
        }
        Value::Array(items) => {
            for item in items {
                let identity = item
                    .get("id")
                    .or_else(|| item.get("name"))
                    .and_then(Value::as_str);
                match (identity, item) {
                    (Some(id), Value::Object(map)) => {
                        let base = join(id);
                        for (key, v) in map.iter().filter(|(k, _)| *k != "id") {
                            flatten(&format!("{base}.{key}"), v, out);
                        }
                    }
                    _ => {
                        let shown = display(item);
                        out.insert(format!("{path}[{shown}]"), shown);
                    }
                }
            }
        }
        other => {
            out.insert(path.to_string(), display(other));
        }
    }
}

/// A number as a person reads it: `120000` rather than `120000.0`.
pub use crate::numbers::plain as display_number;

/// A value as a person reads it: numbers as [`display_number`] writes them, strings unquoted.
pub fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), display_number),
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}: {}", display(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(display).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
    }
}
