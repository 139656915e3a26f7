//! `rapport timeline` and `rapport check --rev` as a user meets them: the story of a partnership
//! replayed into a repository, and the exit codes and messages when history cannot be read.

mod common;

use common::{Script, Test, partnership};

fn rapport(dir: &std::path::Path) -> Test {
    Test::in_dir(dir)
}

const CONTACTS: &str = "contacts:\n  - { name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true }\n  - { name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }\n";
const SCOPE: &str =
    "scope:\n  - { id: eu-hosting, summary: Managed hosting for EU tenants, owner: partner }\n";

fn front(days: u32, level: &str, actual: u32, score: &str, scope: &str) -> String {
    format!(
        "since: 2024-01-15\n{}terms: {{ payment_days: {days}, price: 120000, currency: EUR }}\nkpis:\n  - {{ id: sourced-pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000, actual: {actual} }}\nsatisfaction: {{ score: {score} }}\n{scope}",
        CONTACTS.replace("level: executive", &format!("level: {level}"))
    )
}

/// Northwind's first year, as the sample ledger tells it.
fn northwind() -> Script {
    let kickoff = "\n## 2024-02-01 Kick-off\nAttendees: Dana Whitfield, Priya Raman\n\n- [ ] partner: send the enablement plan (due 2024-02-28)\n- [ ] ours: share the Q1 forecast\n";
    let qbr = "\n## 2024-06-12 Quarterly business review\nAttendees: Priya Raman\n\nPipeline is behind plan.\n\n- [ ] partner: send the revised enablement plan (due 2024-06-30)\n";
    Script::new()
        .commit(
            "2024-01-15",
            "Start the Northwind partnership",
            &[("partners/northwind.md", &partnership("Northwind Analytics", &front(30, "executive", 0, "4.5", SCOPE), ""))],
        )
        .commit(
            "2024-02-01",
            "Kick-off notes",
            &[("partners/northwind.md", &partnership("Northwind Analytics", &front(30, "executive", 40000, "4.2", SCOPE), kickoff))],
        )
        .commit(
            "2024-04-02",
            "Northwind asks for net-45",
            &[("partners/northwind.md", &partnership("Northwind Analytics", &front(45, "executive", 60000, "3.8", SCOPE), &kickoff.replace("- [ ] ours", "- [x] ours")))],
        )
        .commit(
            "2024-06-12",
            "QBR: pipeline behind plan",
            &[("partners/northwind.md", &partnership(
                "Northwind Analytics",
                &front(60, "manager", 90000, "3.1", "scope:\n  - { id: eu-hosting, summary: Managed hosting for EU healthcare tenants only, owner: partner }\n"),
                &(kickoff.replace("- [ ] ours", "- [x] ours") + qbr),
            ))],
        )
}

#[test]
fn the_timeline_tells_the_story() {
    let script = northwind();
    rapport(script.path())
        .args(["timeline", "northwind"])
        .snapshot("the_timeline_tells_the_story")
        .run();
}

#[test]
fn the_timeline_as_json() {
    let script = northwind();
    // Read field by field below.
    let out = rapport(script.path())
        .args(["timeline", "northwind", "--format", "json"])
        .any_stdout()
        .run();
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(doc["id"], "northwind");
    assert_eq!(doc["versions"].as_array().map(Vec::len), Some(4));
    assert_eq!(doc["versions"][0]["changes"][0]["kind"], "created");
    assert_eq!(doc["versions"][0]["commit"]["date"], "2024-01-15");
    let changes = doc["versions"][2]["changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(changes.iter().any(|c| c["kind"] == "field"
        && c["path"] == "terms.payment_days"
        && c["from"] == "30"
        && c["to"] == "45"));
    assert_eq!(doc["items"][0]["opened"], "2024-02-01");
    assert_eq!(doc["items"][1]["closed"], "2024-04-02");
}

#[test]
fn an_unknown_partnership_suggests_the_closest_id() {
    let script = northwind();
    rapport(script.path())
        .args(["timeline", "northwnd"])
        .snapshot("an_unknown_partnership_suggests_the_closest_id")
        .run();
}

#[test]
fn an_unknown_revision_exits_2() {
    let script = northwind();
    rapport(script.path())
        .args(["timeline", "northwind", "--rev", "nope"])
        .snapshot("an_unknown_revision_exits_2")
        .run();
    rapport(script.path())
        .args(["check", "--rev", "nope"])
        .snapshot("an_unknown_revision_exits_2_2")
        .run();
}

#[test]
fn outside_a_repository_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    rapport(dir.path())
        .args(["timeline", "northwind"])
        .snapshot("outside_a_repository_exits_2")
        .run();
    rapport(dir.path())
        .args(["check", "--rev", "HEAD"])
        .snapshot("outside_a_repository_exits_2_2")
        .run();
}

#[test]
fn an_empty_history_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    git2::Repository::init(dir.path()).expect("git init");
    rapport(dir.path())
        .args(["timeline", "northwind"])
        .snapshot("an_empty_history_exits_2")
        .run();
    rapport(dir.path())
        .args(["check", "--rev", "HEAD"])
        .snapshot("an_empty_history_exits_2_2")
        .run();
    // Before the first commit, the working tree is still checked; with no partnership folder
    // there is nothing to check, which is not a pass.
    rapport(dir.path())
        .args(["check"])
        .snapshot("an_empty_history_exits_2_3")
        .run();
    std::fs::create_dir(dir.path().join("partners")).expect("mkdir");
    std::fs::write(
        dir.path().join("partners/northwind.md"),
        partnership("Northwind Analytics", "", ""),
    )
    .expect("write");
    rapport(dir.path())
        .args(["check", "--fail-on", "never", "--as-of", "2024-01-15"])
        .snapshot("an_empty_history_exits_2_4")
        .run();
    let script = Script::new().commit("2024-01-15", "Notes", &[("notes.txt", "x")]);
    rapport(script.path())
        .args(["timeline", "northwind"])
        .snapshot("an_empty_history_exits_2_5")
        .run();
}

#[test]
fn a_shallow_clone_exits_2_with_the_commands_to_fetch_history() {
    let script = northwind();
    let target = tempfile::tempdir().expect("tempdir");
    let clone = common::shallow_clone(&script, target.path());
    rapport(&clone)
        .args(["timeline", "northwind"])
        .snapshot("a_shallow_clone_exits_2_with_the_commands_to_fetch_history")
        .run();
    rapport(&clone)
        .args(["check"])
        .snapshot("a_shallow_clone_exits_2_with_the_commands_to_fetch_history_2")
        .run();
}

#[test]
fn check_validates_the_ledger_at_a_revision() {
    let script = northwind().commit(
        "2024-07-01",
        "Typo",
        &[(
            "partners/northwind.md",
            &partnership("Northwind Analytics", "terms: { pament_days: 45 }\n", ""),
        )],
    );
    rapport(script.path())
        .args(["check", "--rev", "HEAD~1", "--fail-on", "never"])
        .snapshot("check_validates_the_ledger_at_a_revision")
        .run();
    rapport(script.path())
        .args(["check", "--rev", "HEAD"])
        .snapshot("check_validates_the_ledger_at_a_revision_2")
        .run();
    // The working tree holds the same invalid file.
    rapport(script.path())
        .args(["check"])
        .snapshot("check_validates_the_ledger_at_a_revision_3")
        .run();
    // The timeline keeps the invalid version.
    rapport(script.path())
        .args(["timeline", "northwind"])
        .snapshot("check_validates_the_ledger_at_a_revision_4")
        .run();
}
