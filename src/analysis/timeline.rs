//! One partnership's history as `rapport timeline` shows it: each version with what changed
//! from the version it descends from, the findings that appeared, moved or went away with it
//! (classified by [`compare::classify`](super::compare::classify)), the action items and the
//! numeric series.

use std::sync::Arc;

use rayon::prelude::*;
use serde::{Serialize, Serializer};

use super::compare::{Reading, Status, classify};
use super::redact;
use crate::config::Config;
use crate::ledger::changes::{Change, ItemHistory, Series, action_items, changes, series};
use crate::ledger::{Commit, Content, Date, DateWarning, Diagnostic, Snapshot, Timeline};
use crate::signs::{Finding, Severity};

/// One partnership's history, ready to show.
#[derive(Debug, Serialize)]
pub struct TimelineView {
    pub version: u32,
    pub id: String,
    /// The partner's name in the last valid version.
    pub partner: Option<String>,
    /// The file's path in the last version.
    pub path: String,
    /// The commit the history was read up to.
    pub head: Arc<Commit>,
    pub versions: Vec<VersionView>,
    pub items: Vec<ItemHistory>,
    pub series: Vec<Series>,
    /// Commits whose dates contradict the commit graph or the clock, with the dates they count
    /// at instead.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<DateWarning>,
}

#[derive(Debug, Serialize)]
pub struct VersionView {
    pub commit: Arc<Commit>,
    pub path: String,
    /// `valid`, `invalid` or `removed`.
    pub state: &'static str,
    pub changes: Vec<Change>,
    /// Findings that appeared or went away with this version, analysed as of its date.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingChange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
}

/// A finding that appeared, changed, was acknowledged or came back, or went away at a version.
#[derive(Debug, Serialize)]
pub struct FindingChange {
    /// Written as [`FindingChange::word`] says.
    #[serde(serialize_with = "word")]
    pub status: Status,
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub fingerprint: String,
}

impl FindingChange {
    /// `new`, `changed` (the same finding with other numbers or another severity: worsened,
    /// improved, or neither by its measure), `acknowledged`, `reopened` or `resolved`.
    pub fn word(&self) -> &'static str {
        match self.status {
            Status::Worsened | Status::Improved | Status::Unchanged => "changed",
            status => status.as_str(),
        }
    }
}

fn word<S: Serializer>(status: &Status, serializer: S) -> Result<S::Ok, S::Error> {
    match status {
        Status::Worsened | Status::Improved | Status::Unchanged => "changed",
        status => status.as_str(),
    }
    .serialize(serializer)
}

/// What a timeline shows: each version with its changes from the valid version it descends
/// from (a file added again after a deletion starts afresh; a merge is compared with its first
/// parent's state, and each branch with where it started), the findings that moved, the action
/// items and the series, with what `redact` names masked.
pub fn describe(head: Arc<Commit>, timeline: &Timeline, config: &Config) -> TimelineView {
    let found_at = findings_by_version(timeline, config);
    let none: Vec<Finding> = Vec::new();
    let mut versions = Vec::with_capacity(timeline.versions.len());
    for (index, version) in timeline.versions.iter().enumerate() {
        let (state, found, diagnostics) = match &version.content {
            Content::Valid { snapshot } => {
                let mut found = changes(valid_before(timeline, index), snapshot);
                redact::redact_changes(&mut found, std::slice::from_ref(timeline), &config.redact);
                ("valid", found, Vec::new())
            }
            Content::Invalid { diagnostics } => ("invalid", Vec::new(), diagnostics.to_vec()),
            Content::Removed => ("removed", Vec::new(), Vec::new()),
        };
        let findings = match found_at.get(index) {
            Some(Some(current)) => {
                // The findings at the version this one descends from (past versions that do
                // not parse, which have none).
                let mut at = version.parent.filter(|p| *p < index);
                while let Some(p) = at.filter(|p| matches!(found_at.get(*p), Some(None))) {
                    at = timeline.versions[p].parent.filter(|q| *q < p);
                }
                let previous = at
                    .and_then(|p| found_at.get(p))
                    .and_then(Option::as_ref)
                    .unwrap_or(&none);
                moved(previous, current)
            }
            // A version that does not parse changes nothing (trend rules skip it).
            _ => Vec::new(),
        };
        versions.push(VersionView {
            commit: Arc::clone(&version.commit),
            path: version.path.clone(),
            state,
            changes: found,
            findings,
            diagnostics,
        });
    }
    let mut series = series(timeline);
    redact::redact_series(&mut series, &config.redact);
    TimelineView {
        version: super::JSON_VERSION,
        id: timeline.id.clone(),
        partner: timeline
            .valid()
            .last()
            .map(|(_, s)| s.front.partner.clone()),
        path: timeline.last().map(|v| v.path.clone()).unwrap_or_default(),
        head,
        versions,
        items: action_items(timeline),
        series,
        warnings: Vec::new(),
    }
}

