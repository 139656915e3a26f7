//! The pull-request report on scripted histories written the way a team writes them: months of
//! meeting notes on `main`, then a branch that changes one thing. Each test pins what the review
//! says of the change (new, worsened, resolved, unchanged, acknowledged; a rename; a calm note)
//! and the exit code of the pre-merge gate.

mod common;

use common::{Script, Test, northwind_front, partnership, shallow_clone};
use serde_json::Value;

/// Northwind's front matter at net-`days` with extra lines.
fn northwind(days: u32, extra: &str) -> String {
    northwind_front(days, extra)
}

const NOTES: &str = "\n## 2024-03-14 Launch review\nAttendees: Dana Whitfield, Omar Haddad, Priya Raman\n\n\
Launch went well; two hospitals asked for a demo.\n\n- [x] partner: share the launch deck\n\n\
## 2024-04-18 Pipeline sync\nAttendees: Omar Haddad, Priya Raman\n\nPipeline on plan; SSO integration scoped.\n\n\
## 2024-05-23 Pipeline sync\nAttendees: Omar Haddad, Priya Raman\n\nThree new opportunities in the Nordics.\n";

const JUNE: &str = "\n## 2024-06-20 Quarterly business review\nAttendees: Dana Whitfield, Omar Haddad, Priya Raman\n\n\
Pipeline at 310,000 against 400,000; the team expects to close the gap in Q3.\n";

const CALM_JULY: &str = "\n## 2024-07-11 Pipeline sync\nAttendees: Omar Haddad, Priya Raman\n\n\
Two opportunities moved to proposal. Omar will bring the SSO roadmap to the next review.\n";

const ZHIHENG_MAY: &str = "\n## 2024-05-16 项目例会\n参会人员：王磊, Chen Siyuan\n\n第一个项目验收通过，第二个项目进入测试阶段。\n\n\
## 2024-06-13 项目例会\n参会人员：王磊, Chen Siyuan\n\n测试进展顺利，客户满意。\n";

/// A Chinese partner with calm notes.
fn zhiheng(body_extra: &str) -> String {
    partnership(
        "智衡软件",
        "since: 2024-01-10\ncontacts:\n  - { name: 王磊, side: partner, role: 合作总监, level: director, primary: true }\n  \
         - { name: Chen Siyuan, side: ours, role: Partner Manager, level: manager, primary: true }\n\
         kpis:\n  - { id: projects, name: Projects delivered, unit: projects, target: 4, actual: 4, as_of: 2024-06-30 }\n",
        &format!(
            "\n## 2024-04-11 季度业务回顾\n参会人员：王磊, Chen Siyuan\n\n项目按计划推进，客户反馈良好。\n{body_extra}"
        ),
    )
}

/// `main` with months of Northwind notes at net-`days`, and Zhiheng beside it.
fn main_history(days: u32, extra: &str) -> Script {
    Script::new()
        .commit(
            "2024-01-15",
            "Start the ledger with Northwind",
            &[(
                "partners/northwind.md",
                &partnership("Northwind Analytics", &northwind(30, ""), ""),
            )],
        )
        .commit(
            "2024-02-12",
            "Add Zhiheng",
            &[("partners/zhiheng.md", &zhiheng(""))],
        )
        .commit(
            "2024-05-16",
            "Zhiheng: May review",
            &[("partners/zhiheng.md", &zhiheng(ZHIHENG_MAY))],
        )
        .commit(
            "2024-05-24",
            "Northwind: spring notes",
            &[(
                "partners/northwind.md",
                &partnership("Northwind Analytics", &northwind(30, ""), NOTES),
            )],
        )
        .commit(
            "2024-06-21",
            "Northwind: June QBR",
            &[(
                "partners/northwind.md",
                &partnership(
                    "Northwind Analytics",
                    &northwind(days, extra),
                    &format!("{NOTES}{JUNE}"),
                ),
            )],
        )
}

/// `main` at net-`days`, then a branch `pr` whose one commit rewrites Northwind with `front`
/// and `body`.
fn northwind_pull_request(days: u32, message: &str, front: &str, body: &str) -> Script {
    main_history(days, "").branch("pr").commit(
        "2024-07-12",
        message,
        &[(
            "partners/northwind.md",
            &partnership("Northwind Analytics", front, body),
        )],
    )
}

/// `rapport COMMAND LEDGER ARGS...`: the scripted repository named after the subcommand.
fn rapport(script: &Script, args: &[&str]) -> Test {
    Test::in_dir(script.path())
        .arg(args[0])
        .arg(script.path())
        .args(&args[1..])
}

/// The JSON report of the change from `main` to `pr`.
fn report(script: &Script) -> Value {
    // Read field by field by the tests.
    let out = rapport(
        script,
        &[
            "report", "--base", "main", "--head", "pr", "--format", "json",
        ],
    )
    .any_stdout()
    .run();
    serde_json::from_str(&out.stdout).expect("JSON")
}

