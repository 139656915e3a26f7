//! The history engine on scripted repositories: renames, merges, deletions, invalid versions,
//! shallow clones and unknown revisions.

mod common;

use common::{Script, partnership};
use rapport::Error;
use rapport::history::{self, History, LedgerRepo, Quiet};
use rapport::ledger::changes::{Change, action_items, changes};
use rapport::ledger::{Content, Ladder, Timeline};

fn open(script: &Script) -> LedgerRepo {
    LedgerRepo::open(script.path(), &["partners".to_string()]).expect("a ledger repository")
}

fn history(script: &Script) -> History {
    history::timelines(&open(script), "HEAD", &Ladder::default(), &Quiet).expect("history")
}

/// The timeline of `id`, read both ways (whole ledger, and that file alone), which must agree.
fn timeline(script: &Script, id: &str) -> Timeline {
    let all = history(script);
    let whole = all
        .timeline(id)
        .cloned()
        .expect("the partnership is in the history");
    let alone = history::timeline(&open(script), "HEAD", id, &Ladder::default(), &Quiet)
        .expect("the partnership's own history")
        .timelines
        .remove(0);
    assert_eq!(
        whole, alone,
        "reading one file's history agrees with the whole walk"
    );
    whole
}

fn states(timeline: &Timeline) -> Vec<&'static str> {
    timeline
        .versions
        .iter()
        .map(|v| match v.content {
            Content::Valid { .. } => "valid",
            Content::Invalid { .. } => "invalid",
            Content::Removed => "removed",
        })
        .collect()
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

fn terms(days: u32) -> String {
    format!("terms: {{ payment_days: {days} }}\n")
}

#[test]
fn a_rename_into_a_subfolder_keeps_the_partnership() {
    let script = Script::new()
        .commit(
            "2024-01-15",
            "Start Northwind",
            &[(
                "partners/northwind.md",
                &partnership("Northwind", &terms(30), ""),
            )],
        )
        .commit(
            "2024-02-01",
            "Net-45",
            &[(
                "partners/northwind.md",
                &partnership("Northwind", &terms(45), ""),
            )],
        )
        .rename(
            "2024-03-01",
            "File Northwind under EU",
            "partners/northwind.md",
            "partners/eu/northwind.md",
            None,
        )
        .commit(
            "2024-04-01",
            "Net-60",
            &[(
                "partners/eu/northwind.md",
                &partnership("Northwind", &terms(60), ""),
            )],
        );
    let all = history(&script);
    assert_eq!(all.timelines.len(), 1);
    let t = timeline(&script, "northwind");
    assert_eq!(days(&t), vec![Some(30), Some(45), Some(45), Some(60)]);
    let paths: Vec<&str> = t.versions.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "partners/northwind.md",
            "partners/northwind.md",
            "partners/eu/northwind.md",
            "partners/eu/northwind.md"
        ]
    );
    let moved = changes(
        t.versions[1].snapshot(),
        t.versions[2].snapshot().expect("valid"),
    );
    assert_eq!(
        moved,
        vec![Change::Moved {
            from: "partners/northwind.md".into(),
            to: "partners/eu/northwind.md".into()
        }]
    );
    assert_eq!(t.versions[0].commit.date.to_string(), "2024-01-15");
    assert_eq!(t.versions[0].commit.author, "Priya Raman");
    assert_eq!(t.versions[3].commit.summary, "Net-60");
}

#[test]
fn both_branches_editing_one_file_count_each_version_once() {
    let base = partnership("Northwind", &terms(30), "");
    let ours = partnership(
        "Northwind",
        &(terms(30) + "effort: { hours_per_month: 40 }\n"),
        "",
    );
    let theirs = partnership("Northwind", &terms(60), "");
    let merged = partnership(
        "Northwind",
        &(terms(60) + "effort: { hours_per_month: 40 }\n"),
        "",
    );
    let script = Script::new()
        .commit("2024-01-15", "Start", &[("partners/northwind.md", &base)])
        .branch("terms")
        .commit(
            "2024-02-01",
            "Net-60",
            &[("partners/northwind.md", &theirs)],
        )
        .switch("main")
        .commit("2024-02-05", "Hours", &[("partners/northwind.md", &ours)])
        .commit("2024-02-06", "Unrelated", &[("notes.txt", "x")])
        .merge(
            "2024-02-10",
            "Merge terms",
            "terms",
            &[("partners/northwind.md", &merged)],
        );
    let t = timeline(&script, "northwind");
    let summaries: Vec<&str> = t
        .versions
        .iter()
        .map(|v| v.commit.summary.as_str())
        .collect();
    assert_eq!(summaries.len(), 4, "{summaries:?}");
    assert_eq!(summaries[0], "Start");
    // A list's membership: the two middle commits, in either order (their dates tie).
    assert!(summaries[1..3].contains(&"Net-60") && summaries[1..3].contains(&"Hours"));
    assert_eq!(summaries[3], "Merge terms");
    assert_eq!(days(&t).last(), Some(&Some(60)));
}

