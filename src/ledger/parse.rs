//! From the bytes of one partnership file to a typed [`Snapshot`], or to every problem that can
//! be found in it: unreadable bytes, missing front matter, YAML errors, unknown fields (all of
//! them, with "did you mean"), wrong types, and the checks in `validate`.

use std::sync::OnceLock;

use serde_json::Value;

use super::Snapshot;
use super::body::parse_body;
use super::diagnostic::{Diagnostic, finish};
use super::ladder::Ladder;
use super::model::FrontMatter;
use super::parse_cache::ParseCache;
use super::schema_check::{Readable, check_tree_readable};
use super::validate::{Problem, validate};
use super::yaml::{self, Node, PathIndex};

/// Partnership files larger than this are refused: a real one is a few dozen kilobytes.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// The parts of a file: front matter text (without the `---` lines) and the body, each with the
/// 1-based line it starts on.
pub struct Split<'a> {
    pub front: &'a str,
    pub front_line: usize,
    pub body: &'a str,
    pub body_line: usize,
}

/// Checks the bytes are text a person wrote, returning the text.
pub fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, Box<Diagnostic>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Box::new(too_large(file, bytes.len() as u64)));
    }
    // UTF-16 has a NUL in every ASCII character: named for what it is, not called binary.
    let utf16 = match bytes {
        [0xff, 0xfe, ..] => Some("little-endian"),
        [0xfe, 0xff, ..] => Some("big-endian"),
        _ => None,
    };
    if let Some(order) = utf16 {
        return Err(Box::new(Diagnostic::file(
            file,
            "not-utf8",
            format!("file is UTF-16 ({order}, with a byte-order mark), not UTF-8"),
            format!(
                "save the file as UTF-8 (most editors have an \"encoding\" setting), or convert it: \
                 iconv -f UTF-16 -t UTF-8 {file} > {file}.utf8 && mv {file}.utf8 {file}"
            ),
        )));
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err(Box::new(Diagnostic::file(
            file,
            "binary-file",
            "file looks binary (it contains NUL bytes), not a Markdown partnership file",
            "move binary files out of the partnership folders, or change `paths` in rapport.yaml",
        )));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&valid[line_start..])
                .chars()
                .count()
                + 1;
            Err(Box::new(Diagnostic {
                file: file.to_string(),
                line,
                column,
                code: "not-utf8",
                message: format!(
                    "file is not valid UTF-8 (byte 0x{:02x})",
                    bytes[error.valid_up_to()]
                ),
                help: Some(
                    "save the file as UTF-8 (most editors have an \"encoding\" setting)".into(),
                ),
                source_line: None,
                source_column: None,
            }))
        }
    }
}

/// The problem of a file over [`MAX_FILE_BYTES`], which is refused without being read.
pub fn too_large(file: &str, len: u64) -> Diagnostic {
    Diagnostic::file(
        file,
        "file-too-large",
        format!(
            "file is {} KiB; partnership files are limited to {} KiB",
            len / 1024,
            MAX_FILE_BYTES / 1024
        ),
        "keep one partnership per file and move bulky material (exports, attachments) out of the ledger",
    )
}

