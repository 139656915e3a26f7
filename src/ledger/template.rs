//! The text rapport writes into a ledger: a new partnership file (required fields filled, the
//! optional blocks as comments to fill in) and a dated meeting section in the line endings and
//! language of the file it is added to. Each passes `rapport check` as written.

use super::date::Date;
use super::model::Contact;

/// An id for a partner's name, transliterated to ASCII (`Müller` → `muller`, `Société` →
/// `societe`, `北风科技` → `bei-feng-ke-ji`, one pinyin syllable per character: grouping
/// syllables into words would need a dictionary, and the same name always gives the same id),
/// then lowercase letters and digits, other characters as one `-`. `None` when nothing of the
/// name transliterates to a letter or digit: the id must then be chosen by hand.
pub fn slug(name: &str) -> Option<String> {
    let mut slug = String::new();
    for c in deunicode::deunicode(name).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    (!slug.is_empty()).then_some(slug)
}

/// What a new partnership file starts with.
pub struct NewPartnership<'a> {
    pub id: &'a str,
    pub partner: &'a str,
    pub status: &'a str,
    pub owner: &'a str,
    pub since: Date,
}

/// The text of a new partnership file. Text the user gave is written as YAML double-quoted
/// scalars, so a name such as `Acme: "Cloud" #1` stays one value.
pub fn partnership(new: &NewPartnership<'_>) -> String {
    let partner = quoted(new.partner);
    let owner = quoted(new.owner);
    let (id, status, since) = (new.id, new.status, new.since);
    format!(
        r#"---
rapport: 1
id: {id}
partner: {partner}
status: {status}            # prospect, onboarding, active, paused, ending, ended
owner: {owner}
since: {since}
# The blocks below are optional: uncomment and fill in what you know. `rapport schema` lists
# every field; a rule whose data is absent says nothing.
# launched: YYYY-MM-DD       # go-to-market launch; starts the early-wins clock
# plan: {{ agreed: YYYY-MM-DD, segments: [EU healthcare] }}
contacts:
  - {{ name: {owner}, side: ours, primary: true }}
#  - {{ name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true, email: dana@example.com }}
# terms: {{ payment_days: 30, price: 120000, currency: EUR, renewal: YYYY-MM-DD }}
# money: {{ revenue: 0, invested: 0 }}
# effort: {{ hours_per_month: 20 }}
# kpis:
#   - {{ id: sourced-pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000, actual: 0, as_of: YYYY-MM-DD }}
# slas:
#   - {{ id: p1-response, name: P1 first response, unit: hours, target: 4, actual: 4, better: lower, as_of: YYYY-MM-DD }}
# scope:
#   - {{ id: eu-hosting, summary: Managed hosting for EU tenants, owner: partner, sla: p1-response }}
# requirements:
#   - {{ id: sso, need: SAML single sign-on for our tenants, status: open, raised: YYYY-MM-DD }}
# offers:
#   - {{ summary: Premium analytics bundle, date: YYYY-MM-DD }}
# invoices:
#   - {{ id: INV-001, payer: ours, amount: 30000, issued: YYYY-MM-DD, due: YYYY-MM-DD }}
# support: {{ open_tickets: 0, sla_breaches: 0, reopened: 0 }}
# satisfaction: {{ score: 4, as_of: YYYY-MM-DD }}
# wins:
#   - {{ date: YYYY-MM-DD, summary: First joint customer, value: 50000 }}
# events:
#   - {{ date: YYYY-MM-DD, kind: leadership-change, note: New VP Alliances at the partner }}
# acknowledged:
#   - {{ rule: payment-terms-slip, reason: Why the team accepts it, until: YYYY-MM-DD }}
---

# {title}

<!-- Meeting notes go below, one level-2 heading per meeting, dated:
     `rapport note {id} --title "Kick-off"` adds one with its Attendees: line. -->
"#,
        title = new.partner.replace(['\r', '\n'], " "),
    )
}

