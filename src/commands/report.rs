//! `rapport report --base REV [--head REV]`: what a change did to each partnership it touched,
//! in the format its reader wants (terminal, pull-request comment, JSON, SARIF, workflow
//! commands, Code Quality), from one review however many formats are written.

use std::io::Write;
use std::path::Path;

use super::threshold;
use crate::analysis::base::{self, Base};
pub use crate::analysis::review::Gate;
use crate::analysis::review::{self, Review, ReviewRequest};
use crate::analysis::{self, LedgerRoot};
use crate::cli::{ReportArgs, ReportFormat};
use crate::error::{Error, Result};
use crate::history::LedgerRepo;
use crate::report::{self, escape};

pub fn run(args: &ReportArgs) -> Result<u8> {
    let ledger = analysis::open(std::slice::from_ref(&args.path))?;
    let base = match &args.base {
        Some(rev) => Base::given(rev),
        None => found_base(&ledger)?,
    };
    review_and_render(
        &ledger,
        base,
        &args.head,
        args.format,
        &args.output,
        Gate {
            threshold: threshold(args.fail_on),
            silenced: args.fail_on_silenced,
        },
    )
}

/// The base when none is named: from the CI's environment, else the repository's remote
/// branches (see `analysis::base`), said on stderr.
pub(crate) fn found_base(ledger: &LedgerRoot) -> Result<Base> {
    let repo = LedgerRepo::open_selecting(&ledger.root, &ledger.config.selection())?;
    let found = base::from_environment(&repo, &|name| std::env::var(name).ok())?;
    eprintln!(
        "rapport: comparing with {} (from {})",
        escape::terminal(&found.rev),
        escape::terminal(&found.source)
    );
    Ok(found)
}

/// Reviews the change from `merge-base(base, head)` to `head`, prints it in `format`, writes
/// each `outputs` file, and returns the gate's exit code: 2 when a touched file is invalid at
/// head, 1 when a finding fails the `gate`, else 0.
pub fn review_and_render(
    ledger: &LedgerRoot,
    base: Base,
    head: &str,
    format: ReportFormat,
    outputs: &[(ReportFormat, std::path::PathBuf)],
    gate: Gate,
) -> Result<u8> {
    let bar = report::progress::Bar::new();
    let review = review::review(&ReviewRequest {
        ledger,
        base,
        head: head.to_string(),
        progress: &bar,
    })?;
    drop(bar);
    report::text::write_date_warnings(&mut anstream::stderr().lock(), &review.warnings)?;
    {
        let mut out = super::stdout();
        render(format, &review, &mut out)?;
        out.flush()?;
    }
    for (format, file) in outputs {
        write_file(*format, &review, file)?;
    }
    if format == ReportFormat::Github
        && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty())
    {
        let markdown = report::markdown::render(&review, report::markdown::LIMIT);
        report::github::append_summary(&markdown, Path::new(&summary)).map_err(|source| {
            Error::Write {
                path: summary.into(),
                source,
            }
        })?;
    }
    Ok(if !review.diagnostics.is_empty() {
        crate::exit::INVALID
    } else if review.fails(gate) {
        crate::exit::FINDINGS
    } else {
        crate::exit::CLEAN
    })
}

/// Writes one format of the review.
pub fn render(format: ReportFormat, review: &Review, out: &mut dyn Write) -> Result<()> {
    match format {
        ReportFormat::Text => report::text::write_review(out, review)?,
        ReportFormat::Markdown => {
            out.write_all(report::markdown::render(review, report::markdown::LIMIT).as_bytes())?
        }
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report::json::review(review))?;
            writeln!(out)?;
        }
        ReportFormat::Sarif => report::sarif::write_under(out, review, &review.prefix)?,
        ReportFormat::Github => report::github::write_under(out, review, &review.prefix)?,
        ReportFormat::Gitlab => report::gitlab::write_under(out, review, &review.prefix)?,
    }
    Ok(())
}

/// Writes one format of the review to a file, without colour.
fn write_file(format: ReportFormat, review: &Review, file: &Path) -> Result<()> {
    let io = |source| Error::Write {
        path: file.to_path_buf(),
        source,
    };
    let mut rendered = Vec::new();
    render(format, review, &mut rendered)?;
    let plain = anstream::adapter::strip_bytes(&rendered).into_vec();
    std::fs::write(file, plain).map_err(io)
}
