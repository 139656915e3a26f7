//! `rapport rules`, `rapport explain` and the findings side of `rapport check`, run as a user
//! would, on ledgers written to a temporary folder.

mod common;

use common::Test;

/// `rapport ARGS` in a folder of its own.
fn rapport(args: &[&str]) -> Test {
    Test::in_dir(std::env::temp_dir()).args(args)
}

/// What `check` says of a folder outside git.
const NOT_A_REPOSITORY: &str = "note: [ROOT] is not inside a git repository: rapport checks its \
    files only, without history, so the signs a history shows (dates slipping, changes over \
    time) are not looked for\n";

struct Ledger {
    dir: tempfile::TempDir,
}

impl Ledger {
    fn new() -> Ledger {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir_all(dir.path().join("partners")).expect("partners folder");
        Ledger { dir }
    }

    fn file(self, path: &str, text: &str) -> Ledger {
        std::fs::write(self.dir.path().join(path), text).expect("write a ledger file");
        self
    }

    fn check(&self, args: &[&str]) -> Test {
        Test::in_dir(self.dir.path())
            .arg("check")
            .arg(self.dir.path())
            .args(["--as-of", "2024-09-20"])
            .args(args)
            .stderr(NOT_A_REPOSITORY)
    }
}

const SLIPPING: &str = "---
rapport: 1
partner: Fabrikam
status: active
owner: Priya Raman
terms: { payment_days: 120 }
kpis:
  - { id: pipeline, target: 100, actual: 40, as_of: 2024-08-31 }
---
";

const QUIET: &str = "---
rapport: 1
partner: Contoso
status: paused
owner: Priya Raman
kpis:
  - { id: pipeline, target: 100, actual: 100, as_of: 2024-08-31 }
---
";

#[test]
fn rules_lists_the_catalog() {
    rapport(&["rules"])
        .snapshot("rules_lists_the_catalog")
        .run();
}

#[test]
fn explain_an_unknown_rule_suggests_one() {
    rapport(&["explain", "payment-term-slip"])
        .status(2)
        .stderr(
            "error: no rule `payment-term-slip`; did you mean `payment-terms-slip`?
",
        )
        .run();
}

#[test]
fn a_quiet_ledger_passes() {
    Ledger::new()
        .file("partners/contoso.md", QUIET)
        .check(&[])
        .stdout(
            "1 partnership file checked: all valid; no findings
",
        )
        .run();
}

#[test]
fn findings_fail_at_the_chosen_severity() {
    // One version: net-120 from the start is no slip; the KPI at 40% is a warning.
    let ledger = Ledger::new().file("partners/fabrikam.md", SLIPPING);
    ledger
        .check(&[])
        .snapshot("a_kpi_at_40_percent_is_a_warning")
        .run();
    let ledger = Ledger::new().file(
        "partners/fabrikam.md",
        &SLIPPING.replace("payment_days: 120", "payment_days: 30"),
    );
    let warned = ledger
        .check(&["--fail-on", "warning"])
        .status(1)
        .any_stdout()
        .run();
    ledger
        .check(&["--fail-on", "error"])
        .stdout(warned.stdout)
        .run();
}

#[test]
fn json_lists_every_field() {
    let ledger = Ledger::new().file("partners/fabrikam.md", SLIPPING);
    // Read field by field below.
    let output = ledger.check(&["--format", "json"]).any_stdout().run();
    let json: serde_json::Value = serde_json::from_str(&output.stdout).expect("valid JSON");
    let finding = &json["findings"][0];
    for key in [
        "fingerprint",
        "rule",
        "sign",
        "severity",
        "partnership",
        "file",
        "line",
        "message",
        "evidence",
        "remedy",
        "status",
    ] {
        assert!(finding.get(key).is_some(), "no `{key}` in {finding}");
    }
    assert_eq!(finding["rule"], "targets-missed");
    assert_eq!(finding["line"], 8);
    assert_eq!(finding["status"], "open");
}

#[test]
fn an_invalid_file_exits_2() {
    Ledger::new()
        .file("partners/contoso.md", QUIET)
        .file("partners/broken.md", "---\nrapport: 1\npartner: X\n---\n")
        .check(&[])
        .status(2)
        .stdout(
            "partners/broken.md:2:1: error[missing-field]: missing required field `status`
  |
2 | rapport: 1
  | ^
  = help: add `status:`; every partnership needs `rapport`, `partner`, `status` and `owner`

partners/broken.md:2:1: error[missing-field]: missing required field `owner`
  |
2 | rapport: 1
  | ^
  = help: add `owner:`; every partnership needs `rapport`, `partner`, `status` and `owner`

2 problems in 1 of 2 files; no findings
",
        )
        .run();
}

#[test]
fn a_disabled_rule_and_an_override_from_rapport_yaml() {
    let ledger = Ledger::new().file("partners/fabrikam.md", SLIPPING).file(
        "rapport.yaml",
        "rules:\n  targets-missed: { severity: error }\n  no-success-metrics: { enabled: false }\n",
    );
    ledger
        .check(&[])
        .snapshot("a_rule_raised_to_error_by_rapport_yaml")
        .run();
    let typo = Ledger::new().file("partners/fabrikam.md", SLIPPING).file(
        "rapport.yaml",
        "rules:\n  targets-mised: { enabled: false }\n",
    );
    typo.check(&[])
        .status(2)
        .stderr(
            "rapport.yaml:2:3: error[unknown-field]: unknown key `targets-mised` in `rules`
  |
2 |   targets-mised: { enabled: false }
  |   ^
  = help: did you mean `targets-missed`?

error: the configuration is invalid
",
        )
        .run();
}

#[test]
fn text_report_snapshot() {
    let ledger = Ledger::new()
        .file("partners/fabrikam.md", SLIPPING)
        .file("partners/contoso.md", QUIET);
    let output = ledger
        .check(&["--fail-on", "warning"])
        .status(1)
        .any_stdout()
        .run();
    insta::assert_snapshot!(output.stdout);
}

/// The page of one rule, whole: what it detects, why it matters, an example, how to fix it and
/// its settings.
#[test]
fn explain_page_snapshot() {
    let output = rapport(&["explain", "payment-terms-slip"])
        .any_stdout()
        .run();
    insta::assert_snapshot!(output.stdout);
}