/// The example partnership of a new ledger, dated `today`: every common block filled in the way
/// a team writes them, and a first meeting with action items on both sides.
pub fn example(today: Date) -> String {
    format!(
        r#"---
rapport: 1
partner: Northwind Analytics
status: onboarding
owner: Priya Raman
since: {today}
plan: {{ agreed: {today}, segments: [EU healthcare] }}
contacts:
  - {{ name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true }}
  - {{ name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }}
terms: {{ payment_days: 30, price: 120000, currency: EUR }}
kpis:
  - {{ id: sourced-pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000 }}
slas:
  - {{ id: p1-response, name: P1 first response, unit: hours, target: 4, better: lower }}
scope:
  - {{ id: eu-hosting, summary: Managed hosting for EU tenants, owner: partner, sla: p1-response }}
  - {{ id: enablement, summary: Sales enablement for our account teams, owner: shared }}
---

# Northwind Analytics

An example partnership: edit it into your first real one, or delete it. `rapport new "Partner
Name"` starts another, `rapport note northwind --title "..."` adds a meeting.

## {today} Kick-off
Attendees: Dana Whitfield, Priya Raman

Agreed the go-to-market plan for EU healthcare and the first pipeline target.

- [ ] partner: name the solution architect for the first joint customer
- [ ] ours: share the account list for the enablement sessions
"#
    )
}

/// A YAML double-quoted scalar: only `"`, `\` and control characters are escaped, so
/// Chinese and other text stays readable.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// How the file a section is added to writes: its line ending, and whether its meetings are
/// noted in Chinese (`参会人员：`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub crlf: bool,
    pub chinese: bool,
}

impl Style {
    /// The style of an existing file: CRLF when most of its lines end so, Chinese attendee
    /// lines when it has some and no English ones.
    pub fn of(text: &str) -> Style {
        let lines = text.matches('\n').count();
        let crlf = text.matches("\r\n").count();
        Style {
            crlf: lines > 0 && crlf * 2 > lines,
            chinese: text.contains("参会人员") && !text.contains("Attendees:"),
        }
    }
}

/// A meeting to add to a file.
pub struct NewMeeting<'a> {
    pub date: Date,
    pub title: &'a str,
    /// The current primary contacts, named on the `Attendees:` line.
    pub attendees: &'a [&'a Contact],
    /// The notes, when the user gave them; else a line saying where they go.
    pub notes: Option<&'a str>,
}

/// A dated meeting section: heading, attendees, notes, and an action-item stub (a comment, so
/// an untouched stub adds no item), in `style`, ending with a line ending.
pub fn meeting(meeting: &NewMeeting<'_>, style: Style) -> String {
    let names: Vec<&str> = meeting.attendees.iter().map(|c| c.name.as_str()).collect();
    let title = meeting.title.replace(['\r', '\n'], " ");
    let attendees = if style.chinese {
        format!("参会人员：{}", names.join("、"))
    } else {
        format!("Attendees: {}", names.join(", "))
    };
    let notes = match meeting.notes.map(str::trim) {
        Some(notes) if !notes.is_empty() => notes.to_string(),
        _ => "<!-- What was said and agreed. -->".to_string(),
    };
    let stub = "<!-- Action items, one per line: `- [ ] partner: what they do next (due YYYY-MM-DD)`, \
                `- [ ] ours: what we do next`; check one (`- [x]`) when it is done. -->";
    let text = format!(
        "## {date} {title}\n{attendees}\n\n{notes}\n\n{stub}\n",
        date = meeting.date,
        title = title.trim(),
    );
    with_endings(&text, style.crlf)
}

/// `text` with every line ending made `\n`, or `\r\n` when `crlf`.
pub fn with_endings(text: &str, crlf: bool) -> String {
    let unix = text.replace("\r\n", "\n").replace('\r', "\n");
    if crlf {
        unix.replace('\n', "\r\n")
    } else {
        unix
    }
}

/// What goes between a file's last byte and a section added after it: the line the file's last
/// line lacks, and one empty line, so the section is a block of its own.
pub fn separator(text: &str, style: Style) -> String {
    let nl = if style.crlf { "\r\n" } else { "\n" };
    let trimmed = text.trim_end_matches([' ', '\t']);
    let ends = &trimmed[trimmed.trim_end_matches(['\r', '\n']).len()..];
    match ends.matches('\n').count() {
        _ if text.is_empty() => String::new(),
        0 => format!("{nl}{nl}"),
        1 => nl.to_string(),
        _ => String::new(),
    }
}

