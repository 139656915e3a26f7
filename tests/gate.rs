//! The pre-merge gate attacked the way a teammate with commit access would try to pass it: a
//! merge that hides a step, a configuration that only the working tree has, a rule switched
//! off, a line that hides the meetings below it. Each attack fails the gate; each near miss,
//! written the way a team really works, passes it.

mod common;

use common::{Run, Script, northwind_front, partnership};
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
fn rapport(script: &Script, args: &[&str]) -> Run {
    common::rapport(script.path(), args)
}

/// The gate's JSON report of `pr` against `main`, with its exit code.
fn gate_json(script: &Script, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", "--base", "main", "--rev", "pr", "--format", "json"];
    args.extend_from_slice(extra);
    let run = rapport(script, &args);
    let json = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    (run.code, json)
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
    let (code, report) = gate_json(&script, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        statuses(&report).contains(&triple("northwind", "payment-terms-slip", "new")),
        "{report:#}"
    );
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
    let (code, report) = gate_json(&script, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        statuses(&report).contains(&triple("northwind", "payment-terms-slip", "new")),
        "{report:#}"
    );
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
    let (code, report) = gate_json(&script, &[]);
    assert_eq!(code, 0, "{report:#}");
    let moved: Vec<_> = statuses(&report)
        .into_iter()
        .filter(|(_, _, s)| s != "unchanged")
        .collect();
    assert!(moved.is_empty(), "{report:#}");
}
