//! Scripted histories for rule tests: `History::new().version(DATE, TEXT)…build()` parses each
//! text as a partnership file and dates it with a synthetic commit, like a repository built
//! commit by commit.

use std::sync::Arc;

use crate::ledger::parse::parse_partnership;
use crate::ledger::{Commit, Content, Date, Ladder, Timeline, Version};
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

#[derive(Default)]
pub struct History {
    versions: Vec<Version>,
}

impl History {
    pub fn new() -> History {
        History::default()
    }

    /// A commit on `day` holding `text`; the text must be a valid partnership file.
    pub fn version(self, day: &str, text: &str) -> History {
        let content = match parse_partnership(FILE, text.as_bytes(), &Ladder::default()) {
            Ok(snapshot) => Content::Valid {
                snapshot: Arc::new(snapshot),
            },
            Err(diagnostics) => panic!("test version {day} is invalid: {diagnostics:#?}"),
        };
        self.push(day, content)
    }

    /// A commit on `day` where the file does not parse.
    pub fn invalid(self, day: &str) -> History {
        self.push(
            day,
            Content::Invalid {
                diagnostics: Arc::new(Vec::new()),
            },
        )
    }

    /// A commit on `day` deleting the file.
    pub fn removed(self, day: &str) -> History {
        self.push(day, Content::Removed)
    }

    fn push(mut self, day: &str, content: Content) -> History {
        let index = self.versions.len();
        let date = date(day);
        let commit = Commit {
            id: format!("{:040x}", index + 1),
            short: format!("c{index:06}"),
            author: "Priya Raman".into(),
            time: date
                .0
                .and_hms_opt(12, 0, 0)
                .map_or(0, |t| t.and_utc().timestamp()),
            date,
            summary: format!("version {index}"),
        };
        self.versions.push(Version {
            commit: Arc::new(commit),
            path: FILE.into(),
            content,
        });
        self
    }

    pub fn build(self) -> Timeline {
        Timeline {
            id: "northwind".into(),
            versions: self.versions,
        }
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