#[test]
fn a_change_arriving_through_a_merge_is_not_counted_twice() {
    let script = Script::new()
        .commit(
            "2024-01-15",
            "Start",
            &[(
                "partners/northwind.md",
                &partnership("Northwind", &terms(30), ""),
            )],
        )
        .branch("terms")
        .commit(
            "2024-02-01",
            "Net-60",
            &[(
                "partners/northwind.md",
                &partnership("Northwind", &terms(60), ""),
            )],
        )
        .switch("main")
        .commit("2024-02-05", "Unrelated", &[("README.txt", "hello")])
        .merge("2024-02-10", "Merge terms", "terms", &[]);
    let t = timeline(&script, "northwind");
    assert_eq!(days(&t), vec![Some(30), Some(60)]);
    assert_eq!(t.versions[1].commit.summary, "Net-60");
}

#[test]
fn a_deletion_ends_the_history_and_a_re_add_continues_it() {
    let script = Script::new()
        .commit(
            "2024-01-15",
            "Start",
            &[(
                "partners/northwind.md",
                &partnership("Northwind", &terms(30), ""),
            )],
        )
        .remove("2024-03-01", "End Northwind", &["partners/northwind.md"])
        .commit(
            "2024-05-01",
            "Northwind is back",
            &[(
                "partners/northwind.md",
                &partnership("Northwind", &terms(45), ""),
            )],
        );
    let t = timeline(&script, "northwind");
    assert_eq!(states(&t), vec!["valid", "removed", "valid"]);
    assert!(t.is_present());
    assert_eq!(days(&t), vec![Some(30), None, Some(45)]);

    let ended = script.remove("2024-06-01", "End again", &["partners/northwind.md"]);
    let all = history(&ended);
    let t = all
        .timeline("northwind")
        .expect("a deleted partnership keeps its history");
    assert!(!t.is_present());
    // Deleted at the tip: read from the whole walk.
    let alone = history::timeline(
        &open(&ended),
        "HEAD",
        "northwind",
        &Ladder::default(),
        &Quiet,
    )
    .expect("found in the walk")
    .timelines
    .remove(0);
    assert_eq!(&alone, t);
}

#[test]
fn an_explicit_id_joins_files_the_walk_cannot_link() {
    let script = Script::new()
        .commit(
            "2024-01-15",
            "Start",
            &[(
                "partners/nw.md",
                &partnership("Northwind", "id: northwind\n", ""),
            )],
        )
        .remove("2024-02-01", "Remove", &["partners/nw.md"])
        .commit(
            "2024-03-01",
            "Rewrite",
            &[(
                "partners/accounts/northwind-analytics.md",
                &partnership(
                    "Northwind Analytics",
                    "id: northwind\nsince: 2024-01-15\n",
                    "Rewritten.",
                ),
            )],
        );
    let all = history(&script);
    assert_eq!(
        all.timelines.len(),
        1,
        "{:?}",
        all.timelines.iter().map(|t| &t.id).collect::<Vec<_>>()
    );
    assert_eq!(states(&all.timelines[0]), vec!["valid", "removed", "valid"]);
}