/// `(rule, change)` of every finding of a partnership in the report.
fn statuses(report: &Value, id: &str) -> Vec<(String, String)> {
    let Some(p) = report["partnerships"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["id"] == id))
    else {
        return Vec::new();
    };
    p["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or_default().to_string(),
                        f["change"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn has(report: &Value, id: &str, rule: &str, change: &str) -> bool {
    statuses(report, id)
        .iter()
        .any(|(r, c)| r == rule && c == change)
}

fn gate(script: &Script, fail_on: &str) -> i32 {
    rapport(
        script,
        &[
            "check",
            "--base",
            "main",
            "--rev",
            "pr",
            "--fail-on",
            fail_on,
        ],
    )
    .status_in(&[0, 1])
    .any_stdout()
    .run()
    .code
}

#[test]
fn stretched_payment_terms_are_a_new_finding_and_fail_the_gate() {
    let script = northwind_pull_request(
        30,
        "Northwind: net-45 from the Q3 invoice",
        &northwind(45, ""),
        &format!("{NOTES}{JUNE}{CALM_JULY}"),
    );
    let report = report(&script);
    assert!(
        has(&report, "northwind", "payment-terms-slip", "new"),
        "{report:#}"
    );
    assert_eq!(report["counts"]["new"], 1);
    // The change shows the field it made and the meeting it added.
    let northwind = &report["partnerships"][0];
    assert_eq!(northwind["file"], "modified");
    assert!(
        northwind["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c["path"] == "terms.payment_days" && c["from"] == "30" && c["to"] == "45"),
        "{northwind:#}"
    );
    assert_eq!(northwind["meetings"][0]["title"], "Pipeline sync");
    // Zhiheng was not touched: it is not in the report.
    assert!(statuses(&report, "zhiheng").is_empty());
    assert_eq!(gate(&script, "warning"), 1);
    assert_eq!(
        gate(&script, "error"),
        0,
        "a warning does not fail the default gate"
    );
}

#[test]
fn terms_stretched_further_are_worsened() {
    // net-45 on main is a warning; net-60 on the branch is twice the first value: an error.
    let script = northwind_pull_request(
        45,
        "Northwind: net-60",
        &northwind(60, ""),
        &format!("{NOTES}{JUNE}"),
    );
    let report = report(&script);
    assert!(
        has(&report, "northwind", "payment-terms-slip", "worsened"),
        "{report:#}"
    );
    let finding = &report["partnerships"][0]["findings"][0];
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["before"]["severity"], "warning");
    assert_eq!(gate(&script, "error"), 1);
}

#[test]
fn a_closed_partner_item_resolves_its_finding() {
    let overdue = "\n- [ ] partner: send the SSO roadmap (due 2024-06-28)\n";
    let script = main_history(30, "")
        .commit(
            "2024-06-24",
            "Northwind: SSO roadmap asked",
            &[(
                "partners/northwind.md",
                &partnership(
                    "Northwind Analytics",
                    &northwind(30, ""),
                    &format!("{NOTES}{JUNE}{overdue}"),
                ),
            )],
        )
        .branch("pr")
        .commit(
            "2024-07-15",
            "Northwind: roadmap received",
            &[(
                "partners/northwind.md",
                &partnership(
                    "Northwind Analytics",
                    &northwind(30, ""),
                    &format!("{NOTES}{JUNE}{}{CALM_JULY}", overdue.replace("[ ]", "[x]")),
                ),
            )],
        );
    let report = report(&script);
    assert!(
        has(&report, "northwind", "partner-unresponsive", "resolved"),
        "{report:#}"
    );
    assert_eq!(
        gate(&script, "info"),
        0,
        "a resolved finding never fails the gate"
    );
}

#[test]
fn a_finding_the_change_leaves_alone_is_unchanged() {
    let script = northwind_pull_request(
        45,
        "Northwind: July sync",
        &northwind(45, ""),
        &format!("{NOTES}{JUNE}{CALM_JULY}"),
    );
    let report = report(&script);
    assert_eq!(
        statuses(&report, "northwind"),
        vec![("payment-terms-slip".to_string(), "unchanged".to_string())]
    );
    assert_eq!(
        gate(&script, "info"),
        0,
        "an unchanged finding was there before the change"
    );
}

#[test]
fn an_acknowledgement_added_by_the_change_is_acknowledged() {
    let acknowledged = "acknowledged:\n  - { rule: payment-terms-slip, reason: Net-45 for a 10% volume discount, until: 2025-01-15 }\n";
    let script = northwind_pull_request(
        45,
        "Northwind: net-45 accepted for the discount",
        &northwind(45, acknowledged),
        &format!("{NOTES}{JUNE}"),
    );
    let report = report(&script);
    assert!(
        has(&report, "northwind", "payment-terms-slip", "acknowledged"),
        "{report:#}"
    );
    assert_eq!(gate(&script, "info"), 0);
}

#[test]
fn a_renamed_file_keeps_all_its_findings_unchanged() {
    let script = main_history(45, "").branch("pr").rename(
        "2024-07-12",
        "Move Northwind under its region",
        "partners/northwind.md",
        "partners/emea/northwind-analytics.md",
        None,
    );
    let report = report(&script);
    let partnership = &report["partnerships"][0];
    assert_eq!(partnership["file"], "moved", "{report:#}");
    assert_eq!(partnership["base_path"], "partners/northwind.md");
    assert_eq!(partnership["path"], "partners/emea/northwind-analytics.md");
    let found = statuses(&report, partnership["id"].as_str().unwrap_or_default());
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|(_, change)| change == "unchanged"),
        "{found:?}"
    );
    assert_eq!(gate(&script, "info"), 0);
}

