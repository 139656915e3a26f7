//! `rapport timeline ID`: one partnership's history read from git, with what changed in each
//! version, its action items and its numeric series.

use std::io::Write;

use rayon::prelude::*;
use std::sync::Arc;

use crate::cli::{Format, TimelineArgs};
use crate::config::Config;
use crate::error::Result;
use crate::history::{self, LedgerRepo};
use crate::ledger::Date;
use crate::ledger::changes::{action_items, changes, series};
use crate::ledger::parse::default_id;
use crate::ledger::{Commit, Content, Snapshot, Timeline};
use crate::report;
use crate::report::timeline::{FindingChange, TimelineView, VersionView};
use crate::signs::{Acknowledgement, Finding};

pub fn run(args: &TimelineArgs) -> Result<u8> {
    let ledger = crate::analysis::open(std::slice::from_ref(&args.path))?;
    let repo = LedgerRepo::open_selecting(&ledger.root, &ledger.config.selection())?;
    crate::analysis::root::refuse_submodules_at(
        &ledger,
        &repo,
        &repo.resolve(&args.rev)?,
        &args.rev,
    )?;
    warn_refused(&repo, &args.rev, &args.id)?;
    // The history is judged with the configuration committed at the revision, as `check --rev`.
    let config = crate::analysis::config_of_revision(&repo, &args.rev)?;
    let bar = report::progress::Bar::new();
    let history = history::timeline(&repo, &args.rev, &args.id, &config.ladder, &bar)?;
    drop(bar);
    // Freeing the repository's object cache (every commit of the history) takes longer than
    // the process has left to live; the system reclaims it at exit.
    std::mem::forget(repo);
    report::text::write_date_warnings(&mut anstream::stderr().lock(), &history.warnings)?;
    let timeline = history.timelines.first().cloned().unwrap_or_default();
    let mut view = describe(history.head, &timeline, &config);
    view.warnings = history.warnings;
    let mut out = anstream::stdout().lock();
    match args.format {
        Format::Text => report::timeline::write_text(&mut out, &view)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &view)?;
            writeln!(out)?;
        }
    }
    Ok(crate::exit::CLEAN)
}

/// Says on standard error when the partnership's file (by its name), or a ledger folder, is a
/// link or a submodule at the revision: it is not read, so the timeline ends before it.
fn warn_refused(repo: &LedgerRepo, rev: &str, id: &str) -> Result<()> {
    // An unknown revision is reported by the history that follows.
    let Ok(tip) = repo.resolve(rev) else {
        return Ok(());
    };
    for problem in repo.refused_at(&tip)? {
        if problem.file.ends_with(".md") && default_id(&problem.file) != id {
            continue;
        }
        let t = |s: &str| report::escape::terminal(s).into_owned();
        eprintln!(
            "rapport: warning: {} is not read: {} ({})",
            t(&problem.file),
            t(&problem.message),
            t(problem.help.as_deref().unwrap_or_default()),
        );
    }
    Ok(())
}

/// What a timeline shows: each version with its changes from the valid version it descends
/// from (a file added again after a deletion starts afresh; a merge is compared with its first
/// parent's state, and each branch with where it started), the action items and the series.
pub fn describe(head: Arc<Commit>, timeline: &Timeline, config: &Config) -> TimelineView {
    let mut versions = Vec::with_capacity(timeline.versions.len());
    // The findings as of each version's date, from the history up to it: independent of one
    // another, so computed on all cores.
    // Only what the changes between versions need is kept of each version's findings (not
    // their facts and evidence), so memory follows the versions, not versions times history.
    let found_at: Vec<Option<Vec<Found>>> = (0..timeline.versions.len())
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
            let found = findings_at(&upto, config, version.date());
            Some(found.into_iter().map(Found::from).collect())
        })
        .collect();
    let none: Vec<Found> = Vec::new();
    for (index, version) in timeline.versions.iter().enumerate() {
        let (state, found, diagnostics) = match &version.content {
            Content::Valid { snapshot } => {
                let mut found = changes(valid_before(timeline, index), snapshot);
                report::redact::redact_changes(
                    &mut found,
                    std::slice::from_ref(timeline),
                    &config.redact,
                );
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
                finding_changes(previous, current)
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
    report::redact::redact_series(&mut series, &config.redact);
    TimelineView {
        version: report::json::JSON_VERSION,
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

/// The open findings of a timeline as of `now`.
fn findings_at(timeline: &Timeline, config: &Config, now: Date) -> Vec<Finding> {
    let mut findings = crate::analysis::findings_as_of(std::slice::from_ref(timeline), config, now);
    crate::report::redact::redact(
        &mut findings,
        std::slice::from_ref(timeline),
        &config.redact,
    );
    findings
}

/// Of a finding at one version, what tells how it moved at the next.
struct Found {
    rule: &'static str,
    severity: crate::signs::Severity,
    message: String,
    fingerprint: crate::signs::Fingerprint,
    open: bool,
}

impl From<Finding> for Found {
    fn from(finding: Finding) -> Found {
        Found {
            rule: finding.rule,
            severity: finding.severity,
            open: finding.acknowledgement == Acknowledgement::Open,
            message: finding.message,
            fingerprint: finding.fingerprint,
        }
    }
}

/// How the findings moved from `previous` to `current`: `new`, `changed` (same finding, other
/// numbers or severity), `acknowledged`, `reopened` (its acknowledgement ran out), `resolved`.
fn finding_changes(previous: &[Found], current: &[Found]) -> Vec<FindingChange> {
    let event = |status, f: &Found| FindingChange {
        status,
        rule: f.rule,
        severity: f.severity,
        message: f.message.clone(),
        fingerprint: f.fingerprint.0.clone(),
    };
    let open = |f: &Found| f.open;
    let mut events = Vec::new();
    for f in current {
        let status = match previous.iter().find(|p| p.fingerprint == f.fingerprint) {
            None if open(f) => "new",
            None => "acknowledged",
            Some(p) if open(p) && !open(f) => "acknowledged",
            Some(p) if !open(p) && open(f) => "reopened",
            Some(p) if p.message != f.message || p.severity != f.severity => "changed",
            Some(_) => continue,
        };
        events.push(event(status, f));
    }
    for p in previous
        .iter()
        .filter(|p| !current.iter().any(|f| f.fingerprint == p.fingerprint))
    {
        events.push(event("resolved", p));
    }
    events
}
