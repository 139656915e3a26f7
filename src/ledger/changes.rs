//! What changed between two versions of a partnership, as data: field-level changes, contacts,
//! scope items, meetings and action items; the history of each action item across a timeline;
//! and the numeric series (payment days, price, KPI actuals...) behind trend rules and charts.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;
use similar::TextDiff;

use super::body::ActionItem;
use super::date::Date;
use super::model::{Contact, ScopeItem, Side, same_people};
use super::{Snapshot, Timeline};

/// Two action item texts at least this similar (0 to 1) are the same item, edited.
pub const SAME_ITEM: f32 = 0.8;

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

/// Texts longer than this (in characters) are not diffed: a diff's cost grows with the product
/// of the lengths, and no action item or scope summary is written this long.
const DIFF_LIMIT: usize = 2_000;

/// The work one pairing of action items may spend on fuzzy matches, in units of compared
/// characters squared (a diff's worst case): far more than a meeting's worth of edited items
/// needs, and a bound on a file of thousands of items all rewritten in one commit, which would
/// otherwise take hours. Items left when it runs out count as removed and added.
const PAIRING_BUDGET: usize = 1 << 25;

/// Character-level similarity of two action item texts (0 to 1), when it can reach `SAME_ITEM`
/// and `budget` allows the diff; `None` otherwise. The diff's cost is taken from `budget`.
fn item_similarity(a: &str, b: &str, budget: &mut usize) -> Option<f32> {
    if a == b {
        return Some(1.0);
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    // Matching characters are at most the shorter text: a ratio of at most 2·min / (la + lb).
    let reachable = 2.0 * la.min(lb) as f32 / (la + lb).max(1) as f32;
    if reachable < SAME_ITEM || la > DIFF_LIMIT || lb > DIFF_LIMIT {
        return None;
    }
    let cost = (la + lb) * (la + lb);
    *budget = budget.checked_sub(cost)?;
    Some(TextDiff::from_chars(a, b).ratio())
}

/// Word-level similarity of two scope summaries (0 to 1). Summaries too long to diff are
/// compared by what they share at both ends.
fn summary_similarity(a: &str, b: &str) -> f32 {
    if a.chars().count() <= DIFF_LIMIT && b.chars().count() <= DIFF_LIMIT {
        return TextDiff::from_words(a, b).ratio();
    }
    let prefix = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let suffix = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (la, lb) = (a.chars().count(), b.chars().count());
    let shared = (prefix + suffix).min(la.min(lb));
    (2.0 * shared as f32 / (la + lb).max(1) as f32).min(1.0)
}

/// Which of `count` earlier items `pairs` continues.
fn paired(pairs: &[Option<usize>], count: usize) -> Vec<bool> {
    let mut paired = vec![false; count];
    for j in pairs.iter().flatten() {
        if let Some(slot) = paired.get_mut(*j) {
            *slot = true;
        }
    }
    paired
}

/// Pairs each item of `after` with an item of `before` it continues, if any: exact texts first,
/// then the most similar remaining item of the same owner (within [`PAIRING_BUDGET`]).
fn match_items(before: &[&ActionItem], after: &[&ActionItem]) -> Vec<Option<usize>> {
    let mut taken = vec![false; before.len()];
    let mut pairs = vec![None; after.len()];
    // Exact texts, each to the first unpaired item with that owner and text, in one pass.
    let mut exact: std::collections::HashMap<
        (Option<Side>, &str),
        std::collections::VecDeque<usize>,
    > = std::collections::HashMap::new();
    for (j, item) in before.iter().enumerate() {
        exact
            .entry((item.owner, item.text.as_str()))
            .or_default()
            .push_back(j);
    }
    for (i, item) in after.iter().enumerate() {
        if let Some(j) = exact
            .get_mut(&(item.owner, item.text.as_str()))
            .and_then(|queue| queue.pop_front())
        {
            taken[j] = true;
            pairs[i] = Some(j);
        }
    }
    let mut budget = PAIRING_BUDGET;
    for (i, item) in after.iter().enumerate() {
        if pairs[i].is_some() {
            continue;
        }
        let mut best: Option<(usize, f32)> = None;
        for j in (0..before.len()).filter(|&j| !taken[j] && before[j].owner == item.owner) {
            // Looking costs too, so thousands of items cannot loop for long either.
            let Some(left) = budget.checked_sub(1) else {
                return pairs;
            };
            budget = left;
            let Some(s) = item_similarity(&before[j].text, &item.text, &mut budget) else {
                continue;
            };
            if s >= SAME_ITEM && best.is_none_or(|(_, b)| s >= b) {
                best = Some((j, s));
            }
        }
        if let Some((j, _)) = best {
            taken[j] = true;
            pairs[i] = Some(j);
        }
    }
    pairs
}

/// The action items of a snapshot, each once, with the date of the meeting it was first written
/// under. Teams carry open items over by listing them again under the next meeting: the same
/// owner and text (in any case and spacing) listed again while the earlier listing is open is
/// one item, written under its earliest meeting, standing on the line of its latest listing,
/// and checked when a later listing is. Listed again after it was checked, it is asked again: a
/// new item. Listings are read in the order of their meetings' dates (items outside a meeting
/// last), whatever the order of the meetings in the file, and items come out in that order.
pub fn distinct_items(snapshot: &Snapshot) -> Vec<(ActionItem, Option<Date>)> {
    let mut listed: Vec<(&ActionItem, Option<Date>)> = snapshot
        .body
        .meetings
        .iter()
        .flat_map(|m| m.items.iter().map(move |i| (i, Some(m.date))))
        .chain(snapshot.body.loose_items.iter().map(|i| (i, None)))
        .collect();
    // By date, items outside a meeting after every meeting; stable, so a meeting's items and
    // meetings of one day keep the file's order.
    listed.sort_by_key(|(_, meeting)| (meeting.is_none(), *meeting));
    let key = |item: &ActionItem| {
        let words: Vec<String> = item
            .text
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        (item.owner, words.join(" "))
    };
    let mut distinct: Vec<(ActionItem, Option<Date>)> = Vec::new();
    // The latest item of each owner and text.
    let mut latest: std::collections::HashMap<(Option<Side>, String), usize> =
        std::collections::HashMap::new();
    for (item, meeting) in listed {
        match latest.get(&key(item)) {
            // Carried over: the earlier listing is still open.
            Some(&at) if !distinct[at].0.done => {
                let kept = &mut distinct[at].0;
                kept.done = item.done;
                kept.due = item.due.or(kept.due);
                kept.line = item.line;
            }
            // New, or asked again after the earlier one was checked.
            _ => {
                latest.insert(key(item), distinct.len());
                distinct.push((item.clone(), meeting));
            }
        }
    }
    distinct
}

fn item_changes(before: &Snapshot, after: &Snapshot, out: &mut Vec<Change>) {
    let (old, new) = (distinct_items(before), distinct_items(after));
    let old: Vec<&ActionItem> = old.iter().map(|(i, _)| i).collect();
    let new: Vec<&ActionItem> = new.iter().map(|(i, _)| i).collect();
    let pairs = match_items(&old, &new);
    for (item, pair) in new.iter().zip(&pairs) {
        let (text, owner) = (item.text.clone(), item.owner);
        match pair.map(|j| old[j].done) {
            None => {
                out.push(Change::ItemOpened {
                    text: text.clone(),
                    owner,
                    due: item.due,
                });
                if item.done {
                    out.push(Change::ItemChecked { text, owner });
                }
            }
            Some(false) if item.done => out.push(Change::ItemChecked { text, owner }),
            Some(true) if !item.done => out.push(Change::ItemUnchecked { text, owner }),
            Some(_) => {}
        }
    }
    let paired = paired(&pairs, old.len());
    for (j, item) in old.iter().enumerate() {
        if !paired[j] {
            out.push(Change::ItemRemoved {
                text: item.text.clone(),
                owner: item.owner,
            });
        }
    }
}

/// One action item across a timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemHistory {
    /// The text in the last version that had the item.
    pub text: String,
    pub owner: Option<Side>,
    pub due: Option<Date>,
    /// The date of the meeting the item was written under, if any.
    pub meeting: Option<Date>,
    /// The date of the commit where the item first appeared.
    pub opened: Date,
    /// That commit's short id.
    pub opened_in: String,
    /// The date of the commit where it was checked (and stayed checked), if it was.
    pub closed: Option<Date>,
    /// That commit's short id.
    pub closed_in: Option<String>,
    /// Its line in the last version that had it.
    pub line: usize,
    /// The date of the commit where it disappeared from the file, if it did.
    pub removed: Option<Date>,
}