#[test]
fn a_calm_meeting_note_changes_nothing_and_passes() {
    let script = main_history(30, "").branch("pr").commit(
        "2024-07-12",
        "Zhiheng: July review",
        &[(
            "partners/zhiheng.md",
            &zhiheng(&format!("{ZHIHENG_MAY}\n## 2024-07-11 项目例会\n参会人员：王磊, Chen Siyuan\n\n第二个项目顺利上线，双方团队配合默契。\n")),
        )],
    );
    let report = report(&script);
    assert_eq!(report["counts"]["new"], 0, "{report:#}");
    assert_eq!(report["counts"]["worsened"], 0);
    assert_eq!(gate(&script, "info"), 0);
    rapport(&script, &["report", "--base", "main", "--head", "pr"])
        .snapshot("a_calm_meeting_note_changes_nothing")
        .run();
}

#[test]
fn a_meeting_note_dated_another_way_is_shown_as_not_read_without_failing_the_gate() {
    let script = main_history(30, "").branch("pr").commit(
        "2024-07-12",
        "Zhiheng: July review",
        &[(
            "partners/zhiheng.md",
            &zhiheng(&format!("{ZHIHENG_MAY}\n## 2024/07/11 项目例会\n参会人员：王磊, Chen Siyuan\n\n客户投诉不断，双方争吵激烈。\n")),
        )],
    );
    let report = report(&script);
    let warnings = report["file_warnings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(warnings.len(), 1, "{report:#}");
    assert_eq!(warnings[0]["code"], "unread-meeting-date");
    assert_eq!(warnings[0]["file"], "partners/zhiheng.md");
    assert_eq!(
        warnings[0]["help"],
        "write the date as `2024-07-11`: `## 2024-07-11 项目例会`"
    );
    assert_eq!(
        gate(&script, "warning"),
        0,
        "a warning about the notes is no finding"
    );
    rapport(&script, &["report", "--base", "main", "--head", "pr"])
        .snapshot("a_meeting_note_dated_another_way_in_text")
        .run();
    rapport(
        &script,
        &[
            "report", "--base", "main", "--head", "pr", "--format", "markdown",
        ],
    )
    .snapshot("a_meeting_note_dated_another_way_in_markdown")
    .run();
}

#[test]
fn an_invalid_file_at_head_fails_the_gate_with_2() {
    let script = northwind_pull_request(
        30,
        "Northwind: typo",
        &northwind(30, "").replace("payment_days", "payment_dayz"),
        NOTES,
    );
    rapport(
        &script,
        &[
            "check",
            "--base",
            "main",
            "--rev",
            "pr",
            "--fail-on",
            "never",
        ],
    )
    .snapshot("an_invalid_file_at_head_fails_the_gate")
    .run();
}

#[test]
fn a_shallow_clone_is_refused_not_reported_on() {
    let script = northwind_pull_request(30, "Northwind: July", &northwind(45, ""), NOTES);
    let dir = tempfile::tempdir().expect("temp");
    let clone = shallow_clone(&script, dir.path());
    // No partial report.
    Test::in_dir(dir.path())
        .arg("report")
        .arg(&clone)
        .args(["--base", "HEAD", "--format", "markdown"])
        .status(2)
        .stderr("error: the repository at [ROOT]/clone/ is a shallow clone: its history is cut off, and rapport does not report on part of a history
help: fetch the whole history, then run rapport again:
        git fetch --unshallow
      or fetch enough of it: git fetch --deepen=N (N commits more)
      in GitHub Actions, check out with the whole history:
        - uses: actions/checkout@v4
          with:
            fetch-depth: 0
      in GitLab CI, set the variable GIT_DEPTH: 0
")
        .run();
}

#[test]
fn the_base_comes_from_the_pull_request_environment_and_is_named() {
    let script = northwind_pull_request(
        30,
        "Northwind: net-45",
        &northwind(45, ""),
        &format!("{NOTES}{JUNE}"),
    );
    // Read field by field below.
    let out = rapport(&script, &["report", "--format", "json"])
        .env("GITHUB_BASE_REF", "main")
        .stderr("rapport: comparing with main (from GITHUB_BASE_REF)\n")
        .any_stdout()
        .run();
    let report: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(report["base"]["source"], "GITHUB_BASE_REF");
    assert_eq!(report["counts"]["new"], 1);

    rapport(&script, &["report"]).status(2).stderr("error: no base revision to compare with: tried origin/HEAD (not set in this clone), the upstream of pr (it has none), origin/main (not here), origin/master (not here)
help: name the revision the change is compared with, such as --base origin/main; in CI, fetch the target branch first (git fetch origin main), or set origin/HEAD: git remote set-head origin --auto
").run();
}
