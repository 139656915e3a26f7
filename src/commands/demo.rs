//! `rapport demo`: replays the bundled sample ledger's scripted history, with a pull-request
//! branch on top, into a git repository; shows the pull-request report first (what the change
//! does to the partnerships it touches), then what the whole ledger holds and where to go next.

use std::io::Write;
use std::path::Path;

use anstyle::Style;

use crate::analysis::base::Base;
use crate::analysis::review::{self, Review, ReviewRequest};
use crate::analysis::{self, Analysis, Request, Revision};
use crate::cli::{DemoArgs, Format};
use crate::error::{Error, Result};
use crate::history::Quiet;
use crate::report;
use crate::sample::{self, SAMPLE};

const BOLD: Style = Style::new().bold();

/// The main branch of the replayed sample.
pub const MAIN: &str = "main";

/// The sample replayed into `dir`: its script, the review of its pull request and the
/// analysis of the whole ledger at the main branch.
pub struct Replayed {
    pub script: sample::Script,
    pub review: Option<Review>,
    pub analysis: Analysis,
}

/// Replays the sample into `dir`, reviews its pull request and analyses the main branch.
pub fn replay(dir: &Path) -> Result<Replayed> {
    let script = sample::script(&SAMPLE)?;
    sample::replay(&SAMPLE, &script, dir)?;
    let ledger = analysis::open(&[dir.to_path_buf()])?;
    let review = match &script.pull_request {
        Some(pull) => Some(review::review(&ReviewRequest {
            ledger: &ledger,
            base: Base::given(MAIN),
            head: pull.branch.clone(),
            progress: &Quiet,
        })?),
        None => None,
    };
    let analysis = analysis::analyse(&Request {
        ledger: &ledger,
        revision: Revision::Commit(MAIN.into()),
        as_of: None,
        progress: &Quiet,
        health: true,
        dated: true,
    })?;
    Ok(Replayed {
        script,
        review,
        analysis,
    })
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
    let replayed = replay(&dir)?;
    let mut out = anstream::stdout().lock();
    match args.format {
        Format::Json => {
            let document = serde_json::json!({
                "pull_request": replayed.review.as_ref().map(report::json::review),
                "ledger": report::json::check(
                    &replayed.analysis.state,
                    &replayed.analysis.findings,
                    replayed.analysis.now,
                ),
            });
            serde_json::to_writer_pretty(&mut out, &document)?;
            writeln!(out)?;
        }
        Format::Text => write_text(&mut out, &replayed, args.keep.as_deref())?,
    }
    Ok(crate::exit::CLEAN)
}

fn write_text(out: &mut dyn Write, replayed: &Replayed, kept: Option<&Path>) -> Result<()> {
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
    let rapport = invocation();
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

/// How the user can run rapport again, for the commands the demo closes with: `rapport` when it
/// is on `PATH`; `cargo run --release --` when this binary is a build in a cargo `target/`
/// folder (the quick start's `cargo run --release -- demo`), where `rapport` alone would not be
/// found; else this binary's own path.
fn invocation() -> String {
    let on_path = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            ["rapport", "rapport.exe"]
                .iter()
                .any(|name| dir.join(name).is_file())
        })
    });
    if on_path {
        return "rapport".into();
    }
    let Ok(exe) = std::env::current_exe() else {
        return "rapport".into();
    };
    let profile = exe.parent();
    let in_target = profile
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .is_some_and(|name| name == "target");
    if in_target {
        "cargo run --release --".into()
    } else {
        report::escape::terminal(&exe.display().to_string()).into_owned()
    }
}
