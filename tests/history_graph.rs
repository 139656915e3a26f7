//! Order from the commit graph, time from dates only where they fit it: author dates going
//! backwards, a tip dated 1971, a commit dated 2099, and two branches merged. Every path that
//! reads history (the whole walk, one file's history, the pull-request report's) agrees, no
//! version is dropped, no sign erased, and each commit whose date had to be corrected is named.

mod common;

use common::{Script, Test, partnership};
use rapport::config::Config;
use rapport::history::{self, History, LedgerRepo, Quiet};
use rapport::ledger::changes::Change;
use rapport::ledger::{Ladder, Timeline};

fn open(script: &Script) -> LedgerRepo {
    LedgerRepo::open(script.path(), &["partners".to_string()]).expect("a ledger repository")
}

/// The whole history, after checking that the one-file path and the pull-request path (head
/// and merge base both at HEAD) read `id` exactly as the whole walk does.
fn read(script: &Script, id: &str) -> History {
    let repo = open(script);
    let all = history::timelines(&repo, "HEAD", &Ladder::default(), &Quiet).expect("history");
    let whole = all.timeline(id).cloned().expect("the partnership");
    let alone = history::timeline(&repo, "HEAD", id, &Ladder::default(), &Quiet)
        .expect("one file's history");
    assert_eq!(
        alone.timelines,
        vec![whole.clone()],
        "the one-file path agrees"
    );
    assert_eq!(alone.now, all.now);
    let path = whole.last().map(|v| v.path.clone()).expect("a version");
    let head = repo.resolve("HEAD").expect("head").id();
    let compared = history::compare(
        &repo,
        head,
        head,
        std::slice::from_ref(&path),
        &Ladder::default(),
        &Quiet,
    )
    .expect("the pull-request path");
    assert_eq!(compared.now, all.now);
    assert_eq!(compared.partnerships.len(), 1);
    assert_eq!(
        compared.partnerships[0].head, whole,
        "the pull-request path agrees"
    );
    assert_eq!(compared.partnerships[0].base, whole);
    let named = history::timelines_of(&repo, "HEAD", &[path], &Ladder::default(), &Quiet)
        .expect("the named-file path");
    assert_eq!(named.timelines, vec![whole], "the named-file path agrees");
    assert_eq!(named.now, all.now);
    if all.timelines.len() == 1 {
        assert_eq!(alone.warnings, all.warnings);
        assert_eq!(compared.warnings, all.warnings);
    }
    all
}

fn days(timeline: &Timeline) -> Vec<Option<i64>> {
    timeline
        .versions
        .iter()
        .map(|v| {
            v.snapshot()
                .and_then(|s| s.front.terms.as_ref())
                .and_then(|t| t.payment_days)
        })
        .collect()
}

fn dates(timeline: &Timeline) -> Vec<String> {
    timeline
        .versions
        .iter()
        .map(|v| v.date().to_string())
        .collect()
}

fn terms(days: u32) -> String {
    format!("terms: {{ payment_days: {days} }}\n")
}

fn northwind(days: u32) -> String {
    partnership("Northwind", &terms(days), "")
}

const FILE: &str = "partners/northwind.md";

/// The rule ids of the open findings at HEAD, analysed as `rapport check --rev HEAD` does.
fn findings(script: &Script) -> Vec<&'static str> {
    let history =
        history::timelines(&open(script), "HEAD", &Ladder::default(), &Quiet).expect("history");
    let found = rapport::analysis::run_rules(
        &history.timelines,
        &Config::default(),
        history.now(),
        &|_: &str| None,
    );
    found.iter().map(|f| f.rule).collect()
}

/// `rapport ARGS` in `dir`.
fn rapport(dir: &std::path::Path, args: &[&str]) -> Test {
    Test::in_dir(dir).args(args)
}