/// The pull-request workflow, as `ci/github/rapport.yml` ships it.
const WORKFLOW: &str = include_str!("../../ci/github/rapport.yml");

/// The weekly digest workflow, as `ci/github/digest.yml` ships it.
const DIGEST_WORKFLOW: &str = include_str!("../../ci/github/digest.yml");

/// Where a file `rapport init` writes goes: under the ledger root, or at the repository's top,
/// where GitHub and pre-commit look for the CI files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Ledger,
    Top,
}

/// What `rapport init` writes that the ledger does not make itself: the commented configuration
/// (its file name and text) and the JSON Schemas of a partnership file and of the configuration.
pub struct Generated {
    pub config: (&'static str, String),
    pub partnership_schema: String,
    pub config_schema: String,
}

/// The files `rapport init` writes for a ledger `prefix` below the repository's top
/// (`/`-terminated, or empty), in order: where each goes, its path there and its text.
pub fn init_files(prefix: &str, today: Date, generated: Generated) -> Vec<(Place, String, String)> {
    let (config_name, config) = generated.config;
    vec![
        (Place::Ledger, config_name.into(), config),
        (
            Place::Ledger,
            "partners/northwind.md".into(),
            example(today),
        ),
        (
            Place::Ledger,
            "schema/partnership.schema.json".into(),
            generated.partnership_schema,
        ),
        (
            Place::Ledger,
            "schema/rapport.schema.json".into(),
            generated.config_schema,
        ),
        (
            Place::Top,
            ".github/workflows/rapport.yml".into(),
            workflow(prefix),
        ),
        (
            Place::Top,
            ".github/workflows/rapport-digest.yml".into(),
            digest_workflow(prefix),
        ),
        (
            Place::Top,
            ".pre-commit-config.yaml".into(),
            pre_commit(prefix),
        ),
    ]
}

/// The workflow for a ledger `prefix` below the repository's top (`/`-terminated, or empty).
fn workflow(prefix: &str) -> String {
    if prefix.is_empty() {
        return WORKFLOW.to_string();
    }
    let folder = prefix.trim_end_matches('/');
    WORKFLOW
        .replace("\"partners/**\"", &format!("\"{prefix}partners/**\""))
        .replace("\"rapport.yaml\"", &format!("\"{prefix}rapport.yaml\""))
        .replace(
            "          fail-on: error",
            &format!("          path: {folder}\n          fail-on: error"),
        )
}

/// The weekly digest workflow for a ledger `prefix` below the repository's top.
fn digest_workflow(prefix: &str) -> String {
    if prefix.is_empty() {
        return DIGEST_WORKFLOW.to_string();
    }
    let folder = prefix.trim_end_matches('/');
    DIGEST_WORKFLOW.replace(
        "rapport digest . --since",
        &format!("rapport digest {folder} --since"),
    )
}

/// The pre-commit hooks, run with the rapport on `PATH`: on commit, `rapport check` on the
/// staged partnership files alone (each with its own history: milliseconds on a large ledger);
/// on push, the gate on what the pushed commits do.
fn pre_commit(prefix: &str) -> String {
    let escaped = prefix.replace('.', "\\.");
    format!(
        r#"# pre-commit hooks for this ledger (https://pre-commit.com), using the rapport on PATH.
# Install them with: pre-commit install --hook-type pre-commit --hook-type pre-push
repos:
  - repo: local
    hooks:
      - id: rapport-check
        name: rapport check
        description: Validate the staged partnership files; fail on an error-level warning sign.
        entry: rapport check --fail-on error
        language: system
        files: '^{escaped}(partners/.*\.md|rapport\.yaml)$'
      - id: rapport-report
        name: rapport pre-push gate
        description: >-
          Fail on error-level warning signs the pushed commits introduce or worsen, compared
          with origin/HEAD, else the branch's upstream, else origin/main or origin/master.
        entry: rapport check {path} --base
        language: system
        pass_filenames: false
        files: '^{escaped}(partners/.*\.md|rapport\.yaml)$'
        stages: [pre-push]
"#,
        path = if prefix.is_empty() {
            "."
        } else {
            prefix.trim_end_matches('/')
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_ascii_letters_and_digits() {
        assert_eq!(
            slug("Northwind Analytics").as_deref(),
            Some("northwind-analytics")
        );
        assert_eq!(
            slug("  Kestrel Distribution GmbH & Co. KG ").as_deref(),
            Some("kestrel-distribution-gmbh-co-kg")
        );
        assert_eq!(slug("Tidewater 2.0").as_deref(), Some("tidewater-2-0"));
        assert_eq!(slug("Zürich Data AG").as_deref(), Some("zurich-data-ag"));
        assert_eq!(
            slug("Müller Systemhaus GmbH").as_deref(),
            Some("muller-systemhaus-gmbh")
        );
        assert_eq!(
            slug("Société Générale").as_deref(),
            Some("societe-generale")
        );
        assert_eq!(slug("北风科技").as_deref(), Some("bei-feng-ke-ji"));
        assert_eq!(slug("北风 Cloud").as_deref(), Some("bei-feng-cloud"));
        assert_eq!(slug("—・—"), None);
    }

    #[test]
    fn line_endings_and_language_follow_the_file() {
        assert_eq!(
            Style::of("---\r\na: 1\r\n---\r\n"),
            Style {
                crlf: true,
                chinese: false
            }
        );
        assert!(!Style::of("a\nb\r\nc\n").crlf);
        assert!(Style::of("## 2024-06-12 季度回顾\n参会人员：王伟、Priya\n").chinese);
        assert_eq!(separator("text", Style::of("")), "\n\n");
        assert_eq!(separator("text\n", Style::of("")), "\n");
        assert_eq!(separator("text\n\n", Style::of("")), "");
        let crlf = Style {
            crlf: true,
            chinese: false,
        };
        assert_eq!(separator("text\r\n", crlf), "\r\n");
        assert_eq!(separator("text\r\n\r\n", crlf), "");
    }

    #[test]
    fn a_new_file_parses_as_written_and_with_every_optional_block_filled_in() {
        let today = Date::parse("2025-03-01").expect("a date");
        let text = partnership(&NewPartnership {
            id: "kestrel",
            partner: "Kestrel Distribution GmbH",
            status: "active",
            owner: "Jonas Weber",
            since: today,
        });
        let ladder = crate::ledger::Ladder::default();
        let written = crate::ledger::parse::parse_partnership(
            "partners/kestrel.md",
            text.as_bytes(),
            &ladder,
        )
        .expect("the new file parses");
        assert_eq!(written.id, "kestrel");
        // A user uncommenting every block and writing dates gets a valid file too.
        let filled: String = text
            .lines()
            .map(|line| match line.strip_prefix('#') {
                Some(rest) if rest.starts_with("  ") => rest.to_string(),
                Some(rest)
                    if rest.strip_prefix(' ').is_some_and(|r| {
                        r.split_once(':')
                            .is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_lowercase()))
                    }) =>
                {
                    rest[1..].to_string()
                }
                _ => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
            .replace("YYYY-MM-DD", "2025-06-15");
        assert!(filled.contains("\nslas:\n"), "{filled}");
        let full = crate::ledger::parse::parse_partnership(
            "partners/kestrel.md",
            filled.as_bytes(),
            &ladder,
        )
        .unwrap_or_else(|d| panic!("{d:#?}\n{filled}"));
        assert_eq!(full.front.contacts.len(), 2);
        assert!(full.front.terms.is_some() && !full.front.kpis.is_empty());
        let example = crate::ledger::parse::parse_partnership(
            "partners/northwind.md",
            example(today).as_bytes(),
            &ladder,
        )
        .expect("the example parses");
        assert_eq!(example.body.meetings.len(), 1);
    }

    #[test]
    fn quoting_keeps_one_value() {
        assert_eq!(quoted(r#"Acme: "Cloud" #1"#), r#""Acme: \"Cloud\" #1""#);
        assert_eq!(quoted("北风科技"), "\"北风科技\"");
    }
}
