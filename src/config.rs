//! `rapport.yaml` at the ledger root: which folders hold partnerships, the contact ladder, rule
//! settings, extra vocabulary and redacted fields. Validated with the same care as the ledger.

use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ledger::diagnostic::finish;
use crate::ledger::load::{Limit, read_bounded};
use crate::ledger::parse::decode;
use crate::ledger::schema_check::check_tree;
use crate::ledger::{Diagnostic, Ladder, yaml};
use crate::signs::health::HealthFormula;
use crate::signs::{Settings, Vocabulary};

/// The configuration file's name, at the ledger root.
pub const FILE_NAME: &str = "rapport.yaml";

/// How large `rapport.yaml` may be: a real one is a few kilobytes.
pub const LIMIT: Limit = Limit {
    bytes: 256 * 1024,
    what: "configuration files",
    help: "keep rapport.yaml to settings: folders, ladder, rule settings, vocabulary, redacted fields",
};

/// The whole configuration. Every field is optional; with no file every default applies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "rapport configuration",
    description = "rapport.yaml at the root of a ledger"
)]
pub struct Config {
    /// Format version; 1.
    #[serde(default = "one")]
    pub rapport: u32,
    /// Folders (relative to the ledger root) that hold partnership files, searched at any depth.
    #[serde(default = "default_paths")]
    pub paths: Vec<String>,
    /// Contact levels, most senior first.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ladder: Ladder,
    /// Field paths masked in every report, such as `terms.price`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redact: Vec<String>,
    /// Rule settings: thresholds, `severity`, `enabled`.
    #[serde(default)]
    pub rules: Settings,
    /// Extra vocabulary for the vocabulary rules.
    #[serde(default)]
    pub vocabulary: Vocabulary,
    /// The health formula of `rapport portfolio`: points off per open finding and per sign,
    /// and the scores where the bands change.
    #[serde(default)]
    pub portfolio: HealthFormula,
}

fn one() -> u32 {
    1
}

fn default_paths() -> Vec<String> {
    vec!["partners".to_string()]
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rapport: 1,
            paths: default_paths(),
            ladder: Ladder::default(),
            redact: Vec::new(),
            rules: Settings::default(),
            vocabulary: Vocabulary::default(),
            portfolio: HealthFormula::default(),
        }
    }
}

/// The JSON Schema of `rapport.yaml`, with each threshold's range, so an editor refuses a
/// negative window as `rapport` does.
pub fn schema() -> schemars::Schema {
    let mut schema = schemars::schema_for!(Config);
    let Some(defs) = schema.get_mut("$defs").and_then(Value::as_object_mut) else {
        return schema;
    };
    let block_of = |defs: &serde_json::Map<String, Value>, rule: &str| -> Option<String> {
        let reference = defs
            .get("Settings")?
            .get("properties")?
            .get(rule)?
            .get("$ref")?;
        Some(reference.as_str()?.strip_prefix("#/$defs/")?.to_string())
    };
    for (rule, bounds) in Settings::bounds() {
        let Some(name) = block_of(defs, rule) else {
            continue;
        };
        let Some(properties) = defs
            .get_mut(&name)
            .and_then(|d| d.get_mut("properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (key, range) in bounds.iter().filter(|(_, b)| b.is_numeric()) {
            let Some(property) = properties.get_mut(*key).and_then(Value::as_object_mut) else {
                continue;
            };
            property.remove("minimum");
            let low = if range.min_excluded {
                "exclusiveMinimum"
            } else {
                "minimum"
            };
            property.insert(low.into(), number(range.min));
            property.insert("maximum".into(), number(range.max));
        }
    }
    schema
}

/// A bound as JSON: whole numbers without a fraction, as integer fields expect.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        Value::from(value as i64)
    } else {
        Value::from(value)
    }
}

fn schema_root() -> &'static Value {
    static ROOT: OnceLock<Value> = OnceLock::new();
    ROOT.get_or_init(|| schema().to_value())
}

