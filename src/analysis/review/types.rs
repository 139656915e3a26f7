//! The review's data: what was asked (`ReviewRequest`), and what a change did to each
//! partnership it touched (`Review`, `PartnershipReview`, each finding `Reviewed` with its
//! `Status`). The pipeline that fills them is `review.rs`.

use std::sync::Arc;

use serde::Serialize;

use crate::analysis::LedgerRoot;
use crate::analysis::base::Base;
use crate::analysis::reconfigured::ConfigChange;
use crate::history::Progress;
use crate::ledger::body::HiddenMeeting;
use crate::ledger::changes::Change;
use crate::ledger::{Commit, Date, DateWarning, Diagnostic, Meeting};
use crate::signs::Severity;

pub use crate::analysis::compare::{Before, Reviewed, Status};

/// What to compare.
pub struct ReviewRequest<'a> {
    pub ledger: &'a LedgerRoot,
    pub base: Base,
    /// The revision the change ends at (`HEAD` by default).
    pub head: String,
    pub progress: &'a dyn Progress,
}

/// The most field changes a partnership's review lists; the rest are counted.
pub const CHANGES_LISTED: usize = 100;

/// What the change did to a partnership's file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FileChange {
    Added,
    Modified,
    /// Moved or renamed, maybe edited too.
    Moved,
    Removed,
    /// The file is unchanged, but the configuration changed (thresholds, ladder, rules).
    Reconfigured,
    /// The file is still there, but the head's configuration no longer reads it as a
    /// partnership (`exclude:` or `paths:` changed): its findings are silenced.
    Unread,
}

/// One partnership the change touched.
#[derive(Clone, Debug)]
pub struct PartnershipReview {
    pub id: String,
    /// The partner's display name at head (at the merge base when the file was removed).
    pub name: String,
    pub file: FileChange,
    /// The file's path at head (`None` when the change removed it).
    pub path: Option<String>,
    /// The file's path at the merge base (`None` when the change added it).
    pub base_path: Option<String>,
    /// Whether the file is valid at head; an invalid one has diagnostics and no findings.
    pub valid: bool,
    /// Field-level changes from the merge base to head (redacted fields masked): the first
    /// [`CHANGES_LISTED`], so a file rewritten whole keeps every report of it small.
    pub changes: Vec<Change>,
    /// The field changes past [`CHANGES_LISTED`], counted and not listed.
    pub changes_omitted: usize,
    /// Meeting sections the change added, as they are at head.
    pub meetings: Vec<Meeting>,
    /// Meetings read at the merge base that the change made unread (their headings swallowed
    /// by an unclosed `<!--` or code fence): they fail the gate.
    pub hidden_meetings: Vec<HiddenMeeting>,
    /// Findings ordered by status (new first), then severity (worst first), rule and subject.
    pub findings: Vec<Reviewed>,
}

/// The review of one change.
#[derive(Clone, Debug)]
pub struct Review {
    /// The base as asked for (or taken from the environment).
    pub base: Base,
    /// The revision the change ends at, as asked for.
    pub head_rev: String,
    pub merge_base: Arc<Commit>,
    pub head: Arc<Commit>,
    /// The date both sides are analysed at: "now" for the head (its commit date, unless that
    /// contradicts the commit graph or the clock).
    pub now: Date,
    /// Whether `rapport.yaml` differs between the merge base and head (then every partnership
    /// is re-analysed, each side with its own configuration).
    pub config_changed: bool,
    /// The settings the change replaced, when it changed the configuration.
    pub config_changes: Vec<ConfigChange>,
    /// Touched partnerships, the ones with new or worsened findings first.
    pub partnerships: Vec<PartnershipReview>,
    /// Problems in the touched files at head.
    pub diagnostics: Vec<Diagnostic>,
    /// What the touched files write, at head, in a form rapport does not read (a meeting dated
    /// `2024/06/12`, an item due "next week"), each located.
    pub file_warnings: Vec<Diagnostic>,
    /// The ledger root relative to the repository's top, `/`-terminated or empty: what
    /// formats that name files from the repository's top (SARIF, annotations) put first.
    pub prefix: String,
    /// Commits of the touched partnerships' histories (and the head) whose dates contradict the
    /// commit graph or the clock.
    pub warnings: Vec<DateWarning>,
}