#[test]
fn author_dates_going_backwards_keep_every_version_in_graph_order() {
    let script = Script::new()
        .commit("2024-03-01", "Start", &[(FILE, &northwind(30))])
        .commit("2024-01-15", "Net-45 (rebased)", &[(FILE, &northwind(45))])
        .commit("2024-04-01", "Net-60", &[(FILE, &northwind(60))]);
    let all = read(&script, "northwind");
    let t = all.timeline("northwind").expect("northwind");
    assert_eq!(days(t), vec![Some(30), Some(45), Some(60)]);
    assert_eq!(dates(t), vec!["2024-03-01", "2024-03-01", "2024-04-01"]);
    let parents: Vec<Option<usize>> = t.versions.iter().map(|v| v.parent).collect();
    assert_eq!(parents, vec![None, Some(0), Some(1)]);
    assert_eq!(all.now().to_string(), "2024-04-01");
    assert_eq!(all.warnings.len(), 1, "{:?}", all.warnings);
    let w = &all.warnings[0];
    assert_eq!(w.short, t.versions[1].commit.short);
    assert_eq!(w.code, "date-before-parent");
    assert_eq!(w.date.to_string(), "2024-01-15");
    assert_eq!(w.counted.to_string(), "2024-03-01");
    // A warning's message names the commit and the date; its wording is pinned by the CLI tests.
    assert!(w.message.contains(&w.short) && w.message.contains("2024-01-15"));
    // A list's membership: the rule among the findings.
    assert!(findings(&script).contains(&"payment-terms-slip"));
}

#[test]
fn a_tip_dated_1971_counts_time_up_to_its_parents() {
    let script = Script::new()
        .commit("2024-01-15", "Start", &[(FILE, &northwind(30))])
        .commit("2024-06-01", "Net-60", &[(FILE, &northwind(60))])
        .commit("1971-01-01", "Net-120", &[(FILE, &northwind(120))]);
    let all = read(&script, "northwind");
    let t = all.timeline("northwind").expect("northwind");
    assert_eq!(days(t), vec![Some(30), Some(60), Some(120)]);
    assert_eq!(all.now().to_string(), "2024-06-01");
    assert_eq!(dates(t), vec!["2024-01-15", "2024-06-01", "2024-06-01"]);
    assert_eq!(all.warnings.len(), 1, "{:?}", all.warnings);
    assert_eq!(all.warnings[0].short, all.head.short);
    assert_eq!(all.warnings[0].code, "date-before-parent");
    // Stretched from net-30 to net-120: the sign stays, though the tip claims 1971.
    // A list's membership: the rule among the findings.
    assert!(findings(&script).contains(&"payment-terms-slip"));

    // A tip that changes no partnership file is named too: its date is not "now".
    let later = script.commit("1971-01-01", "Notes", &[("notes.txt", "x")]);
    let all =
        history::timelines(&open(&later), "HEAD", &Ladder::default(), &Quiet).expect("history");
    assert_eq!(all.now().to_string(), "2024-06-01");
    let named: Vec<&str> = all.warnings.iter().map(|w| w.short.as_str()).collect();
    // A list's membership: the tip among the commits named.
    assert!(named.contains(&all.head.short.as_str()), "{named:?}");
}