impl ItemHistory {
    pub fn is_open(&self) -> bool {
        self.closed.is_none() && self.removed.is_none()
    }
}

/// Every action item of a timeline with when it was opened and closed, in order of appearance.
/// Items are followed from each valid version to the valid versions that descend from it
/// (invalid versions are skipped); an item a merge brings from another branch continues that
/// branch's item rather than opening it again.
pub fn action_items(timeline: &Timeline) -> Vec<ItemHistory> {
    type Live = std::sync::Arc<Vec<(ActionItem, usize)>>;
    let mut items: Vec<ItemHistory> = Vec::new();
    // For each version, the items followed to it, with their index in `items`: its own when it
    // parses, else those of the version it descends from.
    let mut live_at: Vec<Live> = Vec::with_capacity(timeline.versions.len());
    // Versions no later version descends from (yet): the ends of branches a merge may bring in.
    let mut ends: Vec<usize> = Vec::new();
    for (i, version) in timeline.versions.iter().enumerate() {
        let parent = version.parent.filter(|p| *p < i);
        let live: Live = parent
            .and_then(|p| live_at.get(p).cloned())
            .unwrap_or_default();
        ends.retain(|e| Some(*e) != parent);
        let Some(snapshot) = version.snapshot() else {
            live_at.push(live);
            ends.push(i);
            continue;
        };
        let date = version.date();
        let current = distinct_items(snapshot);
        let old: Vec<&ActionItem> = live.iter().map(|(i, _)| i).collect();
        let new: Vec<&ActionItem> = current.iter().map(|(i, _)| i).collect();
        let pairs = match_items(&old, &new);
        let mut indices: Vec<Option<usize>> = pairs.iter().map(|p| p.map(|j| live[j].1)).collect();
        // Items the version it descends from did not have may come from another branch's end.
        let unmatched: Vec<usize> = (0..new.len()).filter(|k| pairs[*k].is_none()).collect();
        if !unmatched.is_empty() && !ends.is_empty() {
            let others: Vec<(&ActionItem, usize, usize)> = ends
                .iter()
                .filter_map(|e| live_at.get(*e).map(|l| (*e, l)))
                .flat_map(|(e, l)| l.iter().map(move |(item, index)| (item, *index, e)))
                .filter(|(_, index, _)| !live.iter().any(|(_, own)| own == index))
                .collect();
            let candidates: Vec<&ActionItem> = others.iter().map(|(item, ..)| *item).collect();
            let wanted: Vec<&ActionItem> = unmatched.iter().map(|k| new[*k]).collect();
            let mut merged = Vec::new();
            for (k, pair) in unmatched.iter().zip(match_items(&candidates, &wanted)) {
                if let Some((_, index, end)) = pair.and_then(|j| others.get(j)) {
                    indices[*k] = Some(*index);
                    merged.push(*end);
                }
            }
            // A branch merged here: its items the merge left out are removed here.
            for (_, index, _) in others
                .iter()
                .filter(|(_, index, end)| merged.contains(end) && !indices.contains(&Some(*index)))
            {
                if let Some(history) = items.get_mut(*index) {
                    history.removed = Some(date);
                }
            }
            ends.retain(|e| !merged.contains(e));
        }
        let mut next = Vec::with_capacity(current.len());
        for ((item, meeting), index) in current.iter().zip(&indices) {
            let index = match index {
                Some(index) => *index,
                None => {
                    items.push(ItemHistory {
                        text: item.text.clone(),
                        owner: item.owner,
                        due: item.due,
                        meeting: *meeting,
                        opened: date,
                        opened_in: version.commit.short.clone(),
                        closed: None,
                        closed_in: None,
                        line: item.line,
                        removed: None,
                    });
                    items.len() - 1
                }
            };
            if let Some(history) = items.get_mut(index) {
                history.text.clone_from(&item.text);
                history.due = item.due;
                history.meeting = *meeting;
                history.line = item.line;
                history.removed = None;
                match (item.done, history.closed) {
                    (true, None) => {
                        history.closed = Some(date);
                        history.closed_in = Some(version.commit.short.clone());
                    }
                    (false, Some(_)) => {
                        history.closed = None;
                        history.closed_in = None;
                    }
                    _ => {}
                }
            }
            next.push((item.clone(), index));
        }
        let paired = paired(&pairs, live.len());
        for (j, (_, index)) in live.iter().enumerate() {
            if !paired[j]
                && let Some(history) = items.get_mut(*index)
            {
                history.removed = Some(date);
            }
        }
        live_at.push(std::sync::Arc::new(next));
        ends.push(i);
    }
    items
}

