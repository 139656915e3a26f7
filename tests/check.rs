//! `rapport check` on a folder: one clear error per problem, positioned and quoted, exit codes
//! with meaning, and no panic whatever the input.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::Run;
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
        assert!(VALID.contains(from), "{from:?} is not in the valid file");
        self.file(path, VALID.replacen(from, to, 1))
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn check(&self, args: &[&str]) -> Run {
        let output = Command::cargo_bin("rapport")
            .expect("binary")
            .arg("check")
            .args(args)
            .current_dir(self.path())
            .env_remove("CLICOLOR_FORCE")
            .output()
            .expect("run");
        Run::from(output)
    }
}

impl Run {
    fn errors(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.contains(": error["))
            .collect()
    }

    fn has(&self, text: &str) -> &Run {
        assert!(
            self.stdout.contains(text),
            "expected {text:?} in:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

fn one_error(ledger: Ledger, expected_head: &str, help: &str) {
    let run = ledger.check(&[]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.errors(), vec![expected_head], "{}", run.stdout);
    run.has(help);
    assert!(!run.stdout.contains("panicked"));
}

#[test]
fn a_valid_ledger_passes() {
    let run = Ledger::new()
        .file("partners/northwind.md", VALID)
        .check(&[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    run.has("1 partnership file checked: all valid");
}

#[test]
fn malformed_yaml_points_at_the_line() {
    let ledger = Ledger::new().variant(
        "partners/a.md",
        "owner: Priya Raman",
        "owner: \"Priya Raman",
    );
    let run = ledger.check(&[]);
    assert_eq!(run.code, 2);
    assert_eq!(run.errors().len(), 1, "{}", run.stdout);
    assert!(
        run.errors()[0].starts_with("partners/a.md:5:8: error[yaml-syntax]"),
        "{}",
        run.stdout
    );
    run.has("5 | owner: \"Priya Raman");
}

#[test]
fn unknown_fields_get_a_did_you_mean() {
    one_error(
        Ledger::new().variant("partners/a.md", "payment_days: 30", "payment_dayz: 30"),
        "partners/a.md:8:10: error[unknown-field]: unknown field `payment_dayz` in `terms`",
        "= help: did you mean `payment_days`?",
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
    let run = ledger.check(&[]);
    assert_eq!(run.errors().len(), 3, "{}", run.stdout);
    run.has("did you mean `active`?")
        .has("did you mean `level`?")
        .has("did you mean `payment_days`?");
}

#[test]
fn a_missing_required_field_is_named() {
    one_error(
        Ledger::new().variant("partners/a.md", "owner: Priya Raman\n", ""),
        "partners/a.md:2:1: error[missing-field]: missing required field `owner`",
        "add `owner:`",
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
        "YYYY-MM-DD",
    );
    one_error(
        Ledger::new().variant("partners/a.md", "## 2024-06-12", "## 2023-02-29"),
        "partners/a.md:16:4: error[invalid-date]: meeting heading: `2023-02-29` is not a date: February 2023 has 28 days",
        "level-2 heading",
    );
    one_error(
        Ledger::new().variant("partners/a.md", "(due 2024-06-30)", "(due 2024-06-31)"),
        "partners/a.md:19:1: error[invalid-date]: action item due date: `2024-06-31` is not a date: June 2024 has 30 days",
        "(due YYYY-MM-DD)",
    );
}

#[test]
fn values_out_of_range_are_refused() {
    one_error(
        Ledger::new().variant("partners/a.md", "payment_days: 30", "payment_days: -30"),
        "partners/a.md:8:10: error[out-of-range]: payment terms of -30 days are out of range: they are from 0 to 3650 days",
        "net-30 is `30`",
    );
    one_error(
        Ledger::new().variant(
            "partners/a.md",
            "currency: EUR }",
            "currency: EUR, notice_days: -90 }",
        ),
        "partners/a.md:8:58: error[out-of-range]: a notice period of -90 days is out of range: it is from 0 to 3650 days",
        "three months is `90`",
    );
    one_error(
        Ledger::new().variant(
            "partners/a.md",
            "owner: Priya Raman",
            "owner: Priya Raman\nsatisfaction: { score: 7 }",
        ),
        "partners/a.md:6:17: error[out-of-range]: satisfaction score 7 is outside 1 to 5",
        "from 1 (very unhappy) to 5",
    );
}

#[test]
fn wrong_types_are_explained() {
    one_error(
        Ledger::new().variant("partners/a.md", "payment_days: 30", "payment_days: thirty"),
        "partners/a.md:8:24: error[invalid-type]: `terms.payment_days` should be a whole number, not text (`thirty`)",
        "write a plain number",
    );
}

#[test]
fn broken_references_are_errors() {
    one_error(
        Ledger::new().variant("partners/a.md", "sla: p1-response", "sla: p1-respons"),
        "partners/a.md:12:65: error[broken-reference]: scope item `eu-hosting` names SLA `p1-respons`, which is not in `slas`",
        "did you mean `p1-response`?",
    );
    one_error(
        Ledger::new().variant(
            "partners/a.md",
            "owner: Priya Raman",
            "owner: Priya Raman\noffers:\n  - { summary: Bundle, answers: sso }",
        ),
        "partners/a.md:7:24: error[broken-reference]: offer \"Bundle\" answers requirement `sso`, which is not in `requirements`",
        "name the id of a `requirements` entry",
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
        "one contact per side",
    );
}

#[test]
fn unknown_contact_levels_get_a_hint() {
    one_error(
        Ledger::new().variant("partners/a.md", "level: executive", "level: executiv"),
        "partners/a.md:7:44: error[unknown-level]: `executiv` is not a level on the ladder",
        "did you mean `executive`?",
    );
}

#[test]
fn duplicate_ids_across_files() {
    let run = Ledger::new()
        .variant("partners/a.md", "rapport: 1", "rapport: 1\nid: northwind")
        .variant("partners/b.md", "rapport: 1", "rapport: 1\nid: northwind")
        .check(&[]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.errors(),
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
        .check(&[]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.errors(),
        vec![
            "partners/binary.md: error[binary-file]: file looks binary (it contains NUL bytes), not a Markdown partnership file",
            "partners/huge.md: error[file-too-large]: file is 2048 KiB; partnership files are limited to 1024 KiB",
            "partners/latin1.md:3:13: error[not-utf8]: file is not valid UTF-8 (byte 0xe9)",
            "partners/plain.md:1:1: error[no-front-matter]: no front matter: a partnership file starts with a `---` line, its YAML fields, and a closing `---` line",
        ]
    );
    run.has("4 problems in 4 of 5 files");
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
    let run = Ledger::new().file("partners/bomb.md", bomb).check(&[]);
    assert_eq!(run.code, 2);
    assert_eq!(run.errors().len(), 1, "{}", run.stdout);
    assert!(
        run.errors()[0].contains("error[yaml-limit]") && run.errors()[0].contains("alias bomb"),
        "{}",
        run.stdout
    );
}

#[test]
fn json_lists_the_same_errors() {
    let ledger = Ledger::new().variant("partners/a.md", "payment_days: 30", "payment_dayz: 30");
    let run = ledger.check(&["--format", "json"]);
    assert_eq!(run.code, 2);
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
fn no_colour_when_piped_or_with_no_color() {
    let ledger = Ledger::new().variant("partners/a.md", "payment_days: 30", "payment_dayz: 30");
    assert!(!ledger.check(&[]).stdout.contains('\u{1b}'));
    let output = Command::cargo_bin("rapport")
        .expect("binary")
        .args(["check", "."])
        .current_dir(ledger.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&output.stdout).contains('\u{1b}'));
}

#[test]
fn a_single_file_can_be_checked() {
    let ledger = Ledger::new().file("partners/a.md", VALID).variant(
        "partners/b.md",
        "status: active",
        "status: actve",
    );
    assert_eq!(ledger.check(&["partners/a.md"]).code, 0);
    assert_eq!(ledger.check(&["partners/b.md"]).code, 2);
}

#[test]
fn configured_folders_and_config_errors() {
    let ledger = Ledger::new()
        .file("rapport.yaml", "paths: [vendors]\n")
        .file("vendors/deep/a.md", VALID)
        .file("partners/ignored.md", "junk");
    let run = ledger.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    run.has("1 partnership file checked");

    let bad = Ledger::new().file("rapport.yaml", "pathz: [vendors]\n");
    let run = bad.check(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("rapport.yaml:1:1: error[unknown-field]: unknown key `pathz`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `paths`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_path_is_an_invocation_error() {
    let run = Ledger::new().check(&["no/such/folder"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no/such/folder does not exist"),
        "{}",
        run.stderr
    );
}