impl Config {
    /// Parses a configuration file's bytes; `file` is the path shown in errors.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Config, Vec<Diagnostic>> {
        if bytes.len() > LIMIT.bytes {
            return Err(vec![LIMIT.refuse(file, bytes.len() as u64)]);
        }
        let text = decode(file, bytes).map_err(|d| vec![*d])?;
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let at = |problem: yaml::YamlProblem, code| {
            vec![Diagnostic::at(
                file,
                text,
                (problem.line, problem.column),
                code,
                problem.message,
                problem.help,
            )]
        };
        let tree = yaml::parse_tree(text).map_err(|p| at(p, "yaml-syntax"))?;
        let mut diagnostics = Vec::new();
        for problem in check_tree(&tree, schema_root(), "key") {
            diagnostics.push(Diagnostic::unquoted(
                file,
                (problem.line, problem.column),
                problem.code,
                problem.message,
                Some(problem.help),
            ));
        }
        if !diagnostics.is_empty() {
            return Err(finish(file, text, diagnostics));
        }
        let config: Config = yaml::parse_typed(text).map_err(|p| at(p, "invalid-setting"))?;
        let index = yaml::PathIndex::build(&tree);
        let mut problem = |path: &str, message: String, help: &str| {
            let position = index.locate(path).unwrap_or((1, 1));
            diagnostics.push(Diagnostic::unquoted(
                file,
                position,
                "invalid-setting",
                message,
                Some(help.to_string()),
            ));
        };
        if config.rapport != 1 {
            problem(
                "rapport",
                format!("configuration version {} is not supported", config.rapport),
                "write `rapport: 1`",
            );
        }
        if config.paths.is_empty() {
            problem(
                "paths",
                "`paths` is empty, so no partnership would be read".into(),
                "list the folders that hold partnership files, such as `[partners]`",
            );
        }
        for (i, path) in config.paths.iter().enumerate() {
            if path.contains("..") || path.starts_with('/') {
                problem(
                    &format!("paths[{i}]"),
                    format!("`{path}` is outside the ledger"),
                    "paths are folders inside the ledger, relative to rapport.yaml",
                );
            }
        }
        if config.ladder.0.is_empty() {
            problem(
                "ladder",
                "the ladder is empty".into(),
                "list contact levels most senior first, such as `[executive, director, manager, staff]`",
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (i, level) in config.ladder.0.iter().enumerate() {
            if !seen.insert(level.to_lowercase()) {
                problem(
                    &format!("ladder[{i}]"),
                    format!("level `{level}` appears twice"),
                    "list each level once",
                );
            }
        }
        for (i, path) in config.redact.iter().enumerate() {
            if !is_front_matter_path(path) {
                problem(
                    &format!("redact[{i}]"),
                    format!("`{path}` names no front matter field"),
                    "name a field path such as `terms.price` or `money.revenue`",
                );
            }
        }
        let written = |path: &str| index.written(path);
        for setting in config.rules.problems(&config.ladder, &written) {
            problem(&setting.path, setting.message, &setting.help);
        }
        for (path, message, help) in config.portfolio.problems() {
            problem(&path, message, &help);
        }
        diagnostics.sort_by_key(|d| (d.line, d.column));
        if diagnostics.is_empty() {
            Ok(config)
        } else {
            Err(finish(file, text, diagnostics))
        }
    }
}

/// Whether `a.b` names a field of the partnership front matter schema.
fn is_front_matter_path(path: &str) -> bool {
    let root = crate::ledger::parse::schema().to_value();
    let mut schema = &root;
    for part in path.split('.') {
        let resolved = resolve_ref(&root, schema);
        let props = resolved
            .get("properties")
            .or_else(|| {
                resolved
                    .get("anyOf")
                    .and_then(|a| a.as_array())
                    .and_then(|alts| {
                        alts.iter()
                            .find_map(|alt| resolve_ref(&root, alt).get("properties"))
                    })
            })
            .or_else(|| {
                resolved
                    .get("items")
                    .and_then(|i| resolve_ref(&root, i).get("properties"))
            });
        match props.and_then(|p| p.get(part)) {
            Some(next) => schema = next,
            None => return false,
        }
    }
    true
}

fn resolve_ref<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .and_then(|name| root.get("$defs")?.get(name))
        .unwrap_or(schema)
}

/// Reads `rapport.yaml` from a ledger folder; defaults when there is none. Only a regular file
/// is read, never through a link, and at most [`LIMIT`] of it.
pub fn load(root: &std::path::Path) -> crate::error::Result<Config> {
    match read_bounded(root, FILE_NAME, LIMIT) {
        Ok(Some(bytes)) => Config::parse(FILE_NAME, &bytes).map_err(crate::Error::InvalidConfig),
        Ok(None) => Ok(Config::default()),
        Err(problem) => Err(crate::Error::InvalidConfig(vec![*problem])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_without_a_file() {
        let config = Config::parse("rapport.yaml", b"").unwrap();
        assert_eq!(config.paths, vec!["partners"]);
        assert_eq!(config.ladder, Ladder::default());
    }

    #[test]
    fn unknown_keys_get_a_hint() {
        let errors = Config::parse("rapport.yaml", b"rapport: 1\npathz: [partners]\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2);
        assert!(errors[0].message.contains("unknown key `pathz`"));
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `paths`?"));
    }

    #[test]
    fn the_health_formula_is_checked() {
        let config = Config::parse(
            "rapport.yaml",
            b"portfolio: { error: 30, healthy_from: 85 }\n",
        )
        .unwrap();
        assert_eq!(config.portfolio.error, 30.0);
        assert_eq!(config.portfolio.warning, 10.0);
        let errors = Config::parse(
            "rapport.yaml",
            b"portfolio:\n  warning: -5\n  at_risk_below: 95\n",
        )
        .unwrap_err();
        let shown: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        assert_eq!(
            shown,
            vec![(2, "`warning` of portfolio is -5, out of range")]
        );
        let errors =
            Config::parse("rapport.yaml", b"portfolio: { at_risk_below: 95 }\n").unwrap_err();
        assert_eq!(
            errors[0].message,
            "`at_risk_below` (95) is above `healthy_from` (90)"
        );
        let errors = Config::parse("rapport.yaml", b"portfolio: { eror: 30 }\n").unwrap_err();
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `error`?"));
    }

    #[test]
    fn redact_names_real_fields() {
        assert!(is_front_matter_path("terms.price"));
        assert!(is_front_matter_path("kpis.actual"));
        assert!(!is_front_matter_path("terms.prize"));
        let errors = Config::parse("rapport.yaml", b"redact: [terms.prize]\n").unwrap_err();
        assert!(errors[0].message.contains("terms.prize"));
    }
}