/// A numeric value of a partnership over time, one point per change of value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// Such as `terms.payment_days` or `kpis.sourced-pipeline.actual`.
    pub name: String,
    /// `(date, value)`, the date being the field's own (`as_of`) where it has one, else the
    /// version's commit date.
    pub points: Vec<(Date, f64)>,
}

/// The series the timeline shows: payment days, price, KPI actuals, satisfaction and hours.
pub fn series(timeline: &Timeline) -> Vec<Series> {
    let mut all: BTreeMap<String, Vec<(Date, f64)>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut push = |name: String, date: Date, value: f64| {
        let points = all.entry(name.clone()).or_insert_with(|| {
            order.push(name);
            Vec::new()
        });
        if points.last().is_none_or(|&(_, last)| last != value) {
            points.push((date, value));
        }
    };
    for (version, snapshot) in timeline.valid() {
        let date = version.date();
        let front = &snapshot.front;
        if let Some(terms) = &front.terms {
            if let Some(days) = terms.payment_days {
                push("terms.payment_days".into(), date, days as f64);
            }
            if let Some(price) = terms.price {
                push("terms.price".into(), date, price);
            }
        }
        for kpi in &front.kpis {
            if let Some(actual) = kpi.actual {
                push(
                    format!("kpis.{}.actual", kpi.id),
                    kpi.as_of.unwrap_or(date),
                    actual,
                );
            }
        }
        if let Some(satisfaction) = &front.satisfaction
            && let Some(score) = satisfaction.score
        {
            push(
                "satisfaction.score".into(),
                satisfaction.as_of.unwrap_or(date),
                score,
            );
        }
        if let Some(hours) = front.effort.as_ref().and_then(|e| e.hours_per_month) {
            push("effort.hours_per_month".into(), date, hours);
        }
    }
    order
        .into_iter()
        .filter_map(|name| {
            let points = all.remove(&name)?;
            Some(Series { name, points })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::ledger::parse::parse_partnership;
    use crate::ledger::{Commit, Content, Ladder, Version};

    fn snap(path: &str, front: &str, body: &str) -> Snapshot {
        let text = format!(
            "---\nrapport: 1\npartner: Northwind\nstatus: active\nowner: Priya\n{front}---\n{body}"
        );
        match parse_partnership(path, text.as_bytes(), &Ladder::default()) {
            Ok(s) => s,
            Err(d) => panic!("{d:?}"),
        }
    }

    #[test]
    fn a_price_in_another_currency_names_both_currencies() {
        let cny = snap("p.md", "terms: { price: 1200000, currency: CNY }\n", "");
        let usd = snap("p.md", "terms: { price: 168000, currency: USD }\n", "");
        let fields: Vec<(String, Option<String>, Option<String>)> = changes(Some(&cny), &usd)
            .into_iter()
            .filter_map(|c| match c {
                Change::Field { path, from, to } => Some((path, from, to)),
                _ => None,
            })
            .collect();
        assert_eq!(
            fields,
            [
                (
                    "terms.currency".into(),
                    Some("CNY".into()),
                    Some("USD".into())
                ),
                (
                    "terms.price".into(),
                    Some("CNY 1200000".into()),
                    Some("USD 168000".into())
                ),
            ]
        );
        // Near miss: one currency, the price alone changes, written as before.
        let cut = snap("p.md", "terms: { price: 900000, currency: CNY }\n", "");
        let fields: Vec<Change> = changes(Some(&cny), &cut);
        assert_eq!(
            fields,
            [Change::Field {
                path: "terms.price".into(),
                from: Some("1200000".into()),
                to: Some("900000".into()),
            }]
        );
    }

    fn version(day: u32, snapshot: Snapshot) -> Version {
        let date = Date::from_ymd(2024, 1, day).expect("a real date");
        Version {
            commit: Arc::new(Commit {
                id: format!("{day:040}"),
                short: format!("{day:07}"),
                author: "Priya".into(),
                time: 0,
                date,
                summary: String::new(),
            }),
            path: snapshot.path.clone(),
            content: Content::Valid {
                snapshot: Arc::new(snapshot),
            },
            parent: None,
            date,
        }
    }

    /// Versions one after the other, each descending from the one before.
    fn linear(versions: Vec<Version>) -> Vec<Version> {
        versions
            .into_iter()
            .enumerate()
            .map(|(i, v)| Version {
                parent: i.checked_sub(1),
                ..v
            })
            .collect()
    }

    #[test]
    fn entries_added_or_removed_whole_are_one_change() {
        let before = snap(
            "partners/nw.md",
            "plan: { segments: [EU healthcare] }\ninvoices:\n  - { id: INV-1, payer: partner, amount: 100, due: 2024-02-01 }\nwins:\n  - { date: 2024-01-05, value: 10 }\n",
            "",
        );
        let after = snap(
            "partners/nw.md",
            "plan: { segments: [EU healthcare, Nordics] }\ninvoices:\n  - { id: INV-1, payer: partner, amount: 100, due: 2024-02-01, paid: 2024-01-30 }\n  - { id: INV-2, payer: partner, amount: 50, due: 2024-03-01 }\n",
            "",
        );
        let fields: Vec<String> = changes(Some(&before), &after)
            .into_iter()
            .filter_map(|c| match c {
                Change::Field { path, from, to } => Some(format!(
                    "{path}: {} -> {}",
                    from.unwrap_or_default(),
                    to.unwrap_or_default()
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            fields,
            vec![
                "invoices.INV-2:  -> {amount: 50, due: 2024-03-01, payer: partner}",
                "wins: {date: 2024-01-05, value: 10} -> ",
                "invoices.INV-1.paid:  -> 2024-01-30",
                "plan.segments: [EU healthcare] -> [EU healthcare, Nordics]",
            ]
        );
    }

    #[test]
    fn an_acknowledgement_reads_as_a_sentence() {
        let before = snap("partners/nw.md", "terms: { price: 100 }\n", "");
        let after = snap(
            "partners/nw.md",
            "terms: { price: 100 }\nacknowledged:\n  - { rule: price-cut, reason: Seats lowered until the renewal, until: 2025-11-28 }\n",
            "",
        );
        let fields: Vec<String> = changes(Some(&before), &after)
            .into_iter()
            .filter_map(|c| match c {
                Change::Field { path, to, .. } => {
                    Some(format!("{path}: {}", to.unwrap_or_default()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            fields,
            ["acknowledged: price-cut until 2025-11-28 (Seats lowered until the renewal)"]
        );
    }

    #[test]
    fn field_contact_and_scope_changes() {
        let before = snap(
            "partners/nw.md",
            "contacts:\n  - { name: Dana, side: partner, level: executive }\n  - { name: Lee, side: partner, level: staff }\nterms: { payment_days: 30, price: 120000 }\nscope:\n  - { id: hosting, summary: Managed hosting for EU tenants }\n  - { id: support, summary: Level one support }\n",
            "",
        );
        let after = snap(
            "partners/eu/nw.md",
            "contacts:\n  - { name: Dana, side: partner, level: manager }\n  - { name: Sam, side: partner, level: staff }\nterms: { payment_days: 60, price: 120000 }\nscope:\n  - { id: hosting, summary: Managed hosting for all EU tenants }\n  - { id: training, summary: Training }\n",
            "",
        );
        let changes = changes(Some(&before), &after);
        assert!(changes.contains(&Change::Moved {
            from: "partners/nw.md".into(),
            to: "partners/eu/nw.md".into()
        }));
        assert!(changes.contains(&Change::Field {
            path: "terms.payment_days".into(),
            from: Some("30".into()),
            to: Some("60".into())
        }));
        assert!(
            !changes
                .iter()
                .any(|c| matches!(c, Change::Field { path, .. } if path == "terms.price"))
        );
        assert!(changes.contains(&Change::ContactLevelChanged {
            name: "Dana".into(),
            side: Side::Partner,
            from: Some("executive".into()),
            to: Some("manager".into())
        }));
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::ContactAdded { name, .. } if name == "Sam"))
        );
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::ContactRemoved { name, .. } if name == "Lee"))
        );
        let reworded = changes.iter().find_map(|c| match c {
            Change::ScopeReworded { id, similarity, .. } => Some((id.clone(), *similarity)),
            _ => None,
        });
        let (id, similarity) = reworded.expect("hosting was reworded");
        assert_eq!(id, "hosting");
        assert!(similarity > 0.5 && similarity < 1.0, "{similarity}");
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::ScopeAdded { id, .. } if id == "training"))
        );
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::ScopeRemoved { id, .. } if id == "support"))
        );
        assert!(
            !changes
                .iter()
                .any(|c| matches!(c, Change::Field { path, .. } if path.starts_with("contacts.Dana.level") || path.ends_with(".summary"))),
            "{changes:?}"
        );
    }

    #[test]
    fn a_first_version_is_created() {
        let s = snap("partners/nw.md", "", "");
        assert_eq!(changes(None, &s), vec![Change::Created]);
    }

    #[test]
    fn meetings_and_items() {
        let before = snap(
            "p/nw.md",
            "",
            "## 2024-01-10 Kick-off\n- [ ] partner: send the enablement plan\n- [ ] ours: book the room\n",
        );
        let after = snap(
            "p/nw.md",
            "",
            "## 2024-01-10 Kick-off\n- [ ] partner: send the revised enablement plan\n- [x] ours: book the room\n\n## 2024-02-01 Review\n- [ ] partner: fix SSO\n",
        );
        let changes = changes(Some(&before), &after);
        assert_eq!(
            changes,
            vec![
                Change::MeetingAdded {
                    date: Date::from_ymd(2024, 2, 1).expect("date"),
                    title: "Review".into()
                },
                Change::ItemChecked {
                    text: "book the room".into(),
                    owner: Some(Side::Ours)
                },
                Change::ItemOpened {
                    text: "fix SSO".into(),
                    owner: Some(Side::Partner),
                    due: None
                },
            ]
        );
    }

    #[test]
    fn item_history_follows_edits_and_checks() {
        let v1 = snap(
            "p/nw.md",
            "",
            "## 2024-01-01 A\n- [ ] partner: send the plan\n",
        );
        let v2 = snap(
            "p/nw.md",
            "",
            "## 2024-01-01 A\n- [ ] partner: send the plans (due 2024-02-01)\n- [ ] ours: call back\n",
        );
        let v3 = snap(
            "p/nw.md",
            "",
            "## 2024-01-01 A\n- [x] partner: send the plans (due 2024-02-01)\n",
        );
        let timeline = Timeline {
            id: "nw".into(),
            versions: linear(vec![version(1, v1), version(5, v2), version(9, v3)]),
        };
        let items = action_items(&timeline);
        assert_eq!(items.len(), 2, "{items:?}");
        let plan = &items[0];
        assert_eq!(plan.text, "send the plans");
        assert_eq!(plan.opened, Date::from_ymd(2024, 1, 1).expect("date"));
        assert_eq!(plan.closed, Date::from_ymd(2024, 1, 9));
        assert_eq!(plan.meeting, Date::from_ymd(2024, 1, 1));
        assert_eq!(plan.due, Date::from_ymd(2024, 2, 1));
        let call = &items[1];
        assert_eq!(call.opened, Date::from_ymd(2024, 1, 5).expect("date"));
        assert_eq!(call.removed, Date::from_ymd(2024, 1, 9));
        assert!(!call.is_open());
    }

    #[test]
    fn an_item_carried_over_to_a_later_meeting_keeps_its_identity() {
        // Newest meeting first, as many teams write; the open item is listed again under it.
        let june = "## 2024-01-01 Kick-off\n- [ ] partner: send the plan (due 2024-01-20)\n";
        let v1 = snap("p/nw.md", "", june);
        let v2 = snap(
            "p/nw.md",
            "",
            &format!(
                "## 2024-01-06 Sync\n- [ ] Partner: Send the  plan (due 2024-02-01)\n- [ ] partner: name a lead\n\n{june}"
            ),
        );
        let v3 = snap(
            "p/nw.md",
            "",
            &format!(
                "## 2024-01-06 Sync\n- [x] partner: send the plan (due 2024-02-01)\n- [ ] partner: name a lead\n\n{june}"
            ),
        );
        let timeline = Timeline {
            id: "nw".into(),
            versions: linear(vec![version(1, v1), version(6, v2), version(9, v3)]),
        };
        let items = action_items(&timeline);
        assert_eq!(items.len(), 2, "{items:?}");
        let plan = &items[0];
        assert_eq!(plan.opened, Date::from_ymd(2024, 1, 1).expect("date"));
        assert_eq!(plan.meeting, Date::from_ymd(2024, 1, 1));
        assert_eq!(
            plan.due,
            Date::from_ymd(2024, 2, 1),
            "the latest listing's due date"
        );
        assert_eq!(plan.closed, Date::from_ymd(2024, 1, 9));
        assert_eq!(plan.line, 8, "the latest listing, under the front matter");
        // A different item in the later meeting is its own item.
        assert_eq!(items[1].text, "name a lead");
        assert_eq!(items[1].opened, Date::from_ymd(2024, 1, 6).expect("date"));
        let snapshot = |i: usize| timeline.versions[i].snapshot().expect("valid");
        let mut changes = Vec::new();
        item_changes(snapshot(1), snapshot(2), &mut changes);
        assert_eq!(changes.len(), 1, "{changes:?}");
    }

    fn items(texts: impl Iterator<Item = String>) -> Vec<ActionItem> {
        texts
            .enumerate()
            .map(|(i, text)| ActionItem {
                text,
                owner: Some(Side::Partner),
                due: None,
                done: false,
                line: i + 1,
            })
            .collect()
    }

    #[test]
    fn thousands_of_rewritten_items_pair_within_a_bounded_effort() {
        // Every item rewritten in one commit: pairing each with each by a character diff took
        // hours; the pairing now stops at its budget and calls the rest removed and added.
        let words = [
            "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
        ];
        let text = |seed: usize| {
            (0..6)
                .map(|k| words[(seed * 7 + k * 3 + seed / 7) % words.len()])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let before = items((0..3_000).map(|i| format!("{} {i}", text(i))));
        let mut after = items((0..3_000).map(|i| format!("{} rewritten {i}", text(i + 1))));
        after[0].text = format!("{} 0 (edited)", text(0));
        let (old, new): (Vec<&ActionItem>, Vec<&ActionItem>) =
            (before.iter().collect(), after.iter().collect());
        let pairs = match_items(&old, &new);
        assert_eq!(pairs.len(), 3_000);
        assert_eq!(
            pairs[0],
            Some(0),
            "an edited item still continues its earlier self"
        );
    }

    #[test]
    fn texts_too_long_to_diff_are_compared_at_their_ends() {
        let long = "word ".repeat(10_000);
        let same_start = format!("{long}and an end");
        let other = format!("{long}and another end");
        let s = summary_similarity(&same_start, &other);
        assert!(s > 0.99 && s < 1.0, "{s}");
        assert_eq!(summary_similarity(&long, &long), 1.0);
        assert!(summary_similarity(&long, &"x".repeat(60_000)) < 0.01);
        let mut budget = PAIRING_BUDGET;
        assert_eq!(item_similarity(&same_start, &other, &mut budget), None);
        assert_eq!(budget, PAIRING_BUDGET);
    }

    #[test]
    fn a_different_owner_is_a_different_item() {
        let v1 = snap("p/nw.md", "", "- [ ] partner: send the plan\n");
        let v2 = snap("p/nw.md", "", "- [ ] ours: send the plan\n");
        let items = action_items(&Timeline {
            id: "nw".into(),
            versions: linear(vec![version(1, v1), version(2, v2)]),
        });
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn series_keep_changes_only() {
        let a = snap("p/nw.md", "terms: { payment_days: 30 }\n", "");
        let b = snap(
            "p/nw.md",
            "terms: { payment_days: 30 }\neffort: { hours_per_month: 10 }\n",
            "",
        );
        let c = snap("p/nw.md", "terms: { payment_days: 60 }\n", "");
        let series = series(&Timeline {
            id: "nw".into(),
            versions: linear(vec![version(1, a), version(2, b), version(3, c)]),
        });
        assert_eq!(series[0].name, "terms.payment_days");
        assert_eq!(
            series[0].points.iter().map(|p| p.1).collect::<Vec<_>>(),
            vec![30.0, 60.0]
        );
        assert_eq!(series[1].name, "effort.hours_per_month");
    }
}
