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
use crate::ledger::changes::{Change, ItemHistory, Series, changes, series};
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
    let mut moved_at = findings_moved(timeline, config).into_iter();
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
        let findings = moved_at.next().unwrap_or_default();
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
        items: timeline.action_items(),
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

/// The findings that moved at each version: its findings as of its date, from the history up
/// to it, against those of the version it descends from (past versions that do not parse,
/// which have none and change nothing: trend rules skip them). Versions are analysed a run at
/// a time on all cores, each independently of the others; of each version's findings only what
/// [`moved`] compares is kept, and only until the last version that descends from it is
/// compared, so memory follows what is shown, not the versions times their findings.
fn findings_moved(timeline: &Timeline, config: &Config) -> Vec<Vec<FindingChange>> {
    let versions = &timeline.versions;
    let parses = |i: usize| !matches!(versions[i].content, Content::Invalid { .. });
    // The version each one is compared with.
    let previous: Vec<Option<usize>> = (0..versions.len())
        .map(|i| {
            let mut at = versions[i].parent.filter(|p| *p < i);
            while let Some(p) = at.filter(|p| !parses(*p)) {
                at = versions[p].parent.filter(|q| *q < p);
            }
            at
        })
        .collect();
    let mut last_use: Vec<usize> = (0..versions.len()).collect();
    for (i, p) in previous.iter().enumerate() {
        if let Some(p) = p.filter(|_| parses(i)) {
            last_use[p] = i;
        }
    }
    let mut kept: std::collections::HashMap<usize, Vec<Finding>> = Default::default();
    let mut moved_at = Vec::with_capacity(versions.len());
    let run = rayon::current_num_threads().max(1) * 16;
    for start in (0..versions.len()).step_by(run) {
        let end = (start + run).min(versions.len());
        let found: Vec<Option<Vec<Finding>>> = (start..end)
            .into_par_iter()
            .map(|i| parses(i).then(|| findings_at(&timeline.upto(i), config, versions[i].date())))
            .collect();
        for (i, current) in (start..end).zip(found) {
            let Some(current) = current else {
                moved_at.push(Vec::new());
                continue;
            };
            let before = previous[i].and_then(|p| kept.get(&p));
            moved_at.push(moved(before.map_or(&[], Vec::as_slice), &current));
            if let Some(p) = previous[i].filter(|p| last_use[*p] <= i) {
                kept.remove(&p);
            }
            if last_use[i] > i {
                kept.insert(i, current);
            }
        }
    }
    moved_at
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