/// What fails the gate: new or worsened open findings at or above `threshold` (`None`:
/// nothing), and with `silenced`, silenced ones too; and, at any threshold, meetings the base
/// read that the change made unread.
#[derive(Clone, Copy, Debug)]
pub struct Gate {
    pub threshold: Option<Severity>,
    pub silenced: bool,
}

/// How many findings of each status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Counts {
    pub silenced: usize,
    pub new: usize,
    pub worsened: usize,
    pub resolved: usize,
    pub improved: usize,
    pub acknowledged: usize,
    pub unchanged: usize,
}

impl Counts {
    pub fn of(&self, status: Status) -> usize {
        match status {
            Status::Silenced => self.silenced,
            Status::New => self.new,
            Status::Worsened | Status::Reopened => self.worsened,
            Status::Resolved => self.resolved,
            Status::Improved => self.improved,
            Status::Acknowledged => self.acknowledged,
            Status::Unchanged => self.unchanged,
        }
    }

    fn add(&mut self, status: Status) {
        let slot = match status {
            Status::Silenced => &mut self.silenced,
            Status::New => &mut self.new,
            Status::Worsened | Status::Reopened => &mut self.worsened,
            Status::Resolved => &mut self.resolved,
            Status::Improved => &mut self.improved,
            Status::Acknowledged => &mut self.acknowledged,
            Status::Unchanged => &mut self.unchanged,
        };
        *slot += 1;
    }
}

impl Review {
    /// Every reviewed finding with its partnership, in report order.
    pub fn findings(&self) -> impl Iterator<Item = (&PartnershipReview, &Reviewed)> {
        self.partnerships
            .iter()
            .flat_map(|p| p.findings.iter().map(move |f| (p, f)))
    }

    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for (_, reviewed) in self.findings() {
            counts.add(reviewed.status);
        }
        counts
    }

    /// The findings that fail a pre-merge gate at `threshold`: new or worsened, open, at or
    /// above it; with `silenced_fail`, silenced ones at or above it too (as the merge base's
    /// configuration judged them).
    pub fn failing(
        &self,
        threshold: Option<Severity>,
        silenced_fail: bool,
    ) -> impl Iterator<Item = &Reviewed> {
        self.findings().map(|(_, r)| r).filter(move |r| {
            let counted = match r.status {
                Status::New | Status::Worsened => true,
                Status::Silenced => silenced_fail,
                _ => false,
            };
            counted && crate::analysis::fails(&r.finding, threshold)
        })
    }

    /// Whether the change fails `gate`: a finding it counts, or (at any threshold) a meeting
    /// the change made unread.
    pub fn fails(&self, gate: Gate) -> bool {
        self.failing(gate.threshold, gate.silenced).next().is_some()
            || (gate.threshold.is_some() && self.hidden_meetings().next().is_some())
    }

    /// The meetings read at the merge base that the change made unread, with their partnership.
    pub fn hidden_meetings(&self) -> impl Iterator<Item = (&PartnershipReview, &HiddenMeeting)> {
        self.partnerships
            .iter()
            .flat_map(|p| p.hidden_meetings.iter().map(move |h| (p, h)))
    }

    /// Whether the change did nothing a reviewer needs to look at: no new, worsened or resolved
    /// finding, no improvement, and every touched file valid.
    pub fn is_quiet(&self) -> bool {
        let counts = self.counts();
        self.hidden_meetings().next().is_none()
            && self.diagnostics.is_empty()
            && self.file_warnings.is_empty()
            && counts.silenced + counts.new + counts.worsened + counts.resolved + counts.improved
                == 0
    }
}