/// Splits `---` front matter from the body. A byte-order mark before the first `---` is not
/// part of the file's lines (editors on Windows write one), so lines count as without it.
pub fn split(text: &str) -> Option<Split<'_>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next()?;
    if first.trim_end() != "---" {
        return None;
    }
    let mut offset = first.len();
    for (line_no, line) in (2..).zip(lines) {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let front = &text[first.len()..offset];
            let body = &text[offset + line.len()..];
            return Some(Split {
                front,
                front_line: 2,
                body,
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    None
}

/// The id a file gets when its front matter does not set one: its stem.
pub fn default_id(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name).to_string()
}

/// Parses and validates one partnership file. `file` is the path shown to the user.
pub fn parse_partnership(
    file: &str,
    bytes: &[u8],
    ladder: &Ladder,
) -> Result<Snapshot, Vec<Diagnostic>> {
    parse_reusing(file, bytes, ladder, None)
}

/// [`parse_partnership`], reusing the parts of the file a [`ParseCache`] has seen before.
pub(crate) fn parse_reusing(
    file: &str,
    bytes: &[u8],
    ladder: &Ladder,
    cache: Option<&ParseCache>,
) -> Result<Snapshot, Vec<Diagnostic>> {
    let text = decode(file, bytes).map_err(|d| vec![*d])?;
    let Some(parts) = split(text) else {
        return Err(vec![Diagnostic::at(
            file,
            text,
            (1, 1),
            "no-front-matter",
            "no front matter: a partnership file starts with a `---` line, its YAML fields, and a closing `---` line",
            Some("start the file with:\n---\nrapport: 1\npartner: Example Corp\nstatus: active\nowner: Your Name\n---".into()),
        )]);
    };
    let (front, mut diagnostics) = match cache {
        Some(cache) => cache.front(file, parts.front, |alone| {
            parse_front(file, text, &parts, ladder, alone)
        }),
        None => parse_front(file, text, &parts, ladder, None),
    };
    let (body, problems) = match cache {
        Some(cache) => cache.body(file, parts.body, parts.body_line),
        None => parse_body(parts.body, parts.body_line),
    };
    let mut warnings = Vec::new();
    for problem in problems {
        let diagnostic = Diagnostic::unquoted(
            file,
            (problem.line, problem.column),
            problem.code,
            problem.message,
            Some(problem.help),
        );
        if problem.warning {
            warnings.push(diagnostic);
        } else {
            diagnostics.push(diagnostic);
        }
    }
    match front {
        Some(front) if diagnostics.is_empty() => {
            let id = front.id.clone().unwrap_or_else(|| default_id(file));
            let warnings = if warnings.is_empty() {
                warnings
            } else {
                finish(file, text, warnings)
            };
            Ok(Snapshot {
                id,
                path: file.to_string(),
                front,
                body,
                warnings,
            })
        }
        _ => Err(finish(file, text, diagnostics)),
    }
}

/// The front matter, shared: versions of a file with the same front matter hold one copy.
/// `alone` is the front matter already read field by field (see `front_fields`), if it could be.
fn parse_front(
    file: &str,
    text: &str,
    parts: &Split<'_>,
    ladder: &Ladder,
    alone: Option<FrontMatter>,
) -> (Option<std::sync::Arc<FrontMatter>>, Vec<Diagnostic>) {
    if let Some(front) = quick_front(parts.front, ladder, alone) {
        return (Some(front.into()), Vec::new());
    }
    let (front, diagnostics) = positioned_front(file, text, parts, ladder);
    (front.map(Into::into), diagnostics)
}

/// The front matter read straight into its types, without positions, which only a problem
/// needs: `None` whenever anything is wrong (the types refuse unknown and repeated fields), so
/// that the positioned reading finds and places every problem.
fn quick_front(front: &str, ladder: &Ladder, alone: Option<FrontMatter>) -> Option<FrontMatter> {
    let front: FrontMatter = match alone {
        Some(front) => front,
        None => yaml::parse_typed(front).ok()?,
    };
    validate(&front, ladder).is_empty().then_some(front)
}

fn positioned_front(
    file: &str,
    text: &str,
    parts: &Split<'_>,
    ladder: &Ladder,
) -> (Option<FrontMatter>, Vec<Diagnostic>) {
    let shift = |(line, column): (usize, usize)| (line + parts.front_line - 1, column);
    let mut diagnostics = Vec::new();
    let tree = match yaml::parse_tree(parts.front) {
        Ok(tree) => tree,
        Err(problem) => {
            let code = if problem.message.starts_with("refused") {
                "yaml-limit"
            } else {
                "yaml-syntax"
            };
            let help = problem.help.or_else(|| Some("fix the YAML syntax of the front matter; quote values that contain `: ` or start with a special character".into()));
            diagnostics.push(Diagnostic::at(
                file,
                text,
                shift((problem.line, problem.column)),
                code,
                problem.message,
                help,
            ));
            return (None, diagnostics);
        }
    };
    if !matches!(tree.value, Node::Map(_)) {
        diagnostics.push(Diagnostic::at(
            file,
            text,
            shift((
                tree.referenced.line() as usize,
                tree.referenced.column() as usize,
            )),
            "yaml-shape",
            format!(
                "the front matter must be a mapping of fields, but it is {}",
                tree.value.kind()
            ),
            Some("write one `field: value` per line between the `---` lines".into()),
        ));
        return (None, diagnostics);
    }
    // Quoted once the file's problems are counted (see `finish`): a file can hold many.
    let (problems, readable) = check_tree_readable(&tree, schema_root(), "field");
    for problem in problems {
        diagnostics.push(Diagnostic::unquoted(
            file,
            shift((problem.line, problem.column)),
            problem.code,
            problem.message,
            Some(problem.help),
        ));
    }
    if !diagnostics.is_empty() {
        // Every problem in one run: the values that can be read are checked too.
        let index = PathIndex::build(&tree);
        for problem in readable
            .map(|r| validate_readable(r, ladder))
            .unwrap_or_default()
        {
            let position = index
                .locate(&problem.path)
                .map(shift)
                .unwrap_or((parts.front_line, 1));
            diagnostics.push(Diagnostic::unquoted(
                file,
                position,
                problem.code,
                problem.message,
                Some(problem.help),
            ));
        }
        return (None, diagnostics);
    }
    let typed = yaml::typed_from_tree(&tree).map_or_else(|| yaml::parse_typed(parts.front), Ok);
    let front: FrontMatter = match typed {
        Ok(front) => front,
        Err(problem) => {
            let (message, help) = explain_type_error(&problem.message);
            diagnostics.push(Diagnostic::at(
                file,
                text,
                shift((problem.line, problem.column)),
                "invalid-value",
                message,
                help,
            ));
            return (None, diagnostics);
        }
    };
    let problems = validate(&front, ladder);
    // Only a problem needs positions; most versions have none.
    let index = if problems.is_empty() {
        PathIndex::default()
    } else {
        PathIndex::build(&tree)
    };
    for problem in problems {
        let position = index
            .locate(&problem.path)
            .map(shift)
            .unwrap_or((parts.front_line, 1));
        diagnostics.push(Diagnostic::unquoted(
            file,
            position,
            problem.code,
            problem.message,
            Some(problem.help),
        ));
    }
    (Some(front), diagnostics)
}

/// The checks of `validate` on what can be read of a front matter that has structural
/// problems, with paths as the file writes them.
fn validate_readable(readable: Readable, ladder: &Ladder) -> Vec<Problem> {
    let mut fields = readable.fields.clone();
    // Required fields that could not be read are stood in for; none of them is checked here.
    for (name, stand_in) in [
        ("rapport", Value::from(1)),
        ("partner", Value::from("-")),
        ("status", Value::from("active")),
        ("owner", Value::from("-")),
    ] {
        fields.entry(name).or_insert(stand_in);
    }
    let Ok(front) = serde_json::from_value::<FrontMatter>(Value::Object(fields)) else {
        return Vec::new();
    };
    validate(&front, ladder)
        .into_iter()
        .map(|mut problem| {
            problem.path = readable.path_in_file(&problem.path);
            problem
        })
        .collect()
}

fn explain_type_error(message: &str) -> (String, Option<String>) {
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return (
            format!("missing required field `{field}`"),
            Some(format!(
                "add `{field}:`; every partnership needs `rapport`, `partner`, `status` and `owner`"
            )),
        );
    }
    if message.contains("unknown variant") {
        let given = message.split('`').nth(1).unwrap_or("");
        let expected: Vec<&str> = message.split('`').skip(3).step_by(2).collect();
        let help = match yaml::closest(given, expected.iter().copied()) {
            Some(name) => format!("did you mean `{name}`? allowed: {}", expected.join(", ")),
            None => format!("allowed values: {}", expected.join(", ")),
        };
        return (
            format!("`{given}` is not an allowed value here"),
            Some(help),
        );
    }
    (
        message.to_string(),
        Some(
            "check the value's type against the format reference (`rapport schema` prints it)"
                .into(),
        ),
    )
}

