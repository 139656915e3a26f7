//! `rapport.yaml` at the ledger root: which folders hold partnerships, the contact ladder, rule
//! settings, extra vocabulary and redacted fields. Validated with the same care as the ledger.

use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ledger::diagnostic::finish;
use crate::ledger::load::{Limit, read_bounded};
use crate::ledger::parse::decode;
use crate::ledger::schema_check::check_tree_readable;
use crate::ledger::selection::Selection;
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
    /// Files under the partnership folders that are not partnerships: globs from the ledger
    /// root (`partners/archive/**`); one without a `/` matches a file or folder name at any
    /// depth (`README.md`, `_*`). Names starting with `.` are never partnerships. Setting this
    /// replaces the default list.
    #[serde(default = "default_exclude")]
    pub exclude: Vec<String>,
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
    /// Who `rapport digest` mentions: owners (the `owner:` of a partnership and the contacts on
    /// our side, by name as the files write them) mapped to their handles. Only these handles
    /// ever become mentions; nothing written in a partnership file does.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub notify: std::collections::BTreeMap<String, Handles>,
}

/// One person's handles, for the digest's mentions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Handles {
    /// A GitHub login, such as `priya` (mentioned as `@priya` in the markdown digest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
    /// A Slack member id, such as `U024BE7LH` (mentioned as `<@U024BE7LH>` in `--format slack`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack: Option<String>,
    /// A Microsoft Teams user principal name, such as `priya@example.com` (mentioned with
    /// `<at>` and a mention entity in `--format teams`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams: Option<String>,
}

impl Handles {
    /// What is wrong with each handle that is not one (`(key, message, help)`): handles are
    /// written into mentions as they are, so only their own alphabet is accepted.
    fn problems(&self) -> Vec<(&'static str, String, &'static str)> {
        let mut problems = Vec::new();
        if let Some(login) = &self.github {
            let bare = login.strip_prefix('@').unwrap_or(login);
            let ok = !bare.is_empty()
                && bare.len() <= 39
                && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !bare.starts_with('-')
                && !bare.ends_with('-');
            if !ok {
                problems.push((
                    "github",
                    format!("`{login}` is not a GitHub login"),
                    "write the login alone, such as `priya` (letters, digits and inner hyphens)",
                ));
            }
        }
        if let Some(member) = &self.slack {
            let ok = member.len() >= 2
                && member.starts_with(['U', 'W'])
                && member
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if !ok {
                problems.push((
                    "slack",
                    format!("`{member}` is not a Slack member id"),
                    "copy the member id from the person's Slack profile (\"Copy member ID\"), such as `U024BE7LH`",
                ));
            }
        }
        if let Some(upn) = &self.teams {
            let ok = upn.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty()
                    && domain.contains('.')
                    && upn.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@' | '+')
                    })
                    && upn.matches('@').count() == 1
            });
            if !ok {
                problems.push((
                    "teams",
                    format!("`{upn}` is not a Microsoft Teams user principal name"),
                    "write the person's sign-in address, such as `priya@example.com`",
                ));
            }
        }
        problems
    }

    /// The GitHub login without its `@`.
    pub fn github_login(&self) -> Option<&str> {
        self.github
            .as_deref()
            .map(|login| login.strip_prefix('@').unwrap_or(login))
    }
}

fn one() -> u32 {
    1
}

fn default_paths() -> Vec<String> {
    vec!["partners".to_string()]
}

fn default_exclude() -> Vec<String> {
    crate::ledger::selection::default_exclude()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rapport: 1,
            paths: default_paths(),
            exclude: default_exclude(),
            ladder: Ladder::default(),
            redact: Vec::new(),
            rules: Settings::default(),
            vocabulary: Vocabulary::default(),
            portfolio: HealthFormula::default(),
            notify: std::collections::BTreeMap::new(),
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
    /// Which files are partnerships, with paths relative to the ledger root.
    pub fn selection(&self) -> Selection {
        // `parse` refuses a pattern that is not a glob, so this only falls back for a
        // configuration built in code.
        Selection::new(&self.paths, &self.exclude)
            .unwrap_or_else(|_| Selection::with_default_exclude(&self.paths))
    }

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
        let (problems, readable) = check_tree_readable(&tree, schema_root(), "key");
        for problem in problems {
            diagnostics.push(Diagnostic::unquoted(
                file,
                (problem.line, problem.column),
                problem.code,
                problem.message,
                Some(problem.help),
            ));
        }
        let index = yaml::PathIndex::build(&tree);
        if !diagnostics.is_empty() {
            // Every problem in one run: the settings that can be read are range-checked too.
            let read = readable.as_ref().and_then(|readable| {
                let mut fields = readable.fields.clone();
                fields.entry("rapport").or_insert(1.into());
                serde_json::from_value::<Config>(serde_json::Value::Object(fields)).ok()
            });
            if let (Some(config), Some(readable)) = (read, &readable) {
                let in_file = |path: &str| readable.path_in_file(path);
                diagnostics.extend(setting_problems(file, &config, &index, &in_file));
            }
            return Err(finish(file, text, diagnostics));
        }
        let config: Config = yaml::parse_typed(text).map_err(|p| at(p, "invalid-setting"))?;
        diagnostics.extend(setting_problems(file, &config, &index, &str::to_string));
        if diagnostics.is_empty() {
            Ok(config)
        } else {
            Err(finish(file, text, diagnostics))
        }
    }
}

