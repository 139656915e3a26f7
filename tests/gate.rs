//! The pre-merge gate attacked the way a teammate with commit access would try to pass it: a
//! merge that hides a step, a configuration that only the working tree has, a rule switched
//! off, a line that hides the meetings below it. Each attack fails the gate; each near miss,
//! written the way a team really works, passes it.

mod common;

use common::{Script, Test, northwind_front, partnership};
use serde_json::Value;

const SPRING: &str = "\n## 2024-03-14 Launch review\nAttendees: Dana Whitfield, Omar Haddad, Priya Raman\n\n\
Launch went well; two hospitals asked for a demo.\n\n- [x] partner: share the launch deck\n\n\
## 2024-04-18 Pipeline sync\nAttendees: Omar Haddad, Priya Raman\n\nPipeline on plan; SSO integration scoped.\n";

const MAY: &str = "\n## 2024-05-23 Pipeline sync\nAttendees: Omar Haddad, Priya Raman\n\n\
Three new opportunities in the Nordics.\n";

const ZHIHENG_NOTES: &str =
    "\n## 2024-04-11 季度业务回顾\n参会人员：王磊, Chen Siyuan\n\n项目按计划推进，客户反馈良好。\n";

fn northwind(days: u32, body: &str) -> String {
    partnership("Northwind Analytics", &northwind_front(days, ""), body)
}

/// A Chinese partner with calm notes beside Northwind.
fn zhiheng(body_extra: &str) -> String {
    partnership(
        "智衡软件",
        "since: 2024-01-10\ncontacts:\n  - { name: 王磊, side: partner, role: 合作总监, level: director, primary: true }\n  \
         - { name: Chen Siyuan, side: ours, role: Partner Manager, level: manager, primary: true }\n\
         kpis:\n  - { id: projects, name: Projects delivered, unit: projects, target: 4, actual: 4, as_of: 2024-06-30 }\n",
        &format!("{ZHIHENG_NOTES}{body_extra}"),
    )
}

/// `rapport ARGS` in the scripted repository.
fn rapport(script: &Script, args: &[&str]) -> Test {
    Test::in_dir(script.path()).args(args)
}