/// The front matter's JSON Schema, generated from the Rust types.
pub fn schema() -> schemars::Schema {
    schemars::schema_for!(FrontMatter)
}

fn schema_root() -> &'static Value {
    static ROOT: OnceLock<Value> = OnceLock::new();
    ROOT.get_or_init(|| schema().to_value())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRONT: &str = "---
rapport: 1
partner: Northwind Analytics
status: active
owner: Priya Raman
since: 2024-01-15
launched: 2024-03-01
plan:
  agreed: 2024-02-10
  segments: [EU healthcare]
contacts:
  - { name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true }
  - { name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }
terms: { payment_days: 30, price: 120000, currency: EUR, renewal: 2025-01-15 }
money: { revenue: 150000, invested: 220000.5 }
effort: { hours_per_month: 60 }
kpis:
  - { id: sourced-pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000, actual: 90000, as_of: 2024-06-30 }
slas:
  - { id: p1-response, name: P1 first response, unit: hours, target: 4, actual: 9, better: lower, as_of: 2024-06-30 }
scope:
  - { id: eu-hosting, summary: Managed hosting for EU tenants, owner: partner, sla: p1-response }
requirements:
  - { id: sso, need: SAML single sign-on for our tenants, status: open, raised: 2024-02-01 }
offers:
  - { summary: Premium analytics bundle, date: 2024-05-02 }
invoices:
  - { id: INV-2024-07, payer: ours, amount: 30000, due: 2024-07-31, paid: 2024-09-15 }
support: { open_tickets: 12, sla_breaches: 3 }
satisfaction: { score: 4.1, as_of: 2024-06-30 }
wins:
  - { date: 2024-05-20, summary: Regional hospital group, value: 80000 }
events:
  - { date: 2024-08-01, kind: layoffs, note: Partner cut 10% of its EU staff }
acknowledged:
  - { rule: payment-terms-slip, reason: Net-45 agreed in exchange for volume discount, until: 2025-01-15 }
