//! Property tests over histories: whatever sequence of edits, breakages, moves, deletions and
//! re-adds a partnership goes through, its timeline has one version per commit in that order,
//! with the right state, path and values, whatever dates the commits carry (in order, going
//! backwards, in 2099, in 1971); the one-partnership fast path and the several-files pass of the
//! pull-request report agree with the whole-ledger walk, dates and links included; and the dates
//! versions count at never go backwards along history nor past "now".

mod common;

use common::{Script, partnership};
use proptest::prelude::*;
use rapport::history::{self, LedgerRepo, Quiet};
use rapport::ledger::{Content, Ladder, Timeline};

#[derive(Clone, Debug)]
enum Op {
    /// Write a valid version with these payment days.
    Edit(i64),
    /// Write a version that does not parse.
    Break,
    /// Move the file to the other folder, editing it.
    Move(i64),
    /// Delete the file.
    Remove,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0i64..200).prop_map(Op::Edit),
        1 => Just(Op::Break),
        1 => (0i64..200).prop_map(Op::Move),
        1 => Just(Op::Remove),
    ]
}

/// The author date a commit carries.
#[derive(Clone, Debug)]
enum When {
    /// After the commit before it.
    InOrder,
    /// This many days before the commit before it (a rebase, a clock set back).
    Backwards(i64),
    /// In 2099.
    Future,
    /// In 1971.
    Epoch,
}

fn when() -> impl Strategy<Value = When> {
    prop_oneof![
        5 => Just(When::InOrder),
        2 => (1i64..90).prop_map(When::Backwards),
        1 => Just(When::Future),
        1 => Just(When::Epoch),
    ]
}

/// The date of commit `step` (the first is 2024-01-01, each in order three days later).
fn date_of(step: usize, when: &When) -> chrono::NaiveDate {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
    let in_order = start + chrono::Days::new(3 * step as u64);
    match when {
        When::InOrder => in_order,
        When::Backwards(days) => in_order - chrono::Days::new(3 + *days as u64),
        When::Future => {
            chrono::NaiveDate::from_ymd_opt(2099, 1, 1).expect("a date")
                + chrono::Days::new(step as u64)
        }
        When::Epoch => {
            chrono::NaiveDate::from_ymd_opt(1971, 1, 1).expect("a date")
                + chrono::Days::new(step as u64)
        }
    }
}

/// What must agree between the ways of reading a timeline besides states: the date each version
/// counts at and the version it descends from.
fn dated(timeline: &Timeline) -> Vec<(String, Option<usize>)> {
    timeline
        .versions
        .iter()
        .map(|v| (v.date().to_string(), v.parent))
        .collect()
}

const PATHS: [&str; 2] = ["partners/northwind.md", "partners/emea/northwind.md"];

fn valid(step: usize, days: i64) -> String {
    partnership(
        "Northwind Analytics",
        &format!("id: northwind\nterms: {{ payment_days: {days} }}\n"),
        &format!("Version {step}.\n"),
    )
}

/// What the timeline must show for one commit.
#[derive(Debug, PartialEq)]
struct Expected {
    state: &'static str,
    path: String,
    days: Option<i64>,
}

