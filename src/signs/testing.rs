//! Scripted histories for rule tests: `History::new().version(DATE, TEXT)…build()` commits each
//! text into a real git repository on its date and reads the timeline back through the history
//! engine, as `rapport check` would.

use std::path::Path;
use std::sync::Arc;

use crate::history::{LedgerRepo, Quiet};
use crate::ledger::parse::parse_partnership;
use crate::ledger::{Date, Ladder, Timeline};
use crate::signs::{Context, Finding, Rule, Settings, Vocabulary};

pub const FILE: &str = "partners/northwind.md";

/// A minimal valid front matter (`status: active`) with extra YAML lines, closed, ready for a
/// body to be appended.
pub fn front(extra: &str) -> String {
    format!(
        "---\nrapport: 1\nid: northwind\npartner: Northwind Analytics\nstatus: active\nowner: Priya Raman\n{extra}---\n\n"
    )
}

pub fn date(text: &str) -> Date {
    Date::parse(text).expect("test dates are valid")
}

/// What one scripted commit does to the partnership file.
enum Step {
    Write(String),
    Remove,
}

/// A scripted history, replayed into a real git repository (one commit per step, at noon UTC
/// on its day) and read back through the history engine, so rule tests see what `check` sees.
#[derive(Default)]
pub struct History {
    steps: Vec<(String, Step)>,
}

/// What a file holds when a version does not parse.
const BROKEN: &str = "---\nrapport: 1\npartner: [unclosed\n---\n";

impl History {
    pub fn new() -> History {
        History::default()
    }

    /// A commit on `day` holding `text`; the text must be a valid partnership file.
    pub fn version(mut self, day: &str, text: &str) -> History {
        if let Err(diagnostics) = parse_partnership(FILE, text.as_bytes(), &Ladder::default()) {
            panic!("test version {day} is invalid: {diagnostics:#?}");
        }
        self.steps
            .push((day.to_string(), Step::Write(text.to_string())));
        self
    }

    /// A commit on `day` where the file does not parse.
    pub fn invalid(mut self, day: &str) -> History {
        self.steps
            .push((day.to_string(), Step::Write(BROKEN.to_string())));
        self
    }

    /// A commit on `day` deleting the file.
    pub fn removed(mut self, day: &str) -> History {
        self.steps.push((day.to_string(), Step::Remove));
        self
    }

    /// Commits the steps into a temporary repository and reads the partnership's timeline back.
    /// Commits are labelled `c000000`, `c000001`… in order (instead of their hashes) so that
    /// evidence reads the same in every test.
    pub fn build(self) -> Timeline {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let repo = git2::Repository::init(dir.path()).expect("init");
        let file = dir.path().join(FILE);
        std::fs::create_dir_all(file.parent().expect("folder")).expect("mkdir");
        let mut parent: Option<git2::Oid> = None;
        for (index, (day, step)) in self.steps.iter().enumerate() {
            let mut git_index = repo.index().expect("index");
            match step {
                Step::Write(text) => {
                    std::fs::write(&file, text).expect("write");
                    git_index.add_path(Path::new(FILE)).expect("add");
                }
                Step::Remove => {
                    let _ = std::fs::remove_file(&file);
                    git_index.remove_path(Path::new(FILE)).expect("remove");
                }
            }
            git_index.write().expect("write index");
            let tree = repo
                .find_tree(git_index.write_tree().expect("tree"))
                .expect("tree");
            let time = date(day)
                .0
                .and_hms_opt(12, 0, 0)
                .map_or(0, |t| t.and_utc().timestamp());
            let who = git2::Signature::new(
                "Priya Raman",
                "priya@example.com",
                &git2::Time::new(time, 0),
            )
            .expect("signature");
            let parents: Vec<git2::Commit> = parent
                .map(|id| repo.find_commit(id).expect("parent"))
                .into_iter()
                .collect();
            let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
            let message = format!("version {index}");
            parent = Some(
                repo.commit(Some("HEAD"), &who, &who, &message, &tree, &parent_refs)
                    .expect("commit"),
            );
        }
        let ledger = LedgerRepo::open(dir.path(), &["partners".to_string()]).expect("open");
        let history = crate::history::timelines(&ledger, "HEAD", &Ladder::default(), &Quiet)
            .expect("history");
        // One file, one partnership, whatever its id.
        let mut timeline = history.timelines.into_iter().next().unwrap_or_default();
        for version in &mut timeline.versions {
            let index: usize = version
                .commit
                .summary
                .strip_prefix("version ")
                .and_then(|n| n.parse().ok())
                .expect("scripted message");
            let mut commit = (*version.commit).clone();
            commit.short = format!("c{index:06}");
            version.commit = Arc::new(commit);
        }
        timeline
    }
}

/// Everything a rule reads besides the timeline, with defaults.
#[derive(Default)]
pub struct Setup {
    pub settings: Settings,
    pub ladder: Ladder,
    pub vocabulary: Vocabulary,
}

impl Setup {
    pub fn context(&self, now: &str) -> Context<'_> {
        Context {
            now: date(now),
            settings: &self.settings,
            ladder: &self.ladder,
            vocabulary: &self.vocabulary,
        }
    }
}

/// Runs one rule with default settings at `now`.
pub fn run(rule: &dyn Rule, timeline: &Timeline, now: &str) -> Vec<Finding> {
    let setup = Setup::default();
    rule.check(timeline, &setup.context(now))
}

/// Evidence as `DATE COMMIT OBSERVED` lines, for compact assertions.
pub fn evidence(finding: &Finding) -> Vec<String> {
    finding
        .evidence
        .iter()
        .map(|e| match &e.commit {
            Some(commit) => format!("{} {commit} {}", e.date, e.observed),
            None => format!("{} {}", e.date, e.observed),
        })
        .collect()
}