---
";

    fn both(text: &str) -> (Option<FrontMatter>, (Option<FrontMatter>, Vec<Diagnostic>)) {
        let parts = split(text).expect("front matter");
        let ladder = Ladder::default();
        (
            quick_front(parts.front, &ladder, None),
            positioned_front("p.md", text, &parts, &ladder),
        )
    }

    #[test]
    fn the_quick_reading_equals_the_positioned_one() {
        let (quick, (positioned, diagnostics)) = both(FRONT);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert!(quick.is_some());
        assert_eq!(quick, positioned);
        // Every field of the format, read one at a time, reads as in the whole.
        let front = split(FRONT).expect("front matter").front;
        let alone = crate::ledger::front_fields::assemble(front, |lines| {
            crate::ledger::front_fields::read_field(lines).map(Into::into)
        });
        assert_eq!(alone, quick);
    }

    #[test]
    fn values_are_checked_in_a_file_with_structural_errors() {
        let broken = FRONT
            .replace("payment_days: 30", "payment_dayz: 30")
            .replace("currency: EUR", "currency: usd")
            .replace("status: active", "status: actve")
            .replace("kpis:\n", "kpis:\n  - { name: no id, actual: x }\n")
            .replace("score: 4.1", "score: 7")
            .replace("sla: p1-response", "sla: p1-respons");
        let (front, diagnostics) = both(&broken).1;
        assert!(front.is_none());
        let found: Vec<(usize, &str, &str)> = diagnostics
            .iter()
            .map(|d| (d.line, d.code, d.help.as_deref().unwrap_or("")))
            .collect();
        let codes: Vec<&str> = found.iter().map(|f| f.1).collect();
        for code in [
            "invalid-value",
            "unknown-field",
            "invalid-currency",
            "missing-field",
            "invalid-type",
            "out-of-range",
            "broken-reference",
        ] {
            assert!(codes.contains(&code), "{code} in {found:#?}");
        }
        let currency = found
            .iter()
            .find(|f| f.1 == "invalid-currency")
            .expect("currency");
        assert_eq!(currency.0, 14);
        assert!(
            currency.2.starts_with("did you mean `USD`?"),
            "{}",
            currency.2
        );
        let reference = found
            .iter()
            .find(|f| f.1 == "broken-reference")
            .expect("reference");
        assert_eq!(reference.0, 23);
        assert!(reference.2.contains("did you mean `p1-response`?"));
        // The unreadable first KPI does not shift the second: its line is still its own.
        let score = found.iter().find(|f| f.1 == "out-of-range").expect("score");
        assert_eq!(score.0, 31);
    }

    #[test]
    fn a_kpi_period_needs_an_end_after_its_start_and_slas_have_none() {
        let dated = FRONT.replace(
            "kpis:\n",
            "kpis:\n  - { id: annual, target: 10, actual: 1, from: 2024-01-01, by: 2024-12-31 }\n  - { id: open, target: 10, from: 2024-01-01 }\n  - { id: backwards, target: 10, from: 2024-12-31, by: 2024-01-01 }\n",
        );
        let dated = dated.replace(
            "slas:\n",
            "slas:\n  - { id: uptime, target: 99, by: 2024-12-31 }\n",
        );
        let (_, diagnostics) = both(&dated).1;
        let found: Vec<(&str, &str)> = diagnostics
            .iter()
            .map(|d| (d.code, d.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "missing-field",
                    "`open` has a `from` but no `by`: its period has no end"
                ),
                (
                    "out-of-range",
                    "`by` (2024-01-01) of `backwards` is not after its `from` (2024-12-31)"
                ),
                (
                    "unknown-field",
                    "`uptime` of `slas` has a period (`from`, `by`): only KPIs have one"
                ),
            ]
        );
    }

    #[test]
    fn a_broken_entry_keeps_the_others_where_the_file_has_them() {
        let broken = FRONT.replace(
            "kpis:\n",
            "kpis:\n  - { name: no id }\n  - { id: dup, actual: 1 }\n  - { id: dup, actual: 2 }\n",
        );
        let (_, diagnostics) = both(&broken).1;
        let duplicate = diagnostics
            .iter()
            .find(|d| d.code == "duplicate-id")
            .expect("the duplicate found despite the missing id");
        // `kpis[1]` of what could be read is the file's third entry, on line 20.
        assert_eq!(duplicate.line, 20, "{diagnostics:#?}");
    }

    #[test]
    fn any_problem_takes_the_positioned_reading() {
        for broken in [
            FRONT.replace("payment_days: 30", "pament_days: 30"),
            FRONT.replace("payment_days: 30", "payment_days: thirty"),
            FRONT.replace("level: executive", "level: boss"),
            FRONT.replace("status: active", "status: active\nstatus: paused"),
            FRONT.replace("score: 4.1", "score: .nan"),
        ] {
            let (quick, (_, diagnostics)) = both(&broken);
            assert!(quick.is_none(), "{broken}");
            assert!(
                !diagnostics.is_empty() || broken.contains(".nan"),
                "{broken}"
            );
        }
    }
}