/// What the types of `rapport.yaml` cannot say: versions, empty or outside paths, ladders,
/// redacted paths, and each threshold's range, each at its key (`in_file` maps a path of what
/// was read to where the file has it).
fn setting_problems(
    file: &str,
    config: &Config,
    index: &yaml::PathIndex,
    in_file: &dyn Fn(&str) -> String,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    {
        let mut problem = |path: &str, message: String, help: &str| {
            let position = index.locate(&in_file(path)).unwrap_or((1, 1));
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
        if let Err(bad) = Selection::new(&config.paths, &config.exclude) {
            problem(
                &format!("exclude[{}]", bad.index),
                format!(
                    "`{}` is not a glob: {}",
                    config.exclude.get(bad.index).map_or("", String::as_str),
                    bad.message
                ),
                "write a glob such as `README.md`, `_*` or `partners/archive/**`",
            );
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
        let written = |path: &str| index.written(&in_file(path));
        for setting in config.rules.problems(&config.ladder, &written) {
            problem(&setting.path, setting.message, &setting.help);
        }
        for (path, message, help) in config.portfolio.problems() {
            problem(&path, message, &help);
        }
        for (name, handles) in &config.notify {
            if name.trim().is_empty() {
                problem(
                    "notify",
                    "an empty name in `notify`".into(),
                    "write the name as the partnership files write it, such as `Priya Raman`",
                );
            }
            for (key, message, help) in handles.problems() {
                problem(&format!("notify.{name}.{key}"), message, help);
            }
        }
    }
    diagnostics.sort_by_key(|d| (d.line, d.column));
    diagnostics
}

/// A `rapport.yaml` for a new ledger: every setting shown with its default, commented out, so
/// the file documents what can be set and changes nothing until a line is uncommented.
pub fn commented_default() -> String {
    let default = Config::default();
    let mut out = String::from(
        "# yaml-language-server: $schema=./schema/rapport.schema.json\n\
         # rapport's configuration. Every setting is shown with its default, commented out:\n\
         # uncomment a line to change it. `rapport explain RULE` documents each rule's settings.\n\
         rapport: 1\n\n",
    );
    let mut setting = |comment: &str, line: String| {
        for part in comment.lines() {
            out.push_str(&format!("# {part}\n"));
        }
        for part in line.lines() {
            out.push_str(&format!("# {part}\n"));
        }
        out.push('\n');
    };
    setting(
        "Folders that hold partnership files, searched at any depth.",
        format!("paths: {}", json(&default.paths)),
    );
    setting(
        "Files under those folders that are not partnerships: globs from the ledger root\n\
         (`partners/archive/**`); one without a `/` matches a file or folder name at any depth.\n\
         Names starting with `.` are never partnerships. A list here replaces this one.",
        format!("exclude: {}", json(&default.exclude)),
    );
    setting(
        "Contact levels, most senior first (`contact-downgrade` compares them).",
        format!("ladder: {}", json(&default.ladder.0)),
    );
    setting(
        "Front matter fields masked in every output, such as terms.price or contacts.email.",
        "redact: []".to_string(),
    );
    let mut rules = String::from("rules:");
    if let Value::Object(map) = serde_json::to_value(&default.rules).unwrap_or_default() {
        for (rule, settings) in map {
            rules.push_str(&format!("\n  {rule}: {settings}"));
        }
    }
    setting(
        "Each rule's thresholds; `enabled: false` turns a rule off, `severity: error` (or\n\
         warning, info) replaces its severity.",
        rules,
    );
    setting(
        "Extra words for the vocabulary rules, in any language, such as { tension: [escalation] }.",
        "vocabulary: {}".to_string(),
    );
    setting(
        "Who `rapport digest` mentions: owners and our contacts, by name as the files write them,\n\
         with their handles, such as:\n{ \"Priya Raman\": { github: priya, slack: U024BE7LH, teams: priya@example.com } }",
        "notify: {}".to_string(),
    );
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// A value shown in [`commented_default`]: JSON, which YAML reads as flow style.
fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
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
        let config = Config::parse("rapport.yaml", b"").expect("an empty file is valid");
        assert_eq!(config.paths, vec!["partners"]);
        assert_eq!(config.ladder, Ladder::default());
    }

    #[test]
    fn unknown_keys_get_a_hint() {
        let errors = Config::parse("rapport.yaml", b"rapport: 1\npathz: [partners]\n")
            .expect_err("the test configuration is refused");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2);
        assert!(errors[0].message.contains("unknown key `pathz`"));
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `paths`?"));
    }

    #[test]
    fn the_commented_default_shows_every_setting_at_its_default() {
        let commented = commented_default();
        let as_is = Config::parse("rapport.yaml", commented.as_bytes()).expect("it parses");
        assert_eq!(as_is, Config::default());
        // Uncommented, every line is a setting at its default value.
        let uncommented: String = commented
            .lines()
            .filter(|line| !line.starts_with("# ") || line.starts_with("#   ") || is_key(line))
            .map(|line| line.strip_prefix("# ").unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n");
        let shown = Config::parse("rapport.yaml", uncommented.as_bytes()).expect("it parses");
        assert_eq!(shown, Config::default());
        let written: Vec<&str> = [
            "paths:",
            "exclude:",
            "ladder:",
            "redact:",
            "rules:",
            "vocabulary:",
        ]
        .into_iter()
        .filter(|key| uncommented.contains(&format!("\n{key}")))
        .collect();
        assert_eq!(written.len(), 6, "{uncommented}");
        assert!(
            uncommented.contains("payment-terms-slip: {"),
            "{uncommented}"
        );
    }

    fn is_key(line: &str) -> bool {
        line.strip_prefix("# ")
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(key, _)| !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase()))
    }

    #[test]
    fn settings_out_of_range_are_reported_beside_unknown_keys() {
        let text = "rapport: 1\npathz: [partners]\nladder: [executive, 5, manager, manager]\nrules:\n  value-gap: { window_days: -30 }\n  payment-terms-slip: { eror_days: 60 }\n";
        let errors = Config::parse("rapport.yaml", text.as_bytes())
            .expect_err("the test configuration is refused");
        let found: Vec<(usize, &str)> = errors.iter().map(|d| (d.line, d.code)).collect();
        assert_eq!(
            found,
            [
                (2, "unknown-field"),
                (3, "invalid-type"),
                (3, "invalid-setting"),
                (5, "invalid-setting"),
                (6, "unknown-field"),
            ],
            "{errors:#?}"
        );
        // The repeated level is the file's fourth entry, though the second could not be read.
        assert_eq!(errors[2].column, 33, "{errors:#?}");
        assert!(errors[3].message.contains("window_days"), "{errors:#?}");
    }

    #[test]
    fn the_health_formula_is_checked() {
        let config = Config::parse(
            "rapport.yaml",
            b"portfolio: { error: 30, healthy_from: 85 }\n",
        )
        .expect("the test configuration is valid");
        assert_eq!(config.portfolio.error, 30.0);
        assert_eq!(config.portfolio.warning, 10.0);
        let errors = Config::parse(
            "rapport.yaml",
            b"portfolio:\n  warning: -5\n  at_risk_below: 95\n",
        )
        .expect_err("the test configuration is refused");
        let shown: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        assert_eq!(
            shown,
            vec![(2, "`warning` of portfolio is -5, out of range")]
        );
        let errors = Config::parse("rapport.yaml", b"portfolio: { at_risk_below: 95 }\n")
            .expect_err("the test configuration is refused");
        assert_eq!(
            errors[0].message,
            "`at_risk_below` (95) is above `healthy_from` (85)"
        );
        let errors = Config::parse("rapport.yaml", b"portfolio: { halving: 0 }\n")
            .expect_err("a halving of 0 is refused");
        assert_eq!(
            errors[0].message,
            "`halving` of portfolio is 0, out of range"
        );
        let errors = Config::parse("rapport.yaml", b"portfolio: { eror: 30 }\n")
            .expect_err("the test configuration is refused");
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `error`?"));
    }

    #[test]
    fn redact_names_real_fields() {
        assert!(is_front_matter_path("terms.price"));
        assert!(is_front_matter_path("kpis.actual"));
        assert!(!is_front_matter_path("terms.prize"));
        let errors = Config::parse("rapport.yaml", b"redact: [terms.prize]\n")
            .expect_err("the test configuration is refused");
        assert!(errors[0].message.contains("terms.prize"));
    }
}
