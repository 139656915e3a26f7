//! `rapport check [PATH]...`: validate every partnership file (or the ones named) and report what
//! is wrong, at one revision or in the working tree; with `--base`, the pre-merge gate on what a
//! change did.

use std::io::Write;

use super::{report as pull_request, threshold};
use crate::analysis::{self, Request, Revision, base::Base};
use crate::cli::{CheckArgs, Format, ReportFormat};
use crate::error::Result;
use crate::report;

pub fn run(args: &CheckArgs) -> Result<u8> {
    let ledger = analysis::open(&args.paths)?;
    if !ledger.skipped.is_empty() {
        let mut err = anstream::stderr().lock();
        for (file, pattern) in &ledger.skipped {
            let why = match pattern.as_str() {
                "." => "its name or a folder's starts with `.`".to_string(),
                pattern => format!("`exclude:` has `{}`", report::escape::terminal(pattern)),
            };
            writeln!(
                err,
                "note: {} is not a partnership file ({why}); not checked",
                report::escape::terminal(file)
            )?;
        }
        if ledger.only.as_ref().is_some_and(Vec::is_empty) {
            return Ok(crate::exit::CLEAN);
        }
    }
    if let Some(base) = &args.base {
        let head = args.rev.as_deref().unwrap_or("HEAD");
        let format = match args.format {
            Format::Text => ReportFormat::Text,
            Format::Json => ReportFormat::Json,
        };
        let base = if base.is_empty() {
            pull_request::found_base(&ledger)?
        } else {
            Base::given(base)
        };
        return pull_request::review_and_render(
            &ledger,
            base,
            head,
            format,
            &[],
            pull_request::Gate {
                threshold: threshold(args.fail_on),
                silenced: args.fail_on_silenced,
            },
        );
    }
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
        health: false,
        dated: args.format == Format::Json,
    })?;
    drop(bar);
    super::note_without_history(&ledger, args.rev.is_none())?;
    report::text::write_date_warnings(&mut anstream::stderr().lock(), &analysis.warnings)?;
    let (state, findings) = (&analysis.state, &analysis.findings);
    let mut out = super::stdout();
    match args.format {
        Format::Text => report::text::write_check(&mut out, state, findings)?,
        Format::Json => {
            let mut json = report::json::check(state, findings, analysis.now);
            json.warnings = &analysis.warnings;
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    let threshold = threshold(args.fail_on);
    Ok(if !state.diagnostics.is_empty() {
        crate::exit::INVALID
    } else if findings.iter().any(|f| analysis::fails(f, threshold)) {
        crate::exit::FINDINGS
    } else {
        crate::exit::CLEAN
    })
}