#[test]
fn a_commit_dated_2099_in_the_middle_keeps_its_place_and_the_signs() {
    let script = Script::new()
        .commit("2024-01-15", "Start", &[(FILE, &northwind(30))])
        .commit("2099-01-01", "Net-60", &[(FILE, &northwind(60))])
        .commit("2024-05-01", "Net-90", &[(FILE, &northwind(90))])
        .commit("2024-06-01", "Net-120", &[(FILE, &northwind(120))]);
    let all = read(&script, "northwind");
    let t = all.timeline("northwind").expect("northwind");
    assert_eq!(days(t), vec![Some(30), Some(60), Some(90), Some(120)]);
    assert_eq!(all.now().to_string(), "2024-06-01");
    // Counted at the first plausible date after it, so no window runs backwards.
    assert_eq!(
        dates(t),
        vec!["2024-01-15", "2024-05-01", "2024-05-01", "2024-06-01"]
    );
    assert_eq!(all.warnings.len(), 1, "{:?}", all.warnings);
    let w = &all.warnings[0];
    assert_eq!(w.short, t.versions[1].commit.short);
    assert_eq!(w.code, "date-in-future");
    assert_eq!(w.date.to_string(), "2099-01-01");
    // A list's membership: the rule among the findings.
    assert!(findings(&script).contains(&"payment-terms-slip"));

    // The commands say so on standard error, and JSON carries it.
    let text = rapport(script.path(), &["check", "--rev", "HEAD"])
        .snapshot("a_commit_dated_in_the_future_is_said_by_check")
        .run();
    // The JSON report, read field by field, with the same warning on standard error.
    let out = rapport(
        script.path(),
        &["check", "--rev", "HEAD", "--format", "json"],
    )
    .status(text.code)
    .stderr(text.stderr.as_str())
    .any_stdout()
    .run();
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(doc["as_of"], "2024-06-01");
    assert_eq!(doc["warnings"][0]["short"], w.short.as_str());
    assert_eq!(doc["warnings"][0]["counted"], "2024-05-01");
    let story = rapport(script.path(), &["timeline", "northwind"])
        .snapshot("a_commit_dated_in_the_future_is_said_by_the_timeline")
        .run();
    let out = rapport(
        script.path(),
        &["timeline", "northwind", "--format", "json"],
    )
    .stderr(story.stderr.as_str())
    .any_stdout()
    .run();
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(doc["warnings"][0]["code"], "date-in-future");
    assert_eq!(doc["versions"].as_array().map(Vec::len), Some(4));

    let base = script
        .branch("change")
        .commit("2024-06-10", "Net-150", &[(FILE, &northwind(150))]);
    let out = rapport(base.path(), &["report", "--base", "main", "--format", "json"])
        .stderr("warning[date-in-future]: commit 0a0cc146 is dated 2099-01-01, in the future; rapport counts it at 2024-05-01
  = help: rapport keeps the commit where the commit graph puts it and counts it at the nearest date that fits; check the clock of the machine it was made on (a rebase also keeps old author dates). A commit not yet shared can be re-dated with `git commit --amend --no-edit --date=YYYY-MM-DD`
")
        .any_stdout()
        .run();
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(doc["as_of"], "2024-06-10");
    assert_eq!(doc["warnings"][0]["short"], w.short.as_str());
}

/// Dana and Priya from the start; each branch adds two partner contacts.
fn contacts(extra: &[(&str, &str)]) -> String {
    let mut text = String::from(
        "contacts:\n  - { name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true }\n",
    );
    for (name, level) in extra {
        text.push_str(&format!(
            "  - {{ name: {name}, side: partner, role: Partner Manager, level: {level} }}\n"
        ));
    }
    text.push_str(
        "  - { name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }\n",
    );
    partnership("Northwind", &text, "")
}

#[test]
fn two_branches_each_adding_contacts_are_not_contacts_leaving() {
    let omar = [("Omar Haddad", "manager"), ("Mia Berg", "staff")];
    let lena = [("Lena Hoffmann", "director"), ("Jonas Weber", "manager")];
    let both = [omar[0], omar[1], lena[0], lena[1]];
    let script = Script::new()
        .commit("2024-01-15", "Start", &[(FILE, &contacts(&[]))])
        .branch("omar")
        .commit(
            "2024-02-01",
            "Add Omar and Mia",
            &[(FILE, &contacts(&omar))],
        )
        .switch("main")
        .commit(
            "2024-02-03",
            "Add Lena and Jonas",
            &[(FILE, &contacts(&lena))],
        )
        .merge(
            "2024-02-10",
            "Merge omar",
            "omar",
            &[(FILE, &contacts(&both))],
        );
    let all = read(&script, "northwind");
    let t = all.timeline("northwind").expect("northwind");
    assert_eq!(t.versions.len(), 4, "every version of both branches");
    assert!(all.warnings.is_empty(), "{:?}", all.warnings);
    let summary = |i: usize| t.versions[i].commit.summary.as_str();
    let parent = |i: usize| t.versions[i].parent.map(summary);
    // Each branch descends from the start; the merge from its first parent.
    for i in 1..3 {
        assert_eq!(parent(i), Some("Start"), "{}", summary(i));
    }
    assert_eq!(summary(3), "Merge omar");
    assert_eq!(parent(3), Some("Add Lena and Jonas"));

    // A list's membership: the rule is not among the findings.
    assert!(!findings(&script).contains(&"partner-turnover"));
    let view = rapport::analysis::timeline::describe(
        std::sync::Arc::clone(&all.head),
        t,
        &Config::default(),
    );
    let removed: Vec<&Change> = view
        .versions
        .iter()
        .flat_map(|v| &v.changes)
        .filter(|c| matches!(c, Change::ContactRemoved { .. }))
        .collect();
    assert!(removed.is_empty(), "{removed:?}");
    let merge: Vec<&Change> = view.versions[3].changes.iter().collect();
    assert_eq!(
        merge.len(),
        2,
        "the merge adds Omar's branch to Lena's: {merge:?}"
    );
    assert!(
        merge
            .iter()
            .all(|c| matches!(c, Change::ContactAdded { name, .. } if name == "Omar Haddad" || name == "Mia Berg"))
    );
}
