//! Property tests over histories: whatever sequence of edits, breakages, moves, deletions and
//! re-adds a partnership goes through, its timeline has one version per commit in that order,
//! with the right state, path and values; and the one-partnership fast path and the
//! several-files pass of the pull-request report agree with the whole-ledger walk.

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
    fn timelines_follow_every_commit(ops in proptest::collection::vec(op(), 1..10)) {
        let day = |n: usize| format!("2024-{:02}-{:02}", 1 + n / 28, 1 + n % 28);
        let mut script = Script::new().commit(&day(0), "Start", &[(PATHS[0], &valid(0, 30))]);
        let mut expected = vec![Expected { state: "valid", path: PATHS[0].into(), days: Some(30) }];
        let mut at: Option<usize> = Some(0);
        for (i, op) in ops.iter().enumerate() {
            let step = i + 1;
            let date = day(step);
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
            let (_, alone) = history::timeline(&repo, "HEAD", "northwind", &Ladder::default(), &Quiet).expect("one partnership");
            prop_assert_eq!(states(&alone), states(timeline));
            // The pull-request report's path: several files followed in one pass, beside a file
            // the history never had, agrees with the whole walk.
            let head = repo.resolve("HEAD").expect("head").id();
            let root = repo.resolve("HEAD~0").expect("head").id();
            let paths = [PATHS[p].to_string(), "partners/zz-never.md".to_string()];
            let compared = history::compare(&repo, head, root, &paths, &Ladder::default(), &Quiet).expect("compare");
            prop_assert_eq!(compared.len(), 1);
            prop_assert_eq!(states(&compared[0].head), states(timeline));
            prop_assert_eq!(states(&compared[0].base), states(timeline));
            // With the merge base one commit back, the base side is the whole walk up to it.
            let parent = repo.resolve("HEAD~1").expect("a parent").id();
            let earlier = history::timelines(&repo, "HEAD~1", &Ladder::default(), &Quiet).expect("history");
            let compared = history::compare(&repo, head, parent, &paths, &Ladder::default(), &Quiet).expect("compare");
            let expected = earlier.timeline("northwind").map(states).unwrap_or_default();
            prop_assert_eq!(compared.first().map(|c| states(&c.base)).unwrap_or_default(), expected);
        }
    }
}
