//! `rapport timeline ID`: one partnership's history read from git, with what changed in each
//! version, its action items and its numeric series.

use std::io::Write;

use crate::analysis::timeline::describe;
use crate::cli::{Format, TimelineArgs};
use crate::error::Result;
use crate::history::{self, LedgerRepo};
use crate::ledger::parse::default_id;
use crate::report;

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
    let mut out = super::stdout();
    match args.format {
        Format::Text => report::timeline::write_text(&mut out, &view)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &view)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
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