#[test]
fn an_invalid_version_stays_in_the_timeline() {
    let script = Script::new()
        .commit(
            "2024-01-15",
            "Start",
            &[(
                "partners/northwind.md",
                &partnership(
                    "Northwind",
                    &terms(30),
                    "\n## 2024-01-15 Kick-off\n- [ ] partner: send the plan\n",
                ),
            )],
        )
        .commit(
            "2024-02-01",
            "Typo",
            &[(
                "partners/northwind.md",
                &partnership(
                    "Northwind",
                    "terms: { pament_days: 45 }\n",
                    "\n## 2024-01-15 Kick-off\n- [x] partner: send the plan\n",
                ),
            )],
        )
        .commit(
            "2024-03-01",
            "Fix typo",
            &[(
                "partners/northwind.md",
                &partnership(
                    "Northwind",
                    &terms(45),
                    "\n## 2024-01-15 Kick-off\n- [x] partner: send the plan\n",
                ),
            )],
        );
    let t = timeline(&script, "northwind");
    assert_eq!(states(&t), vec!["valid", "invalid", "valid"]);
    let Content::Invalid { diagnostics } = &t.versions[1].content else {
        panic!("the middle version is invalid");
    };
    assert_eq!(diagnostics[0].code, "unknown-field");
    assert_eq!(diagnostics[0].file, "partners/northwind.md");
    let items = action_items(&t);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].opened.to_string(), "2024-01-15");
    assert_eq!(
        items[0].closed.map(|d| d.to_string()).as_deref(),
        Some("2024-03-01"),
        "checked in an invalid version, so the check counts from the next valid one"
    );
}

#[test]
fn a_ledger_in_a_subfolder_reads_paths_relative_to_it() {
    let script = Script::new().commit(
        "2024-01-15",
        "Start",
        &[
            (
                "ledger/partners/northwind.md",
                &partnership("Northwind", "", ""),
            ),
            ("partners/elsewhere.md", &partnership("Elsewhere", "", "")),
        ],
    );
    let repo =
        LedgerRepo::open(&script.path().join("ledger"), &["partners".to_string()]).expect("ledger");
    let all = history::timelines(&repo, "HEAD", &Ladder::default(), &Quiet).expect("history");
    assert_eq!(all.timelines.len(), 1);
    assert_eq!(all.timelines[0].versions[0].path, "partners/northwind.md");
}

#[test]
fn a_shallow_clone_is_refused() {
    let script = Script::new()
        .commit(
            "2024-01-15",
            "One",
            &[("partners/a.md", &partnership("A", "", ""))],
        )
        .commit(
            "2024-02-15",
            "Two",
            &[("partners/a.md", &partnership("A", &terms(30), ""))],
        );
    let target = tempfile::tempdir().expect("tempdir");
    let clone = common::shallow_clone(&script, target.path());
    let error = LedgerRepo::open(&clone, &["partners".to_string()]).err();
    assert!(matches!(error, Some(Error::Shallow { .. })), "{error:?}");
    let help = error.and_then(|e| e.help()).unwrap_or_default();
    // An error's help, written for people: the two commands in it are looked for.
    assert!(help.contains("git fetch --unshallow"));
    // An error's help, written for people: the CI setting in it.
    assert!(help.contains("fetch-depth: 0"));
}

#[test]
fn an_unknown_revision_is_an_error() {
    let script = Script::new().commit(
        "2024-01-15",
        "One",
        &[("partners/a.md", &partnership("A", "", ""))],
    );
    let error =
        history::timelines(&open(&script), "no-such-branch", &Ladder::default(), &Quiet).err();
    assert!(
        matches!(&error, Some(Error::UnknownRevision { rev, .. }) if rev == "no-such-branch"),
        "{error:?}"
    );
}

#[test]
fn a_folder_outside_any_repository_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let error = LedgerRepo::open(dir.path(), &["partners".to_string()]).err();
    assert!(
        matches!(error, Some(Error::NotARepository { .. })),
        "{error:?}"
    );
}

#[test]
fn history_stops_at_the_revision_asked_for() {
    let script = Script::new()
        .commit(
            "2024-01-15",
            "One",
            &[("partners/a.md", &partnership("A", &terms(30), ""))],
        )
        .commit(
            "2024-02-15",
            "Two",
            &[("partners/a.md", &partnership("A", &terms(45), ""))],
        );
    let all =
        history::timelines(&open(&script), "HEAD~1", &Ladder::default(), &Quiet).expect("history");
    assert_eq!(all.timelines[0].versions.len(), 1);
    assert_eq!(all.now().to_string(), "2024-01-15");
}

