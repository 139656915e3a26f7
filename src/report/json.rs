//! JSON for machines: versioned documents whose shape is stable.

use serde::Serialize;

use crate::analysis::reconfigured::ConfigChange;
use crate::analysis::review::{Counts, FileChange, PartnershipReview, Review, Reviewed, Status};
use crate::ledger::changes::Change;
use crate::ledger::load::LedgerState;
use crate::ledger::{ActionItem, Commit, Date, DateWarning, Diagnostic};
use crate::signs::{
    Acknowledgement, Evidence, Fact, Finding, Measure, RuleInfo, Severity, Sign, Since,
};

pub use crate::analysis::JSON_VERSION;

/// What `rapport check --format json` prints. Its JSON Schema is `schema/check.schema.json`.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(
    title = "rapport check output",
    description = "What `rapport check --format json` prints, version 1"
)]
pub struct CheckDocument<'a> {
    pub version: u32,
    /// The date the rules were evaluated at: the analysed commit's date (the latest plausible
    /// date on its first-parent line when that contradicts the commit graph or the clock),
    /// `--as-of`, or today.
    pub as_of: Date,
    pub files: usize,
    pub valid: bool,
    pub diagnostics: &'a [Diagnostic],
    /// Parts of valid files written in a form rapport does not read (a meeting heading dated
    /// `2024/06/12`, an item due "next week"), each located, with the rewrite that rapport reads
    /// (absent when there are none).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub file_warnings: &'a [Diagnostic],
    pub findings: Vec<FindingView<'a>>,
    /// Commits whose dates contradict the commit graph or the clock, with the dates they count
    /// at instead (absent when there are none).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub warnings: &'a [DateWarning],
}

/// One finding, flat, with every field a consumer needs.
#[derive(Serialize, schemars::JsonSchema)]
pub struct FindingView<'a> {
    pub fingerprint: &'a str,
    pub rule: &'a str,
    pub sign: Sign,
    pub severity: Severity,
    pub partnership: &'a str,
    pub name: &'a str,
    pub file: &'a str,
    pub line: usize,
    pub subject: &'a str,
    pub message: &'a str,
    /// The numbers, dates and words the message states, each with the field it was read from.
    #[serde(skip_serializing_if = "<[Fact]>::is_empty")]
    pub facts: &'a [Fact],
    pub evidence: &'a [Evidence],
    /// The number the finding is about, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<&'a Measure>,
    pub remedy: &'a str,
    /// When it began: the date and commit of the first version from which it has held without
    /// a break up to the analysed revision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<&'a Since>,
    /// `open` or `acknowledged`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<AcknowledgedView<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct AcknowledgedView<'a> {
    pub reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
}

pub fn finding(f: &Finding) -> FindingView<'_> {
    let (status, acknowledged) = match &f.acknowledgement {
        Acknowledgement::Open => ("open", None),
        Acknowledgement::Acknowledged { reason, until } => (
            "acknowledged",
            Some(AcknowledgedView {
                reason,
                until: *until,
            }),
        ),
    };
    FindingView {
        fingerprint: &f.fingerprint.0,
        rule: f.rule,
        sign: f.sign,
        severity: f.severity,
        partnership: &f.location.partnership,
        name: &f.location.name,
        file: &f.location.file,
        line: f.location.line,
        subject: &f.subject,
        message: &f.message,
        facts: &f.facts,
        evidence: &f.evidence,
        measure: f.measure.as_ref(),
        remedy: f.remedy,
        since: f.since.as_ref(),
        status,
        acknowledged,
    }
}

pub fn check<'a>(
    state: &'a LedgerState,
    findings: &'a [Finding],
    as_of: Date,
) -> CheckDocument<'a> {
    CheckDocument {
        version: JSON_VERSION,
        as_of,
        files: state.files,
        valid: state.diagnostics.is_empty(),
        diagnostics: &state.diagnostics,
        file_warnings: &state.warnings,
        findings: findings.iter().map(finding).collect(),
        warnings: &[],
    }
}

/// What `rapport report --format json` prints. Its JSON Schema is `schema/report.schema.json`.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(
    title = "rapport report output",
    description = "What `rapport report --format json` prints, version 1: what a change did to each partnership it touched"
)]
pub struct ReviewDocument<'a> {
    pub version: u32,
    /// The revision compared with, as given or taken from the CI's environment.
    pub base: BaseView<'a>,
    /// The commit the change ends at.
    pub head: CommitView<'a>,
    /// The date both sides were analysed at: the head's commit date, or the latest plausible
    /// date on its first-parent line when that date contradicts the commit graph or the clock.
    pub as_of: Date,
    /// Whether `rapport.yaml` changed (then every partnership was re-analysed).
    pub config_changed: bool,
    /// The settings of `rapport.yaml` the change replaced (absent when it left them alone).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub config_changes: &'a [ConfigChange],
    /// Whether every touched file is valid at head.
    pub valid: bool,
    pub counts: Counts,
    /// Problems in touched files at head.
    pub diagnostics: &'a [Diagnostic],
    /// Parts of touched files written, at head, in a form rapport does not read, each located,
    /// with the rewrite that rapport reads (absent when there are none).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub file_warnings: &'a [Diagnostic],
    /// The partnerships the change touched.
    pub partnerships: Vec<PartnershipView<'a>>,
    /// Commits of the touched partnerships' histories whose dates contradict the commit graph
    /// or the clock, with the dates they count at instead (absent when there are none).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub warnings: &'a [DateWarning],
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct BaseView<'a> {
    /// The revision, such as `origin/main`.
    pub rev: &'a str,
    /// How it was chosen: `--base`, or the environment variable or default it came from.
    pub source: &'a str,
    /// The merge base of that revision and the head: the change starts here.
    pub merge_base: CommitView<'a>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct CommitView<'a> {
    pub id: &'a str,
    pub short: &'a str,
    pub date: Date,
    pub author: &'a str,
    pub summary: &'a str,
}

