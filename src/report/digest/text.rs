//! The digest for a terminal: the period and its summary, then each owner's partnerships with
//! what moved, the deadlines and the commits of the period. Ledger text and commit messages
//! pass through [`escape::terminal`].

use std::io::{self, Write};

use crate::analysis::digest::Digest;
use crate::report::escape::terminal;

/// At most this many commits are listed per partnership; the rest are counted.
const COMMITS: usize = 5;

pub fn write(out: &mut dyn Write, digest: &Digest) -> io::Result<()> {
    let period = super::period(digest);
    if digest.is_quiet() {
        writeln!(
            out,
            "rapport digest {period}: quiet, {}.",
            super::summary(digest)
        )?;
        return Ok(());
    }
    writeln!(out, "rapport digest {period}: {}.", super::summary(digest))?;
    for group in digest.by_owner() {
        writeln!(out)?;
        writeln!(out, "{}", terminal(super::owner_label(group.owner)))?;
        for entry in group.entries {
            writeln!(
                out,
                "  {}  {}",
                terminal(&entry.partner),
                terminal(&entry.file)
            )?;
            if !entry.valid {
                writeln!(
                    out,
                    "    broken    the file no longer parses: `rapport check` shows where"
                )?;
            }
            for reviewed in &entry.findings {
                let f = &reviewed.finding;
                writeln!(
                    out,
                    "    {:<9} {:<7} {}: {}",
                    reviewed.status.as_str(),
                    f.severity.as_str(),
                    f.rule,
                    terminal(&f.message)
                )?;
            }
            for alert in &entry.alerts {
                writeln!(out, "    deadline  {}", super::alert_text(alert))?;
            }
            for commit in entry.commits.iter().take(COMMITS) {
                writeln!(
                    out,
                    "    commit    {} {} {}",
                    commit.short,
                    commit.date,
                    terminal(&commit.summary)
                )?;
            }
            if entry.commits.len() > COMMITS {
                writeln!(
                    out,
                    "    commit    and {} more",
                    entry.commits.len() - COMMITS
                )?;
            }
        }
    }
    Ok(())
}
