//! `rapport portfolio`: one analysis of the ledger at a revision, every partnership's health
//! from it, worst first, in the format asked for.

use std::io::Write;

use crate::analysis::{self, Request, Revision};
use crate::cli::{PortfolioArgs, PortfolioFormat};
use crate::error::Result;
use crate::report;

pub fn run(args: &PortfolioArgs) -> Result<u8> {
    let ledger = analysis::open(std::slice::from_ref(&args.path))?;
    let revision = match &args.rev {
        Some(rev) => Revision::Commit(rev.clone()),
        None => Revision::WorkingTree,
    };
    let bar = report::progress::Bar::new();
    let analysis = analysis::analyse(&Request {
        ledger: &ledger,
        revision,
        as_of: args.as_of,
        progress: &bar,
        health: true,
        dated: true,
    })?;
    let portfolio = analysis::portfolio::portfolio(&analysis);
    drop(bar);
    super::note_without_history(&ledger, args.rev.is_none())?;
    let invalid = !analysis.state.diagnostics.is_empty();
    let mut err = anstream::stderr().lock();
    report::text::write_date_warnings(&mut err, &analysis.warnings)?;
    // The files left out of the scores, said where the problem is, as `check` says it.
    for diagnostic in &analysis.state.diagnostics {
        report::text::write_diagnostic(&mut err, diagnostic)?;
    }
    drop(err);
    let mut out = super::stdout();
    match args.format {
        PortfolioFormat::Text => report::portfolio::text::write(&mut out, &portfolio)?,
        PortfolioFormat::Markdown => {
            out.write_all(report::portfolio::markdown::render(&portfolio).as_bytes())?
        }
        PortfolioFormat::Json => {
            let document = report::portfolio::document(&portfolio, &analysis.warnings);
            serde_json::to_writer_pretty(&mut out, &document)?;
            writeln!(out)?;
        }
        PortfolioFormat::Html => {
            out.write_all(report::portfolio::html::render(&portfolio).as_bytes())?
        }
    }
    out.flush()?;
    // The history and its object caches are freed by the system at exit, faster.
    std::mem::forget(analysis);
    Ok(if invalid {
        crate::exit::INVALID
    } else {
        crate::exit::CLEAN
    })
}
