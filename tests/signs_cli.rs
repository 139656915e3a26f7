//! `rapport rules`, `rapport explain` and the findings side of `rapport check`, run as a user
//! would, on ledgers written to a temporary folder.

use assert_cmd::Command;
use predicates::prelude::*;

fn rapport() -> Command {
    let mut cmd = Command::cargo_bin("rapport").expect("the binary builds");
    cmd.env("NO_COLOR", "1");
    cmd
}

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

    fn check(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        rapport()
            .arg("check")
            .arg(self.dir.path())
            .args(["--as-of", "2024-09-20"])
            .args(args)
            .assert()
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
    rapport()
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("payment-terms-slip"))
        .stdout(predicate::str::contains("effort-disproportion"))
        .stdout(predicate::str::contains("renewal-at-risk"))
        .stdout(predicate::str::contains("22 rules"));
}

#[test]
fn explain_prints_a_rule_page() {
    rapport()
        .args(["explain", "payment-terms-slip"])
        .assert()
        .success()
        .stdout(predicate::str::contains("What it detects"))
        .stdout(predicate::str::contains("Why it matters"))
        .stdout(predicate::str::contains("Example"))
        .stdout(predicate::str::contains("How to fix it"))
        .stdout(predicate::str::contains("error_days: 90"));
}

#[test]
fn explain_an_unknown_rule_suggests_one() {
    rapport()
        .args(["explain", "payment-term-slip"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `payment-terms-slip`?",
        ));
}

#[test]
fn a_quiet_ledger_passes() {
    Ledger::new()
        .file("partners/contoso.md", QUIET)
        .check(&[])
        .success()
        .stdout(predicate::str::contains("no findings"));
}

#[test]
fn findings_fail_at_the_chosen_severity() {
    // One version: net-120 from the start is no slip; the KPI at 40% is a warning.
    let ledger = Ledger::new().file("partners/fabrikam.md", SLIPPING);
    ledger
        .check(&[])
        .code(0)
        .stdout(predicate::str::contains("warning[targets-missed]"));
    let ledger = Ledger::new().file(
        "partners/fabrikam.md",
        &SLIPPING.replace("payment_days: 120", "payment_days: 30"),
    );
    ledger.check(&["--fail-on", "warning"]).code(1);
    ledger.check(&["--fail-on", "error"]).code(0);
}

#[test]
fn json_lists_every_field() {
    let ledger = Ledger::new().file("partners/fabrikam.md", SLIPPING);
    let output = ledger
        .check(&["--format", "json"])
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&output).expect("valid JSON");
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
        .code(2);
}

#[test]
fn a_disabled_rule_and_an_override_from_rapport_yaml() {
    let ledger = Ledger::new().file("partners/fabrikam.md", SLIPPING).file(
        "rapport.yaml",
        "rules:\n  targets-missed: { severity: error }\n  no-success-metrics: { enabled: false }\n",
    );
    ledger
        .check(&[])
        .code(1)
        .stdout(predicate::str::contains("error[targets-missed]"));
    let typo = Ledger::new().file("partners/fabrikam.md", SLIPPING).file(
        "rapport.yaml",
        "rules:\n  targets-mised: { enabled: false }\n",
    );
    typo.check(&[])
        .code(2)
        .stderr(predicate::str::contains("did you mean `targets-missed`?"));
}

#[test]
fn text_report_snapshot() {
    let ledger = Ledger::new()
        .file("partners/fabrikam.md", SLIPPING)
        .file("partners/contoso.md", QUIET);
    let output = ledger
        .check(&["--fail-on", "warning"])
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).expect("UTF-8 output");
    insta::assert_snapshot!(text);
}

#[test]
fn explain_page_snapshot() {
    let output = rapport()
        .args(["explain", "payment-terms-slip"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(String::from_utf8(output).expect("UTF-8 output"));
}
