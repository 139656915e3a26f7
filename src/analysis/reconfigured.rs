//! What a change did to the configuration: each setting of `rapport.yaml` whose value differs
//! between two revisions, as `rules.payment-terms-slip.enabled: true → false`, with the line of
//! the new file that sets it. A finding the change silenced is shown with the settings that did
//! it, so switching a rule off never reads as good news.

use serde::Serialize;
use serde_json::Value;

use crate::config::Config;

/// One setting whose value the change replaced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ConfigChange {
    /// The setting, as a dotted path: `rules.payment-terms-slip.error_days`, `exclude`.
    pub key: String,
    /// Its value before the change, as JSON (`null`: not set, the default applies).
    pub before: String,
    /// Its value after the change, as JSON.
    pub after: String,
    /// The line of the new `rapport.yaml` that sets it, when it is written there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// Every setting whose value differs between `before` and `after` (defaults included, so a
/// setting written out at its default is no change), ordered by key. `after_text` is the new
/// `rapport.yaml`, to point at lines.
pub fn differences(before: &Config, after: &Config, after_text: Option<&str>) -> Vec<ConfigChange> {
    let (Ok(was), Ok(is)) = (serde_json::to_value(before), serde_json::to_value(after)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    compare("", &was, &is, &mut out);
    for change in &mut out {
        change.line = after_text.and_then(|text| line_of(text, &change.key));
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// The changes that can make findings of `rule` appear or disappear: the rule's own settings,
/// and what every rule reads (the folders, the ladder, the vocabulary). The health formula and
/// redaction change no finding.
pub fn affecting(changes: &[ConfigChange], rule: &str) -> Vec<ConfigChange> {
    let own = format!("rules.{rule}.");
    changes
        .iter()
        .filter(|c| {
            c.key.starts_with(&own)
                || !(c.key.starts_with("rules.")
                    || c.key.starts_with("portfolio.")
                    || c.key == "redact")
        })
        .cloned()
        .collect()
}

fn compare(prefix: &str, was: &Value, is: &Value, out: &mut Vec<ConfigChange>) {
    match (was, is) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                compare(
                    &path,
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        _ if was != is => out.push(ConfigChange {
            key: prefix.to_string(),
            before: was.to_string(),
            after: is.to_string(),
            line: None,
        }),
        _ => {}
    }
}

/// The line (1-based) of `text` where the last part of `key` is set, looked for after the lines
/// that name the parts before it (`rules:`, then `payment-terms-slip`, then `enabled`).
fn line_of(text: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    let mut found = None;
    let lines: Vec<&str> = text.lines().collect();
    for part in key.split('.') {
        let at = lines
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, line)| names(line, part))
            .map(|(i, _)| i)?;
        found = Some(at + 1);
        from = at;
    }
    found
}

/// Whether a YAML line sets `key` (as a block key, `key:`, or inside a flow mapping,
/// `{ key: … }`, quoted or not).
fn names(line: &str, key: &str) -> bool {
    let code = line.split(" #").next().unwrap_or(line);
    [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ]
    .iter()
    .any(|needle| {
        code.match_indices(needle.as_str()).any(|(i, _)| {
            i == 0
                || code[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_whitespace() || c == '{' || c == ',')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config::parse("rapport.yaml", text.as_bytes()).expect("a valid configuration")
    }

    #[test]
    fn a_rule_switched_off_is_one_change_on_its_line() {
        let text = "rapport: 1\nrules:\n  tension-rising:\n    min_recent_hits: 9\n  payment-terms-slip: { enabled: false }\n";
        let changes = differences(&Config::default(), &config(text), Some(text));
        let keys: Vec<(&str, &str, &str, Option<usize>)> = changes
            .iter()
            .map(|c| (c.key.as_str(), c.before.as_str(), c.after.as_str(), c.line))
            .collect();
        assert_eq!(
            keys,
            [
                ("rules.payment-terms-slip.enabled", "true", "false", Some(5)),
                ("rules.tension-rising.min_recent_hits", "3", "9", Some(4)),
            ]
        );
        assert_eq!(
            affecting(&changes, "payment-terms-slip")
                .iter()
                .map(|c| c.key.as_str())
                .collect::<Vec<_>>(),
            ["rules.payment-terms-slip.enabled"]
        );
    }

    #[test]
    fn a_setting_written_at_its_default_changes_nothing() {
        let text = "rapport: 1\nrules:\n  payment-terms-slip: { enabled: true, error_days: 90 }\n";
        assert!(differences(&Config::default(), &config(text), Some(text)).is_empty());
    }

    #[test]
    fn folders_and_ladder_affect_every_rule_the_health_formula_none() {
        let text = "rapport: 1\nexclude: [README.md, \"_*\", partners/archive/**]\nportfolio: { error: 30 }\n";
        let changes = differences(&Config::default(), &config(text), Some(text));
        let affected = affecting(&changes, "late-payment");
        let keys: Vec<&str> = affected.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["exclude"]);
    }
}
