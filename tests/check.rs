//! `rapport check` on a folder: one clear error per problem, positioned and quoted, exit codes
//! with meaning, and no panic whatever the input.

mod common;

use std::path::Path;

use common::{Output, Test};
use tempfile::TempDir;

/// A ledger folder built file by file, then checked.
struct Ledger {
    dir: TempDir,
}

const VALID: &str = "---
rapport: 1
partner: Northwind Analytics
status: active
owner: Priya Raman
contacts:
  - { name: Dana Whitfield, side: partner, level: executive, primary: true }
terms: { payment_days: 30, price: 120000, currency: EUR }
slas:
  - { id: p1-response, target: 4, actual: 3, better: lower }
scope:
  - { id: eu-hosting, summary: Managed hosting, owner: partner, sla: p1-response }
---
# Northwind

## 2024-06-12 Quarterly business review
Attendees: Dana Whitfield

- [ ] partner: send the enablement plan (due 2024-06-30)
";

/// What `check` says of a folder outside git.
const NOT_A_REPOSITORY: &str = "note: [ROOT] is not inside a git repository: rapport checks its \
    files only, without history, so the signs a history shows (dates slipping, changes over \
    time) are not looked for\n";

impl Ledger {
    fn new() -> Ledger {
        Ledger {
            dir: TempDir::new().expect("temp dir"),
        }
    }

    fn file(self, path: &str, content: impl AsRef<[u8]>) -> Ledger {
        let full = self.dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, content).expect("write");
        self
    }

    /// A valid partnership with one line replaced (`from` must occur in it).
    fn variant(self, path: &str, from: &str, to: &str) -> Ledger {
        // A guard on the test's own input: the line to replace is in the valid file.
        assert!(VALID.contains(from), "{from:?} is not in the valid file");
        self.file(path, VALID.replacen(from, to, 1))
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `rapport check ARGS` in the folder, with "now" fixed a day before the item falls due.
    fn check(&self, args: &[&str]) -> Test {
        Test::in_dir(self.path())
            .args(["check", "--as-of", "2024-06-29"])
            .args(args)
            .stderr(NOT_A_REPOSITORY)
    }
}

/// The heads of the errors in a text report, one a line.
fn errors(run: &Output) -> Vec<&str> {
    run.stdout
        .lines()
        // A line of the report, not a search: the head of each error.
        .filter(|l| l.contains(": error["))
        .collect()
}

/// The file has exactly one error, `expected_head`; the whole run is pinned in `snapshot`.
#[track_caller]
fn one_error(ledger: Ledger, expected_head: &str, snapshot: &str) {
    let run = ledger.check(&[]).snapshot(snapshot).run();
    assert_eq!(errors(&run), vec![expected_head], "{}", run.stdout);
}