fn states(timeline: &Timeline) -> Vec<Expected> {
    timeline
        .versions
        .iter()
        .map(|v| match &v.content {
            Content::Valid { snapshot } => Expected {
                state: "valid",
                path: v.path.clone(),
                days: snapshot.front.terms.as_ref().and_then(|t| t.payment_days),
            },
            Content::Invalid { .. } => Expected {
                state: "invalid",
                path: v.path.clone(),
                days: None,
            },
            Content::Removed => Expected {
                state: "removed",
                path: v.path.clone(),
                days: None,
            },
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn timelines_follow_every_commit(ops in proptest::collection::vec((op(), when()), 1..10)) {
        let mut script = Script::new().commit(&date_of(0, &When::InOrder).to_string(), "Start", &[(PATHS[0], &valid(0, 30))]);
        let mut expected = vec![Expected { state: "valid", path: PATHS[0].into(), days: Some(30) }];
        let mut at: Option<usize> = Some(0);
        let mut commit_dates = vec![date_of(0, &When::InOrder)];
        for (i, (op, when)) in ops.iter().enumerate() {
            let step = i + 1;
            let date = date_of(step, when);
            if at.is_some() || matches!(op, Op::Edit(_)) {
                commit_dates.push(date);
            }
            let date = date.to_string();
            match (op, at) {
                (Op::Edit(days), Some(p)) => {
                    script = script.commit(&date, "Edit", &[(PATHS[p], &valid(step, *days))]);
                    expected.push(Expected { state: "valid", path: PATHS[p].into(), days: Some(*days) });
                }
                // Editing a deleted partnership adds it again, where it was first.
                (Op::Edit(days), None) => {
                    script = script.commit(&date, "Add again", &[(PATHS[0], &valid(step, *days))]);
                    expected.push(Expected { state: "valid", path: PATHS[0].into(), days: Some(*days) });
                    at = Some(0);
                }
                (Op::Break, Some(p)) => {
                    script = script.commit(&date, "Break", &[(PATHS[p], &format!("---\nrapport: [{step}\n---\n"))]);
                    expected.push(Expected { state: "invalid", path: PATHS[p].into(), days: None });
                }
                (Op::Move(days), Some(p)) => {
                    let to = 1 - p;
                    script = script.rename(&date, "Move", PATHS[p], PATHS[to], Some(&valid(step, *days)));
                    expected.push(Expected { state: "valid", path: PATHS[to].into(), days: Some(*days) });
                    at = Some(to);
                }
                (Op::Remove, Some(p)) => {
                    script = script.remove(&date, "Remove", &[PATHS[p]]);
                    expected.push(Expected { state: "removed", path: PATHS[p].into(), days: None });
                    at = None;
                }
                // Nothing to break, move or remove.
                (_, None) => {}
            }
        }
        let repo = LedgerRepo::open(script.path(), &["partners".to_string()]).expect("open");
        let all = history::timelines(&repo, "HEAD", &Ladder::default(), &Quiet).expect("history");
        prop_assert_eq!(all.timelines.len(), 1);
        let timeline = all.timeline("northwind").expect("the partnership");
        prop_assert_eq!(states(timeline), expected);
        if let Some(p) = at {
            let alone = history::timeline(&repo, "HEAD", "northwind", &Ladder::default(), &Quiet).expect("one partnership").timelines.remove(0);
            prop_assert_eq!(states(&alone), states(timeline));
            // The pull-request report's path: several files followed in one pass, beside a file
            // the history never had, agrees with the whole walk.
            let head = repo.resolve("HEAD").expect("head").id();
            let root = repo.resolve("HEAD~0").expect("head").id();
            let paths = [PATHS[p].to_string(), "partners/zz-never.md".to_string()];
            let compared = history::compare(&repo, head, root, &paths, &Ladder::default(), &Quiet).expect("compare").partnerships;
            prop_assert_eq!(compared.len(), 1);
            prop_assert_eq!(states(&compared[0].head), states(timeline));
            prop_assert_eq!(states(&compared[0].base), states(timeline));
            prop_assert_eq!(dated(&compared[0].head), dated(timeline));
            prop_assert_eq!(dated(&compared[0].base), dated(timeline));
            // With the merge base one commit back, the base side is the whole walk up to it.
            let parent = repo.resolve("HEAD~1").expect("a parent").id();
            let earlier = history::timelines(&repo, "HEAD~1", &Ladder::default(), &Quiet).expect("history");
            let compared = history::compare(&repo, head, parent, &paths, &Ladder::default(), &Quiet).expect("compare").partnerships;
            let expected = earlier.timeline("northwind").map(states).unwrap_or_default();
            prop_assert_eq!(compared.first().map(|c| states(&c.base)).unwrap_or_default(), expected);
        }
    }
}

/// One step of a history with a side branch.
#[derive(Clone, Debug)]
enum Step {
    /// Edit the file on main.
    Main(i64),
    /// Edit the file on the side branch.
    Side(i64),
    /// Merge the side branch into main, keeping main's text, the side's, or a new one; then
    /// start a new side branch from there.
    Merge(u8, i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0i64..200).prop_map(Step::Main),
        3 => (0i64..200).prop_map(Step::Side),
        2 => (0u8..3, 0i64..200).prop_map(|(k, d)| Step::Merge(k, d)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Branches merged, dates in any order: the three ways of reading history agree on every
    /// version, its date and the version it descends from; each edit is one version, after the
    /// version it descends from, which its commit descends from in the graph.
    #[test]
    fn branches_and_wrong_dates_read_the_same_every_way(steps in proptest::collection::vec((step(), when()), 1..12)) {
        let file = PATHS[0];
        let start = valid(0, 30);
        let mut script = Script::new()
            .commit(&date_of(0, &When::InOrder).to_string(), "Start", &[(file, &start)])
            .branch("side0")
            .switch("main");
        let (mut main_text, mut side_text) = (start.clone(), start);
        let mut sides = 0;
        let mut side_ahead = false;
        let mut edits = Vec::new();
        for (i, (step, when)) in steps.iter().enumerate() {
            let n = i + 1;
            let date = date_of(n, when).to_string();
            match step {
                Step::Main(days) => {
                    main_text = valid(n, *days);
                    let message = format!("Main {n}");
                    script = script.switch("main").commit(&date, &message, &[(file, &main_text)]);
                    edits.push(message);
                }
                Step::Side(days) => {
                    side_text = valid(n, *days);
                    let message = format!("Side {n}");
                    script = script.switch(&format!("side{sides}")).commit(&date, &message, &[(file, &side_text)]);
                    edits.push(message);
                    side_ahead = true;
                }
                Step::Merge(kind, days) if side_ahead => {
                    main_text = match kind {
                        0 => main_text.clone(),
                        1 => side_text.clone(),
                        _ => valid(n, *days),
                    };
                    script = script
                        .switch("main")
                        .merge(&date, &format!("Merge {n}"), &format!("side{sides}"), &[(file, &main_text)]);
                    sides += 1;
                    side_text = main_text.clone();
                    side_ahead = false;
                    script = script.branch(&format!("side{sides}")).switch("main");
                }
                Step::Merge(..) => {}
            }
        }
        let repo = LedgerRepo::open(script.path(), &["partners".to_string()]).expect("open");
        let all = history::timelines(&repo, "HEAD", &Ladder::default(), &Quiet).expect("history");
        prop_assert_eq!(all.timelines.len(), 1);
        let timeline = all.timeline("northwind").expect("the partnership");

        let alone = history::timeline(&repo, "HEAD", "northwind", &Ladder::default(), &Quiet).expect("one partnership");
        prop_assert_eq!(&alone.timelines[0], timeline);
        prop_assert_eq!(alone.now, all.now);
        prop_assert_eq!(&alone.warnings, &all.warnings);
        let head = repo.resolve("HEAD").expect("head").id();
        let paths = [file.to_string(), "partners/zz-never.md".to_string()];
        let compared = history::compare(&repo, head, head, &paths, &Ladder::default(), &Quiet).expect("compare");
        prop_assert_eq!(compared.now, all.now);
        prop_assert_eq!(&compared.warnings, &all.warnings);
        prop_assert_eq!(compared.partnerships.len(), 1);
        prop_assert_eq!(&compared.partnerships[0].head, timeline);

        // Only main's edits reach HEAD unless merged; each edit that reaches it is one version.
        let summaries: Vec<&str> = timeline.versions.iter().map(|v| v.commit.summary.as_str()).collect();
        let git = git2::Repository::open(script.path()).expect("repository");
        let id = |v: &rapport::ledger::Version| git2::Oid::from_str(&v.commit.id).expect("an id");
        for edit in &edits {
            let found = summaries.iter().filter(|s| *s == edit).count();
            let commit = git.revparse_single(&format!(":/^{edit}$")).ok().map(|o| o.id());
            let reached = commit.is_some_and(|c| c == head || git.graph_descendant_of(head, c).unwrap_or(false));
            prop_assert_eq!(found, usize::from(reached), "{} in {:?}", edit, summaries);
        }
        for (i, version) in timeline.versions.iter().enumerate() {
            prop_assert!(version.date() <= all.now());
            if let Some(p) = version.parent {
                prop_assert!(p < i);
                let parent = &timeline.versions[p];
                prop_assert!(version.date() >= parent.date());
                prop_assert!(git.graph_descendant_of(id(version), id(parent)).unwrap_or(false));
            }
        }
    }
}
