//! `rapport timeline ID`: one partnership's history read from git, with what changed in each
//! version, its action items and its numeric series.

use std::io::Write;
use std::sync::Arc;

use crate::cli::{Format, TimelineArgs};
use crate::error::Result;
use crate::history::{self, LedgerRepo};
use crate::ledger::changes::{action_items, changes, series};
use crate::ledger::{Commit, Content, Timeline};
use crate::report;
use crate::report::timeline::{TimelineView, VersionView};

pub fn run(args: &TimelineArgs) -> Result<u8> {
    let ledger = super::check::open(&args.path)?;
    let repo = LedgerRepo::open(&ledger.root, &ledger.config.paths)?;
    let bar = report::progress::Bar::new();
    let (head, timeline) =
        history::timeline(&repo, &args.rev, &args.id, &ledger.config.ladder, &bar)?;
    drop(bar);
    // Freeing the repository's object cache (every commit of the history) takes longer than
    // the process has left to live; the system reclaims it at exit.
    std::mem::forget(repo);
    let view = describe(head, &timeline);
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

/// What a timeline shows: each version with its changes from the valid version before it (a
/// file added again after a deletion starts afresh), the action items and the series.
pub fn describe(head: Arc<Commit>, timeline: &Timeline) -> TimelineView {
    let mut before = None;
    let mut versions = Vec::with_capacity(timeline.versions.len());
    for version in &timeline.versions {
        let (state, found, diagnostics) = match &version.content {
            Content::Valid { snapshot } => {
                let found = changes(before, snapshot);
                before = Some(snapshot.as_ref());
                ("valid", found, Vec::new())
            }
            Content::Invalid { diagnostics } => ("invalid", Vec::new(), diagnostics.to_vec()),
            Content::Removed => {
                before = None;
                ("removed", Vec::new(), Vec::new())
            }
        };
        versions.push(VersionView {
            commit: Arc::clone(&version.commit),
            path: version.path.clone(),
            state,
            changes: found,
            diagnostics,
        });
    }
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
        series: series(timeline),
    }
}