#[test]
fn a_valid_ledger_passes() {
    Ledger::new()
        .file("partners/northwind.md", VALID)
        .check(&[])
        .stdout("Northwind Analytics (northwind, partners/northwind.md): 1 finding
  partners/northwind.md:4: warning[no-success-metrics]: no KPIs define what success means
    = sign 5: no metrics define success
    = evidence: 2024-06-29 kpis absent
    = fix: Agree objective KPIs with targets with the partner from the start, name who reports each one, and review them on a fixed schedule.

1 partnership file checked: all valid; 1 warning
")
        .run();
}

#[test]
fn malformed_yaml_points_at_the_line() {
    let ledger = Ledger::new().variant(
        "partners/a.md",
        "owner: Priya Raman",
        "owner: \"Priya Raman",
    );
    ledger.check(&[]).status(2).stdout("partners/a.md:5:8: error[yaml-syntax]: unclosed quote
  |
5 | owner: \"Priya Raman
  |        ^
  = help: fix the YAML syntax of the front matter; quote values that contain `: ` or start with a special character

1 problem in 1 of 1 file; no findings
").run();
}

#[test]
fn unknown_fields_get_a_did_you_mean() {
    one_error(
        Ledger::new().variant("partners/a.md", "payment_days: 30", "payment_dayz: 30"),
        "partners/a.md:8:10: error[unknown-field]: unknown field `payment_dayz` in `terms`",
        "unknown_field",
    );
}

#[test]
fn every_unknown_field_in_a_file_is_reported() {
    let ledger = Ledger::new().file(
        "partners/a.md",
        VALID
            .replace("payment_days: 30", "payment_dayz: 30")
            .replace("level: executive", "levle: executive")
            .replace("status: active", "status: actve"),
    );
    ledger
        .check(&[])
        .snapshot("every_unknown_field_in_a_file_is_reported")
        .run();
}

#[test]
fn a_missing_required_field_is_named() {
    one_error(
        Ledger::new().variant("partners/a.md", "owner: Priya Raman\n", ""),
        "partners/a.md:2:1: error[missing-field]: missing required field `owner`",
        "missing_field",
    );
}

#[test]
fn impossible_dates_say_why() {
    one_error(
        Ledger::new().variant(
            "partners/a.md",
            "owner: Priya Raman",
            "owner: Priya Raman\nsince: 2024-02-30",
        ),
        "partners/a.md:6:8: error[invalid-date]: `since`: `2024-02-30` is not a date: February 2024 has 29 days",
        "invalid_date_since",
    );
    one_error(
        Ledger::new().variant("partners/a.md", "## 2024-06-12", "## 2023-02-29"),
        "partners/a.md:16:4: error[invalid-date]: meeting heading: `2023-02-29` is not a date: February 2023 has 28 days",
        "invalid_date_meeting",
    );
    one_error(
        Ledger::new().variant("partners/a.md", "(due 2024-06-30)", "(due 2024-06-31)"),
        "partners/a.md:19:1: error[invalid-date]: action item due date: `2024-06-31` is not a date: June 2024 has 30 days",
        "invalid_date_due",
    );
}

#[test]
fn values_out_of_range_are_refused() {
    one_error(
        Ledger::new().variant("partners/a.md", "payment_days: 30", "payment_days: -30"),
        "partners/a.md:8:10: error[out-of-range]: payment terms of -30 days are out of range: they are from 0 to 3650 days",
        "payment_days_out_of_range",
    );
    one_error(
        Ledger::new().variant(
            "partners/a.md",
            "currency: EUR }",
            "currency: EUR, notice_days: -90 }",
        ),
        "partners/a.md:8:58: error[out-of-range]: a notice period of -90 days is out of range: it is from 0 to 3650 days",
        "notice_days_out_of_range",
    );
    one_error(
        Ledger::new().variant(
            "partners/a.md",
            "owner: Priya Raman",
            "owner: Priya Raman\nsatisfaction: { score: 7 }",
        ),
        "partners/a.md:6:17: error[out-of-range]: satisfaction score 7 is outside 1 to 5",
        "satisfaction_out_of_range",
    );
}

#[test]
fn wrong_types_are_explained() {
    one_error(
        Ledger::new().variant("partners/a.md", "payment_days: 30", "payment_days: thirty"),
        "partners/a.md:8:24: error[invalid-type]: `terms.payment_days` should be a whole number, not text (`thirty`)",
        "wrong_type",
    );
}

#[test]
fn broken_references_are_errors() {
    one_error(
        Ledger::new().variant("partners/a.md", "sla: p1-response", "sla: p1-respons"),
        "partners/a.md:12:65: error[broken-reference]: scope item `eu-hosting` names SLA `p1-respons`, which is not in `slas`",
        "broken_sla_reference",
    );
    one_error(
        Ledger::new().variant(
            "partners/a.md",
            "owner: Priya Raman",
            "owner: Priya Raman\noffers:\n  - { summary: Bundle, answers: sso }",
        ),
        "partners/a.md:7:24: error[broken-reference]: offer \"Bundle\" answers requirement `sso`, which is not in `requirements`",
        "broken_requirement_reference",
    );
}

#[test]
fn two_primary_contacts_on_one_side() {
    one_error(
        Ledger::new().variant(
            "partners/a.md",
            "  - { name: Dana Whitfield, side: partner, level: executive, primary: true }",
            "  - { name: Dana Whitfield, side: partner, level: executive, primary: true }\n  - { name: Tom Ng, side: partner, level: manager, primary: true }",
        ),
        "partners/a.md:8:52: error[two-primaries]: a second primary contact on the partner side (Dana Whitfield is already primary)",
        "two_primaries",
    );
}

#[test]
fn unknown_contact_levels_get_a_hint() {
    one_error(
        Ledger::new().variant("partners/a.md", "level: executive", "level: executiv"),
        "partners/a.md:7:44: error[unknown-level]: `executiv` is not a level on the ladder",
        "unknown_level",
    );
}

#[test]
fn duplicate_ids_across_files() {
    let run = Ledger::new()
        .variant("partners/a.md", "rapport: 1", "rapport: 1\nid: northwind")
        .variant("partners/b.md", "rapport: 1", "rapport: 1\nid: northwind")
        .check(&[])
        .status(2)
        .any_stdout()
        .run();
    assert_eq!(
        errors(&run),
        vec![
            "partners/a.md:3:1: error[duplicate-id]: id `northwind` is also used by partners/b.md",
            "partners/b.md:3:1: error[duplicate-id]: id `northwind` is also used by partners/a.md",
        ]
    );
}

#[test]
fn files_that_are_not_partnership_text() {
    let run = Ledger::new()
        .file("partners/binary.md", b"\x89PNG\r\n\x1a\n\0\0\0IHDR")
        .file(
            "partners/latin1.md",
            b"---\nrapport: 1\npartner: Caf\xe9\n---\n",
        )
        .file("partners/plain.md", "Just some notes.\n")
        .file(
            "partners/huge.md",
            format!("---\nrapport: 1\n---\n{}", "x".repeat(2 * 1024 * 1024)),
        )
        .file("partners/ok.md", VALID)
        .check(&[])
        .snapshot("files_that_are_not_partnership_text")
        .run();
    assert_eq!(
        errors(&run),
        vec![
            "partners/binary.md: error[binary-file]: file looks binary (it contains NUL bytes), not a Markdown partnership file",
            "partners/huge.md: error[file-too-large]: file is 2048 KiB; partnership files are limited to 1024 KiB",
            "partners/latin1.md:3:13: error[not-utf8]: file is not valid UTF-8 (byte 0xe9)",
            "partners/plain.md:1:1: error[no-front-matter]: no front matter: a partnership file starts with a `---` line, its YAML fields, and a closing `---` line",
        ]
    );
}

#[test]
fn an_alias_bomb_is_refused_and_named() {
    let mut bomb = String::from(
        "---\nrapport: 1\npartner: X\nstatus: active\nowner: Y\nplan:\n  segments: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let (prev, this) = ((b'a' + i - 1) as char, (b'a' + i) as char);
        bomb.push_str(&format!("x{this}: &{this} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    bomb.push_str("---\n");
    Ledger::new()
        .file("partners/bomb.md", bomb)
        .check(&[])
        .status(2)
        .stdout("partners/bomb.md:12:9: error[yaml-limit]: refused: expanding the YAML aliases here exceeds safe limits (Nodes { nodes: 100001 }); this is an alias bomb
   |
12 | xf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
   |         ^
  = help: remove the repeated `*alias` references; partnership files never need more than a few anchors

1 problem in 1 of 1 file; no findings
")
        .run();
}

#[test]
fn json_lists_the_same_errors() {
    let ledger = Ledger::new().variant("partners/a.md", "payment_days: 30", "payment_dayz: 30");
    // Read field by field below.
    let run = ledger
        .check(&["--format", "json"])
        .status(2)
        .any_stdout()
        .run();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(json["version"], 1);
    assert_eq!(json["valid"], false);
    let d = &json["diagnostics"][0];
    assert_eq!(d["file"], "partners/a.md");
    assert_eq!(d["line"], 8);
    assert_eq!(d["column"], 10);
    assert_eq!(d["code"], "unknown-field");
    assert_eq!(d["help"], "did you mean `payment_days`?");
}

#[test]
fn colour_only_on_request_never_when_piped_or_with_no_color() {
    let ledger = Ledger::new().variant("partners/a.md", "payment_days: 30", "payment_dayz: 30");
    // Forced on, as a terminal gets it: the head in bold red, the caret and the help in colour.
    ledger.check(&[]).colour().status(2).stdout("\u{1b}[1mpartners/a.md:8:10\u{1b}[0m: \u{1b}[1m\u{1b}[31merror[unknown-field]\u{1b}[0m: \u{1b}[1munknown field `payment_dayz` in `terms`\u{1b}[0m
\u{1b}[1m\u{1b}[34m  |\u{1b}[0m
\u{1b}[1m\u{1b}[34m8 |\u{1b}[0m terms: { payment_dayz: 30, price: 120000, currency: EUR }
\u{1b}[1m\u{1b}[34m  |\u{1b}[0m          \u{1b}[1m\u{1b}[31m^\u{1b}[0m
  \u{1b}[1m\u{1b}[36m= help:\u{1b}[0m did you mean `payment_days`?

\u{1b}[1m\u{1b}[31m1 problem in 1 of 1 file\u{1b}[0m; no findings
").run();
    // Piped with nothing set, with NO_COLOR, and with NO_COLOR beside CLICOLOR_FORCE (NO_COLOR
    // wins): the same text without escape codes.
    let plain = "partners/a.md:8:10: error[unknown-field]: unknown field `payment_dayz` in `terms`
  |
8 | terms: { payment_dayz: 30, price: 120000, currency: EUR }
  |          ^
  = help: did you mean `payment_days`?

1 problem in 1 of 1 file; no findings
";
    ledger
        .check(&[])
        .env_remove("NO_COLOR")
        .status(2)
        .stdout(plain)
        .run();
    ledger.check(&[]).status(2).stdout(plain).run();
    ledger
        .check(&[])
        .env("CLICOLOR_FORCE", "1")
        .status(2)
        .stdout(plain)
        .run();
}

#[test]
fn a_single_file_can_be_checked() {
    let ledger = Ledger::new().file("partners/a.md", VALID).variant(
        "partners/b.md",
        "status: active",
        "status: actve",
    );
    ledger.check(&["partners/a.md"]).stdout("Northwind Analytics (a, partners/a.md): 1 finding
  partners/a.md:4: warning[no-success-metrics]: no KPIs define what success means
    = sign 5: no metrics define success
    = evidence: 2024-06-29 kpis absent
    = fix: Agree objective KPIs with targets with the partner from the start, name who reports each one, and review them on a fixed schedule.

1 partnership file checked: all valid; 1 warning
").run();
    ledger
        .check(&["partners/b.md"])
        .status(2)
        .stdout(
            "partners/b.md:4:9: error[invalid-value]: `actve` is not an allowed value for `status`
  |
4 | status: actve
  |         ^
  = help: did you mean `active`? allowed: prospect, onboarding, active, paused, ending, ended

1 problem in 1 of 1 file; no findings
",
        )
        .run();
}

#[test]
fn configured_folders_and_config_errors() {
    let ledger = Ledger::new()
        .file("rapport.yaml", "paths: [vendors]\n")
        .file("vendors/deep/a.md", VALID)
        .file("partners/ignored.md", "junk");
    ledger.check(&[]).stdout("Northwind Analytics (a, vendors/deep/a.md): 1 finding
  vendors/deep/a.md:4: warning[no-success-metrics]: no KPIs define what success means
    = sign 5: no metrics define success
    = evidence: 2024-06-29 kpis absent
    = fix: Agree objective KPIs with targets with the partner from the start, name who reports each one, and review them on a fixed schedule.

1 partnership file checked: all valid; 1 warning
").run();

    let bad = Ledger::new().file("rapport.yaml", "pathz: [vendors]\n");
    bad.check(&[])
        .status(2)
        .stderr(
            "rapport.yaml:1:1: error[unknown-field]: unknown key `pathz`
  |
1 | pathz: [vendors]
  | ^
  = help: did you mean `paths`?

error: the configuration is invalid
",
        )
        .run();
}

#[test]
fn a_missing_path_is_an_invocation_error() {
    Ledger::new()
        .check(&["no/such/folder"])
        .status(2)
        .stderr("error: no/such/folder does not exist
help: pass the ledger's folder (holding rapport.yaml or partners/), a folder inside it, or partnership files
")
        .run();
}