/// A commit that moves partnership files among other files: rapport pairs moves exactly as
/// `git diff -M` does, whether the file a partnership file was moved to is a partnership file or
/// not (an exact copy of Northwind's file as notes is the move git sees, so Northwind's new
/// file is an addition), in the comparison of two commits, the whole walk and one file's history.
#[test]
fn moves_are_paired_as_git_pairs_them_among_every_file() {
    let kestrel = partnership(
        "Kestrel Systems",
        &terms(30),
        "\n## 2024-01-20 Kick-off\nAttendees: Li Wei, Priya Raman\n\nThe pilot starts in March.\n",
    );
    let northwind = partnership(
        "Northwind",
        &terms(45),
        "\n## 2024-01-22 QBR\nAttendees: Dana Whitfield, Priya Raman\n\n双方确认了第二季度的目标。\n",
    );
    let script = Script::new()
        .commit(
            "2024-01-25",
            "Start Kestrel and Northwind",
            &[
                ("partners/kestrel.md", &kestrel),
                ("partners/northwind.md", &northwind),
            ],
        )
        .remove(
            "2024-03-01",
            "Reorganise the ledger",
            &["partners/kestrel.md", "partners/northwind.md"],
        );
    // The removal above is rewritten into one commit that removes and adds together.
    let script = script
        .git_on("2024-03-01", &["reset", "--soft", "HEAD~1"])
        .commit(
            "2024-03-01",
            "Reorganise the ledger",
            &[
                (
                    "partners/apac/kestrel.md",
                    &kestrel.replace("March", "April"),
                ),
                ("partners/archive/northwind.txt", &northwind),
                (
                    "partners/archive/northwind.md",
                    &northwind.replace("QBR", "Quarterly review"),
                ),
                (
                    "partners/readme.txt",
                    "Partnership files, one per partner.\n",
                ),
            ],
        );
    let oid = |rev: &str| {
        let out = script.git(&["rev-parse", rev]);
        git2::Oid::from_str(String::from_utf8_lossy(&out.stdout).trim()).expect("an id")
    };
    // What git pairs, kept to partnership files.
    let status = script.git(&[
        "diff",
        "-M",
        "--name-status",
        "HEAD~1",
        "HEAD",
        "--",
        "partners",
    ]);
    let is_partnership = |p: &str| p.ends_with(".md");
    let mut expected: Vec<(Option<String>, Option<String>)> = Vec::new();
    for line in String::from_utf8_lossy(&status.stdout).lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let keep = |p: &str| is_partnership(p).then(|| p.to_string());
        match fields.as_slice() {
            [s, from, to] if s.starts_with('R') => match (keep(from), keep(to)) {
                (None, None) => {}
                (before, after) if before.is_some() && after.is_some() => {
                    expected.push((before, after));
                }
                (before, after) => {
                    if before.is_some() {
                        expected.push((before, None));
                    }
                    if after.is_some() {
                        expected.push((None, after));
                    }
                }
            },
            ["A", path] => expected.extend(keep(path).map(|p| (None, Some(p)))),
            ["D", path] => expected.extend(keep(path).map(|p| (Some(p), None))),
            _ => panic!("an unexpected status line: {line}"),
        }
    }
    expected.sort();
    assert_eq!(
        expected,
        [
            (None, Some("partners/archive/northwind.md".to_string())),
            (
                Some("partners/kestrel.md".to_string()),
                Some("partners/apac/kestrel.md".to_string())
            ),
            (Some("partners/northwind.md".to_string()), None),
        ],
        "git's own pairing: {}",
        String::from_utf8_lossy(&status.stdout)
    );
    let mut touched: Vec<(Option<String>, Option<String>)> =
        history::touched(&open(&script), oid("HEAD~1"), oid("HEAD"))
            .expect("the files touched")
            .into_iter()
            .map(|t| (t.before, t.after))
            .collect();
    touched.sort();
    assert_eq!(touched, expected);
    // The whole walk and the file's own history follow Kestrel into its new folder.
    let t = timeline(&script, "kestrel");
    let paths: Vec<&str> = t.versions.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["partners/kestrel.md", "partners/apac/kestrel.md"]);
}