/// The gate's JSON report of `pr` against `main`, which must exit with `code`; the report is
/// read field by field below.
#[track_caller]
fn gate_json(script: &Script, extra: &[&str], code: i32) -> Value {
    let mut args = vec!["check", "--base", "main", "--rev", "pr", "--format", "json"];
    args.extend_from_slice(extra);
    let run = rapport(script, &args).status(code).any_stdout().run();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// `(partnership, rule, status)` of every finding in a JSON report.
fn statuses(report: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for p in report["partnerships"].as_array().into_iter().flatten() {
        for f in p["findings"].as_array().into_iter().flatten() {
            out.push((
                p["id"].as_str().unwrap_or_default().to_string(),
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["change"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    out
}

fn triple(id: &str, rule: &str, status: &str) -> (String, String, String) {
    (id.to_string(), rule.to_string(), status.to_string())
}

/// Every finding's `(partnership, rule, status)`, in the report's order.
#[track_caller]
fn assert_statuses(report: &Value, expected: &[(&str, &str, &str)]) {
    let expected: Vec<_> = expected.iter().map(|(p, r, s)| triple(p, r, s)).collect();
    assert_eq!(statuses(report), expected, "{report:#}");
}

// 1. A merge hides the change.

/// `main` adds Northwind at net-30 in March; the branch, started before, adds it at net-180 in a
/// commit dated February, then takes `main` in with `git merge -s ours`: the branch's own line
/// never held net-30.
#[test]
fn a_backdated_branch_merged_with_strategy_ours_fails_the_gate() {
    let script = Script::new()
        .commit(
            "2024-01-10",
            "Start the ledger with Zhiheng",
            &[("partners/zhiheng.md", &zhiheng(""))],
        )
        .branch("pr")
        .switch("main")
        .commit(
            "2024-03-04",
            "Add Northwind at net-30",
            &[("partners/northwind.md", &northwind(30, SPRING))],
        )
        .switch("pr")
        .commit(
            "2024-02-20",
            "Add Northwind",
            &[("partners/northwind.md", &northwind(180, SPRING))],
        )
        .git_on(
            "2024-04-20",
            &["merge", "-q", "-s", "ours", "main", "-m", "Merge main"],
        );
    let report = gate_json(&script, &[], 1);
    assert_statuses(&report, &[("northwind", "payment-terms-slip", "new")]);
}

/// The same stretch as one linear commit on top of `main` fails the gate the same way.
#[test]
fn the_same_stretch_as_a_linear_commit_fails_the_gate() {
    let script = Script::new()
        .commit(
            "2024-01-10",
            "Start the ledger with Zhiheng",
            &[("partners/zhiheng.md", &zhiheng(""))],
        )
        .commit(
            "2024-03-04",
            "Add Northwind at net-30",
            &[("partners/northwind.md", &northwind(30, SPRING))],
        )
        .branch("pr")
        .commit(
            "2024-04-20",
            "Northwind: net-180",
            &[("partners/northwind.md", &northwind(180, SPRING))],
        );
    let report = gate_json(&script, &[], 1);
    assert_statuses(&report, &[("northwind", "payment-terms-slip", "new")]);
}

/// Near miss: a branch that adds a calm note takes `main` in with an ordinary `git merge main`
/// while `main` added notes to the same file: nothing new.
#[test]
fn an_ordinary_merge_of_main_into_the_branch_adds_nothing_new() {
    let base = northwind(30, SPRING);
    let script = Script::new()
        .commit(
            "2024-01-10",
            "Start the ledger",
            &[
                ("partners/zhiheng.md", &zhiheng("")),
                ("partners/northwind.md", &base),
            ],
        )
        .branch("pr")
        .commit(
            "2024-05-02",
            "Northwind: pipeline figure for April",
            &[(
                "partners/northwind.md",
                &base.replace("actual: 310000", "actual: 330000"),
            )],
        )
        .switch("main")
        .commit(
            "2024-05-24",
            "Northwind: May sync",
            &[("partners/northwind.md", &northwind(30, &format!("{SPRING}{MAY}")))],
        )
        .commit(
            "2024-05-27",
            "Zhiheng: May review",
            &[(
                "partners/zhiheng.md",
                &zhiheng("\n## 2024-05-16 项目例会\n参会人员：王磊, Chen Siyuan\n\n第一个项目验收通过。\n"),
            )],
        )
        .switch("pr")
        .git_on("2024-05-28", &["merge", "-q", "main", "-m", "Merge main"]);
    let report = gate_json(&script, &[], 0);
    assert_statuses(&report, &[]);
}

// 2. The configuration of a revision is the one committed in it.

/// Northwind's notes with a partner item overdue since May.
const OVERDUE: &str = "\n## 2024-04-18 Pipeline sync\nAttendees: Omar Haddad, Priya Raman\n\n\
Pipeline on plan; SSO integration scoped.\n\n- [ ] partner: send the signed SOW for the SSO work (due 2024-05-01)\n";

/// `main`: Northwind from net-30 to net-60 (an error) with a partner item overdue, Zhiheng
/// calm; then a branch `pr`.
fn stretched_main() -> Script {
    Script::new()
        .commit(
            "2024-01-15",
            "Start the ledger with Northwind and Zhiheng",
            &[
                ("partners/northwind.md", &northwind(30, SPRING)),
                ("partners/zhiheng.md", &zhiheng("")),
            ],
        )
        .commit(
            "2024-06-03",
            "Northwind: net-60 from the Q3 invoice",
            &[(
                "partners/northwind.md",
                &northwind(60, &format!("{SPRING}{OVERDUE}")),
            )],
        )
        .branch("pr")
}

#[test]
fn the_first_rapport_yaml_added_by_a_change_judges_only_the_head() {
    // At the base, net-30 → net-45 is a warning; the change adds a configuration under which
    // 1.4 times the first value is an error.
    let script = Script::new()
        .commit(
            "2024-01-15",
            "Start the ledger",
            &[
                ("partners/northwind.md", &northwind(30, SPRING)),
                ("partners/zhiheng.md", &zhiheng("")),
            ],
        )
        .commit(
            "2024-06-03",
            "Northwind: net-45",
            &[("partners/northwind.md", &northwind(45, SPRING))],
        )
        .branch("pr")
        .commit(
            "2024-06-10",
            "Configure rapport",
            &[(
                "rapport.yaml",
                "rapport: 1\nrules:\n  payment-terms-slip: { error_factor: 1.4 }\n",
            )],
        );
    let report = gate_json(&script, &[], 1);
    assert_eq!(report["config_changed"], true, "{report:#}");
    assert_statuses(&report, &[("northwind", "payment-terms-slip", "worsened")]);
    assert_eq!(
        report["config_changes"],
        serde_json::json!([{
            "key": "rules.payment-terms-slip.error_factor",
            "before": "2.0",
            "after": "1.4",
            "line": 3
        }])
    );
}

#[test]
fn a_revision_is_checked_with_its_own_configuration_not_an_untracked_one() {
    let script = stretched_main().switch("main");
    let before = rapport(&script, &["check", "--rev", "main"])
        .snapshot("the_committed_configuration_judges_main")
        .run();
    // A teammate's local, uncommitted configuration switches the rule off.
    std::fs::write(
        script.path().join("rapport.yaml"),
        "rapport: 1\nrules:\n  payment-terms-slip: { enabled: false }\n",
    )
    .expect("write");
    rapport(&script, &["check", "--rev", "main"])
        .status(before.code)
        .stdout(before.stdout)
        .stderr(before.stderr)
        .run();
    // The working tree is judged with the working tree's configuration.
    rapport(&script, &["check", "--as-of", "2024-06-10"])
        .snapshot("the_working_configuration_judges_the_working_tree")
        .run();
}

// 3. Switching a rule off reads as what it is.

fn configure(script: Script, date: &str, yaml: &str) -> Script {
    script.commit(date, "Tune rapport", &[("rapport.yaml", yaml)])
}

#[test]
fn a_rule_switched_off_is_silenced_not_resolved() {
    let script = configure(
        stretched_main(),
        "2024-06-10",
        "rapport: 1\n# Payment terms are negotiated by finance.\nrules:\n  payment-terms-slip: { enabled: false }\n",
    );
    let report = gate_json(&script, &[], 0);
    assert_statuses(
        &report,
        &[
            ("northwind", "payment-terms-slip", "silenced"),
            ("northwind", "partner-unresponsive", "unchanged"),
        ],
    );
    assert_eq!(report["counts"]["silenced"], 1);
    let finding = report["partnerships"][0]["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["change"] == "silenced"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(finding["severity"], "error", "{finding:#}");
    assert_eq!(
        finding["silenced_by"],
        serde_json::json!([{
            "key": "rules.payment-terms-slip.enabled",
            "before": "true",
            "after": "false",
            "line": 4
        }])
    );
    // The gate can be told to hold on it.
    gate_json(&script, &["--fail-on-silenced"], 1);
    // The terminal report says so, with the line that did it and the configuration's diff.
    rapport(&script, &["check", "--base", "main", "--rev", "pr"])
        .snapshot("a_rule_switched_off_reads_silenced_in_the_terminal")
        .run();
    // The pull-request comment lists it above the fold, with the configuration's diff.
    rapport(
        &script,
        &[
            "report", "--base", "main", "--head", "pr", "--format", "markdown",
        ],
    )
    .snapshot("a_rule_switched_off_reads_silenced_in_the_comment")
    .run();
}

#[test]
fn a_relaxed_threshold_is_silenced_while_a_real_fix_beside_it_is_resolved() {
    let fixed = northwind(
        60,
        &format!("{SPRING}{}", OVERDUE.replace("- [ ]", "- [x]")),
    );
    let script = configure(
        stretched_main(),
        "2024-06-10",
        "rapport: 1\nrules:\n  payment-terms-slip: { error_factor: 3, error_days: 120 }\n",
    )
    .commit(
        "2024-06-11",
        "Northwind: the SOW arrived",
        &[("partners/northwind.md", &fixed)],
    );
    // Silenced at error (as the base's configuration judges it): the gate holds.
    let report = gate_json(&script, &["--fail-on-silenced"], 1);
    assert_statuses(
        &report,
        &[
            ("northwind", "payment-terms-slip", "silenced"),
            ("northwind", "partner-unresponsive", "resolved"),
        ],
    );
}

#[test]
fn a_stretch_hidden_by_switching_the_rule_off_in_the_same_change_is_silenced() {
    let script = Script::new()
        .commit(
            "2024-01-15",
            "Start the ledger",
            &[
                ("partners/northwind.md", &northwind(30, SPRING)),
                ("partners/zhiheng.md", &zhiheng("")),
            ],
        )
        .branch("pr")
        .commit(
            "2024-06-10",
            "Northwind: net-120, and quieter checks",
            &[
                ("partners/northwind.md", &northwind(120, SPRING)),
                (
                    "rapport.yaml",
                    "rapport: 1\nrules:\n  payment-terms-slip: { severity: info }\n",
                ),
            ],
        );
    let report = gate_json(&script, &[], 0);
    assert_statuses(&report, &[("northwind", "payment-terms-slip", "silenced")]);
    gate_json(&script, &["--fail-on-silenced"], 1);
}

#[test]
fn a_partnership_the_configuration_stops_reading_is_silenced_whole() {
    let script = configure(
        stretched_main(),
        "2024-06-10",
        "rapport: 1\nexclude: [README.md, \"_*\", partners/northwind.md]\n",
    );
    let report = gate_json(&script, &[], 0);
    let northwind = report["partnerships"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["id"] == "northwind"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(northwind["file"], "unread", "{report:#}");
    let mut found = statuses(&report);
    found.sort();
    assert_eq!(
        found,
        [
            triple("northwind", "partner-unresponsive", "silenced"),
            triple("northwind", "payment-terms-slip", "silenced"),
        ],
        "{report:#}"
    );
    assert_eq!(northwind["findings"][0]["silenced_by"][0]["key"], "exclude");
    gate_json(&script, &["--fail-on-silenced"], 1);
}

/// Near miss: a configuration change that silences nothing (a stricter rule elsewhere, the
/// health formula) leaves the partnership's findings as they were.
#[test]
fn a_configuration_change_that_silences_nothing_shows_nothing_silenced() {
    let script = configure(
        stretched_main(),
        "2024-06-10",
        "rapport: 1\nportfolio: { error: 30 }\n",
    );
    let report = gate_json(&script, &["--fail-on-silenced"], 0);
    assert_eq!(report["config_changed"], true);
    assert_eq!(report["counts"]["silenced"], 0, "{report:#}");
}

// 4. One line hides every meeting below it.

/// Northwind's notes with a partner item due in May, then two later syncs.
fn northwind_notes(opening: &str, closing: &str) -> String {
    format!(
        "\n{opening}## 2024-04-18 Pipeline sync\nAttendees: Omar Haddad, Priya Raman\n\n\
         Pipeline on plan; SSO integration scoped.\n\n\
         - [ ] partner: send the signed SOW for the SSO work (due 2024-05-01)\n\n\
         ## 2024-05-23 Pipeline sync\nAttendees: Omar Haddad, Priya Raman\n\n\
         Three new opportunities in the Nordics.\n{closing}"
    )
}

/// `main` with Northwind's notes, then a branch `pr` whose one commit writes `opening` above
/// them and `closing` below.
fn notes_changed(message: &str, opening: &str, closing: &str) -> Script {
    Script::new()
        .commit(
            "2024-01-15",
            "Start the ledger",
            &[
                (
                    "partners/northwind.md",
                    &northwind(30, &northwind_notes("", "")),
                ),
                ("partners/zhiheng.md", &zhiheng("")),
            ],
        )
        .branch("pr")
        .commit(
            "2024-06-03",
            message,
            &[(
                "partners/northwind.md",
                &northwind(30, &northwind_notes(opening, closing)),
            )],
        )
}

fn hiding(opening: &str) -> Script {
    notes_changed("Northwind: a note on the agenda", opening, "")
}

#[test]
fn an_unclosed_html_comment_that_hides_meetings_fails_the_gate() {
    let script = hiding("<!-- agenda for the next review:\n\n");
    let report = gate_json(&script, &[], 1);
    let hidden = &report["partnerships"][0]["hidden_meetings"];
    assert_eq!(
        hidden,
        &serde_json::json!([
            {"date": "2024-04-18", "title": "Pipeline sync", "line": 24},
            {"date": "2024-05-23", "title": "Pipeline sync", "line": 31}
        ]),
        "{report:#}"
    );
    // The overdue partner item is not reported resolved in silence: the warning says why.
    let warnings = report["file_warnings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let codes: Vec<(&str, u64)> = warnings
        .iter()
        .map(|w| {
            (
                w["code"].as_str().unwrap_or(""),
                w["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [("hidden-meeting", 24), ("hidden-meeting", 31)],
        "{report:#}"
    );
    assert_eq!(
        warnings[0]["message"],
        "this meeting heading is inside an HTML comment opened at line 22 and not closed before \
         it, so Markdown does not read it as a heading: the meeting, its attendees and action \
         items count for nothing",
        "{report:#}"
    );
    // `check` of the head says the same, located, without failing the file.
    rapport(&script, &["check", "--rev", "pr"])
        .snapshot("a_meeting_hidden_by_an_html_comment_is_located")
        .run();
}

#[test]
fn an_unclosed_code_fence_that_hides_meetings_fails_the_gate() {
    let script = hiding("```\nagenda: pricing, SSO\n\n");
    let report = gate_json(&script, &[], 1);
    assert_eq!(
        report["partnerships"][0]["hidden_meetings"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{report:#}"
    );
    rapport(
        &script,
        &[
            "report", "--base", "main", "--head", "pr", "--format", "markdown",
        ],
    )
    .snapshot("meetings_hidden_by_a_code_fence_in_the_comment")
    .run();
}

/// Near miss: a meeting template shown in a closed code block inside a meeting's notes.
#[test]
fn a_closed_fenced_example_of_a_meeting_is_no_warning() {
    let example = "Omar asked how we write our notes; the template we shared:\n\n\
        ```markdown\n## 2024-06-20 Quarterly business review\nAttendees: …\n```\n";
    let script = notes_changed("Northwind: the notes template", "", example);
    let report = gate_json(&script, &["--fail-on", "info"], 0);
    assert!(
        report["file_warnings"].as_array().is_none_or(Vec::is_empty),
        "{report:#}"
    );
    assert!(
        report["partnerships"][0]["hidden_meetings"].is_null(),
        "{report:#}"
    );
    assert_eq!(
        statuses(&report),
        [triple("northwind", "partner-unresponsive", "unchanged")]
    );
}

#[test]
fn explain_gate_prints_how_the_gate_judges_a_change() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/gate.md"))
        .expect("docs/gate.md");
    Test::in_dir(dir.path())
        .args(["explain", "gate"])
        .stdout(&page)
        .run();
    let headings: Vec<&str> = page.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        [
            "## Merges",
            "## Configuration",
            "## Meetings the change hides"
        ],
        "{page}"
    );
}