impl<'a> CommitView<'a> {
    pub(crate) fn of(commit: &'a Commit) -> CommitView<'a> {
        CommitView {
            id: &commit.id,
            short: &commit.short,
            date: commit.date,
            author: &commit.author,
            summary: &commit.summary,
        }
    }
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct PartnershipView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub file: FileChange,
    /// Path at head; absent when the change removed the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<&'a str>,
    /// Path at the merge base; absent when the change added the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_path: Option<&'a str>,
    pub valid: bool,
    /// Field-level changes, redacted fields masked: at most the first 100.
    pub changes: &'a [Change],
    /// The field changes past the first 100, counted and not listed; absent when none are.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub changes_omitted: usize,
    /// Meeting sections the change added.
    pub meetings: Vec<MeetingView<'a>>,
    /// Meetings read at the merge base whose headings the change swallowed (an unclosed `<!--`
    /// or code fence above them): they are no longer read, and they fail the gate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden_meetings: Vec<HiddenMeetingView<'a>>,
    pub findings: Vec<ReviewedView<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct MeetingView<'a> {
    pub date: Date,
    pub title: &'a str,
    pub line: usize,
    pub attendees: &'a [String],
    pub items: &'a [ActionItem],
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct HiddenMeetingView<'a> {
    pub date: Date,
    pub title: &'a str,
    /// The heading's line at head.
    pub line: usize,
}

/// A finding with its status in the change.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ReviewedView<'a> {
    /// `silenced`, `new`, `worsened`, `resolved`, `improved`, `acknowledged` or `unchanged`.
    pub change: Status,
    #[serde(flatten)]
    pub finding: FindingView<'a>,
    /// The finding at the merge base, when it was there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<BeforeView<'a>>,
    /// For a silenced finding (shown as the merge base's configuration judges the head): the
    /// settings of `rapport.yaml` the change replaced that can have silenced it.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub silenced_by: &'a [ConfigChange],
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct BeforeView<'a> {
    pub severity: Severity,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<&'a Measure>,
}

pub(crate) fn reviewed(r: &Reviewed) -> ReviewedView<'_> {
    ReviewedView {
        change: r.status,
        finding: finding(&r.finding),
        before: r.before.as_ref().map(|b| BeforeView {
            severity: b.severity,
            message: &b.message,
            measure: b.measure.as_ref(),
        }),
        silenced_by: &r.silenced_by,
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn partnership(p: &PartnershipReview) -> PartnershipView<'_> {
    PartnershipView {
        id: &p.id,
        name: &p.name,
        file: p.file,
        path: p.path.as_deref(),
        base_path: p.base_path.as_deref(),
        valid: p.valid,
        changes: &p.changes,
        changes_omitted: p.changes_omitted,
        meetings: p
            .meetings
            .iter()
            .map(|m| MeetingView {
                date: m.date,
                title: &m.title,
                line: m.line,
                attendees: &m.attendees,
                items: &m.items,
            })
            .collect(),
        hidden_meetings: p
            .hidden_meetings
            .iter()
            .map(|h| HiddenMeetingView {
                date: h.date,
                title: &h.title,
                line: h.line,
            })
            .collect(),
        findings: p.findings.iter().map(reviewed).collect(),
    }
}

pub fn review(review: &Review) -> ReviewDocument<'_> {
    ReviewDocument {
        version: JSON_VERSION,
        base: BaseView {
            rev: &review.base.rev,
            source: &review.base.source,
            merge_base: CommitView::of(&review.merge_base),
        },
        head: CommitView::of(&review.head),
        as_of: review.now,
        config_changed: review.config_changed,
        config_changes: &review.config_changes,
        valid: review.diagnostics.is_empty(),
        counts: review.counts(),
        diagnostics: &review.diagnostics,
        file_warnings: &review.file_warnings,
        partnerships: review.partnerships.iter().map(partnership).collect(),
        warnings: &review.warnings,
    }
}

/// The JSON Schema of [`ReviewDocument`].
pub fn review_schema() -> schemars::Schema {
    schemars::schema_for!(ReviewDocument<'static>)
}

#[derive(Serialize)]
pub struct RulesDocument<'a> {
    pub version: u32,
    pub rules: &'a [&'a RuleInfo],
}

pub fn rules<'a>(infos: &'a [&'a RuleInfo]) -> RulesDocument<'a> {
    RulesDocument {
        version: JSON_VERSION,
        rules: infos,
    }
}

/// The JSON Schema of [`CheckDocument`].
pub fn check_schema() -> schemars::Schema {
    schemars::schema_for!(CheckDocument<'static>)
}
