//! `rapport demo`: replays the bundled sample ledger's scripted history into a git repository
//! and reports on it at its last commit, so a new user sees the tool work in one command.

use std::io::Write;
use std::path::Path;

use anstyle::Style;

use super::check::{self, Checked};
use crate::cli::{CheckArgs, DemoArgs, FailOn, Format};
use crate::error::{Error, Result};
use crate::report;
use crate::sample::{self, SAMPLE};

const BOLD: Style = Style::new().bold();

/// Replays the sample into `dir` and checks it at `HEAD`.
pub fn replay_and_check(dir: &Path, format: Format) -> Result<(sample::Script, Checked)> {
    let script = sample::script(&SAMPLE)?;
    sample::replay(&SAMPLE, &script, dir)?;
    let args = CheckArgs {
        path: dir.to_path_buf(),
        rev: Some("HEAD".into()),
        format,
        fail_on: FailOn::Never,
        as_of: None,
    };
    let ledger = check::open(dir)?;
    let checked = check::analyse(&args, &ledger)?;
    Ok((script, checked))
}

pub fn run(args: &DemoArgs) -> Result<u8> {
    let temporary;
    let dir = match &args.keep {
        Some(dir) => {
            if dir.exists()
                && std::fs::read_dir(dir)
                    .map(|mut d| d.next().is_some())
                    .unwrap_or(true)
            {
                return Err(Error::Invocation(format!(
                    "{} already exists and is not empty; name a new folder for the sample repository",
                    dir.display()
                )));
            }
            dir.clone()
        }
        None => {
            temporary =
                tempfile::TempDir::with_prefix("rapport-demo-").map_err(|source| Error::Io {
                    path: std::env::temp_dir(),
                    source,
                })?;
            temporary.path().to_path_buf()
        }
    };
    let (script, checked) = replay_and_check(&dir, args.format)?;
    let mut out = anstream::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &report::json::check(&checked.state, &checked.findings, checked.now),
            )?;
            writeln!(out)?;
        }
        Format::Text => {
            let first = script.commits.first().map(|c| &c.date[..10]).unwrap_or("");
            let last = script.commits.last().map(|c| &c.date[..10]).unwrap_or("");
            writeln!(
                out,
                "{BOLD}The sample ledger: {} partnerships, {} commits from {first} to {last}, analysed as of {}.{BOLD:#}\n",
                checked.state.files,
                script.commits.len(),
                checked.now
            )?;
            report::text::write_check(&mut out, &checked.state, &checked.findings)?;
            match &args.keep {
                Some(dir) => {
                    let dir = dir.display();
                    writeln!(out, "\nThe sample repository is in {dir}. Try:")?;
                    writeln!(out, "  rapport timeline kestrel --path {dir}")?;
                    writeln!(out, "  rapport check {dir} --rev HEAD~20")?;
                    writeln!(out, "  rapport explain payment-terms-slip")?;
                }
                None => writeln!(
                    out,
                    "\nKeep the sample repository to explore it: rapport demo --keep DIR"
                )?,
            }
        }
    }
    Ok(crate::exit::CLEAN)
}
