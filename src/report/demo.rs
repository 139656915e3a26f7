//! What `rapport demo` prints as text: the sample ledger, what its pull request does, the whole
//! ledger's findings and portfolio, and the commands to explore it further.

use std::io::Write;
use std::path::Path;

use anstyle::Style;

use crate::analysis::sample::{MAIN, Replayed};
use crate::error::Result;
use crate::report;

const BOLD: Style = Style::new().bold();

/// Writes the demo for a reader at a terminal; `kept` is the folder the sample repository is
/// kept in (`None`: it was temporary), `rapport` how the user runs rapport again.
pub fn write(
    out: &mut dyn Write,
    replayed: &Replayed,
    kept: Option<&Path>,
    rapport: &str,
) -> Result<()> {
    let script = &replayed.script;
    let first = script.commits.first().map(|c| &c.date[..10]).unwrap_or("");
    let last = script.commits.last().map(|c| &c.date[..10]).unwrap_or("");
    writeln!(
        out,
        "{BOLD}The sample ledger:{BOLD:#} {} partnerships, {} commits on `{MAIN}` from {first} to {last}.",
        replayed.analysis.state.files,
        script.commits.len(),
    )?;
    if let (Some(pull), Some(review)) = (&script.pull_request, &replayed.review) {
        writeln!(
            out,
            "A teammate opened a pull request, \"{}\" (branch `{}`, {} commit{}).\n\n{BOLD}What the pull request does to the partnerships it touches:{BOLD:#}\n",
            pull.title,
            pull.branch,
            pull.commits.len(),
            report::text::plural(pull.commits.len())
        )?;
        report::text::write_review(out, review)?;
        writeln!(out)?;
    }
    let analysis = &replayed.analysis;
    writeln!(
        out,
        "{BOLD}The whole ledger on `{MAIN}`{BOLD:#} (as of {}): {}.",
        analysis.now,
        report::text::summary(&analysis.findings)
    )?;
    // What the head of alliances reads first: every partnership's health, worst first.
    writeln!(out)?;
    report::portfolio::text::write(out, &crate::analysis::portfolio::portfolio(analysis))?;
    let branch = script
        .pull_request
        .as_ref()
        .map_or("BRANCH", |p| p.branch.as_str());
    match kept {
        Some(dir) => {
            let dir = dir.display();
            writeln!(
                out,
                "\nThe sample repository is in {dir}. What the demo showed, and more:"
            )?;
            let commands = [
                (
                    format!("{rapport} report {dir} --base {MAIN} --head {branch}"),
                    "the pull-request report above",
                ),
                (
                    format!(
                        "{rapport} report {dir} --base {MAIN} --head {branch} --format markdown"
                    ),
                    "as a pull-request comment",
                ),
                (
                    format!("{rapport} check {dir} --rev {MAIN}"),
                    "every finding in the ledger",
                ),
                (
                    format!("{rapport} timeline kestrel --path {dir}"),
                    "one partnership's story",
                ),
                (
                    format!(
                        "{rapport} portfolio {dir} --rev {MAIN} --format html > portfolio.html"
                    ),
                    "the portfolio as one page",
                ),
            ];
            let width = commands.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
            for (command, what) in commands {
                writeln!(out, "  {command:<width$}   # {what}")?;
            }
        }
        None => {
            // The sample repository is gone when the demo ends: the commands name the folder it
            // is kept in, so they run on the sample and not on whatever folder the user is in.
            writeln!(
                out,
                "\nThe sample repository was temporary and is gone. Keep it to explore it: \
                 {rapport} demo --keep DIR, then"
            )?;
            writeln!(
                out,
                "  every finding in the ledger: {rapport} check DIR --rev {MAIN}"
            )?;
            writeln!(
                out,
                "  one partnership's story:     {rapport} timeline kestrel --path DIR"
            )?;
            writeln!(
                out,
                "  the portfolio as one page:   {rapport} portfolio DIR --rev {MAIN} --format html > portfolio.html"
            )?;
        }
    }
    Ok(())
}