/// The valid version that version `index` descends from, through versions that do not parse;
/// `None` when a deletion comes first (a file added again starts afresh).
fn valid_before(timeline: &Timeline, index: usize) -> Option<&Snapshot> {
    let mut at = timeline.versions.get(index)?.parent.filter(|p| *p < index);
    while let Some(p) = at {
        let version = timeline.versions.get(p)?;
        match &version.content {
            Content::Valid { snapshot } => return Some(snapshot),
            Content::Removed => return None,
            Content::Invalid { .. } => at = version.parent.filter(|q| *q < p),
        }
    }
    None
}

/// The findings that moved from `previous` to `current`, in the order the analysis gives them,
/// those that went away last: a finding present at both is shown only when its message or
/// severity changed.
fn moved(previous: &[Finding], current: &[Finding]) -> Vec<FindingChange> {
    let position = |list: &[Finding], key: &str| list.iter().position(|f| f.fingerprint.0 == key);
    let mut events: Vec<(usize, FindingChange)> =
        classify(current, previous, None, Reading::History)
            .into_iter()
            .filter(|r| match (r.status, &r.before) {
                (Status::Worsened | Status::Improved | Status::Unchanged, Some(before)) => {
                    before.message != r.finding.message || before.severity != r.finding.severity
                }
                _ => true,
            })
            .map(|r| {
                let key = r.finding.fingerprint.0.as_str();
                let at = match r.status {
                    Status::Resolved => current.len() + position(previous, key).unwrap_or_default(),
                    _ => position(current, key).unwrap_or_default(),
                };
                let f = r.finding;
                (
                    at,
                    FindingChange {
                        status: r.status,
                        rule: f.rule,
                        severity: f.severity,
                        message: f.message,
                        fingerprint: f.fingerprint.0,
                    },
                )
            })
            .collect();
    events.sort_by_key(|(at, _)| *at);
    events.into_iter().map(|(_, event)| event).collect()
}

/// The findings as of each version's date, from the history up to it (`None` for a version
/// that does not parse). Each version's analysis is independent of the others', so they run on
/// all cores; of each finding only what [`moved`] compares and shows is kept, so memory follows
/// the versions, not the versions times the history.
fn findings_by_version(timeline: &Timeline, config: &Config) -> Vec<Option<Vec<Finding>>> {
    (0..timeline.versions.len())
        .into_par_iter()
        .map(|index| {
            let version = &timeline.versions[index];
            if matches!(version.content, Content::Invalid { .. }) {
                return None;
            }
            let upto = Timeline {
                id: timeline.id.clone(),
                versions: timeline.versions[..=index].to_vec(),
            };
            Some(findings_at(&upto, config, version.date()))
        })
        .collect()
}

/// The findings of a timeline as of `now`, redacted, with their evidence and facts dropped.
fn findings_at(timeline: &Timeline, config: &Config, now: Date) -> Vec<Finding> {
    let timelines = std::slice::from_ref(timeline);
    let mut findings = super::findings_as_of(timelines, config, now);
    redact::redact(&mut findings, timelines, &config.redact);
    for finding in &mut findings {
        finding.evidence = Vec::new();
        finding.facts = Vec::new();
        finding.template = None;
        finding.path = None;
    }
    findings
}
