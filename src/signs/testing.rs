//! Scripted histories for rule tests: `History::new().version(DATE, TEXT)…build()` commits each
//! text into a real git repository on its date and reads the timeline back through the history
//! engine, as `rapport check` would.

use std::sync::Arc;

use crate::history::{Author, LedgerRepo, Quiet, Scribe};
use crate::ledger::parse::parse_partnership;
use crate::ledger::{Date, Ladder, Timeline};
use crate::signs::{
    Acknowledgement, Context, Finding, Fingerprint, Location, Rule, Settings, Severity, Vocabulary,
    find_rule,
};

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
        let scribe = Scribe::init(dir.path(), None).expect("init");
        let mut parent = None;
        for (index, (day, step)) in self.steps.iter().enumerate() {
            let (write, remove): (Vec<(&str, &[u8])>, Vec<&str>) = match step {
                Step::Write(text) => (vec![(FILE, text.as_bytes())], vec![]),
                Step::Remove => (vec![], vec![FILE]),
            };
            let time = date(day)
                .0
                .and_hms_opt(12, 0, 0)
                .map_or(0, |t| t.and_utc().timestamp());
            let who = Author::new("Priya Raman", "priya@example.com", time, 0).expect("author");
            let message = format!("version {index}");
            parent = Some(
                scribe
                    .commit(parent, &write, &remove, &who, &message)
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

/// An open finding of `rule` about `subject` in partnership `id`, at line 1 of its file.
pub(crate) fn finding_of(rule: &str, id: &str, subject: &str) -> Finding {
    finding(rule, id, id, &format!("partners/{id}.md"), 1, subject)
}

pub(crate) fn finding(
    rule: &str,
    id: &str,
    name: &str,
    file: &str,
    line: usize,
    subject: &str,
) -> Finding {
    let info = find_rule(rule).map(|r| r.info());
    Finding {
        rule: info.map_or("unknown", |i| i.id),
        sign: info.map_or(crate::signs::sign::HYGIENE, |i| i.sign),
        severity: info.map_or(Severity::Warning, |i| i.default_severity),
        location: Location {
            partnership: id.into(),
            name: name.into(),
            file: file.into(),
            line,
        },
        subject: subject.into(),
        path: None,
        message: String::new(),
        facts: Vec::new(),
        template: None,
        evidence: Vec::new(),
        measure: None,
        remedy: info.map_or("", |i| i.fix),
        fingerprint: Fingerprint::new(rule, id, subject),
        acknowledgement: Acknowledgement::Open,
        since: None,
    }
}
