//! `rapport digest`: the ledger compared between two points in time, in the format asked for.
//! A report, not a gate: it exits 0 whatever it finds, so a scheduled job fails nothing.

use std::io::Write;

use crate::analysis::{self, digest::DigestRequest};
use crate::cli::{DigestArgs, DigestFormat};
use crate::error::Result;
use crate::ledger::Date;
use crate::report::{self, digest};

pub fn run(args: &DigestArgs) -> Result<u8> {
    let ledger = analysis::open(std::slice::from_ref(&args.path))?;
    let bar = report::progress::Bar::new();
    let found = analysis::digest::digest(&DigestRequest {
        ledger: &ledger,
        since: args.since.clone(),
        until: args.until.clone(),
        today: Date::today(),
        progress: &bar,
        dated: args.format == DigestFormat::Json,
    })?;
    drop(bar);
    let mut err = anstream::stderr().lock();
    report::text::write_date_warnings(&mut err, &found.warnings)?;
    for diagnostic in &found.diagnostics {
        report::text::write_diagnostic(&mut err, diagnostic)?;
    }
    drop(err);
    if args.skip_quiet && found.is_quiet() {
        return Ok(crate::exit::CLEAN);
    }
    let mut out = super::stdout();
    match args.format {
        DigestFormat::Text => digest::text::write(&mut out, &found)?,
        DigestFormat::Markdown => {
            out.write_all(digest::markdown::render(&found, digest::markdown::LIMIT).as_bytes())?
        }
        DigestFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &digest::document(&found))?;
            writeln!(out)?;
        }
        DigestFormat::Slack => {
            serde_json::to_writer(&mut out, &digest::chat::slack(&found))?;
            writeln!(out)?;
        }
        DigestFormat::Teams => {
            serde_json::to_writer(&mut out, &digest::chat::teams(&found))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(crate::exit::CLEAN)
}
