//! One file per subcommand, each wiring the stages together. Nothing below prints but these.

pub mod check;
pub mod completions;
pub mod demo;
pub mod digest;
pub mod explain;
pub mod init;
pub mod lsp;
pub mod new;
pub mod note;
pub mod portfolio;
pub mod report;
pub mod rules;
pub mod schema;
pub mod timeline;

use crate::cli::{Cli, Command, FailOn};
use crate::error::Result;
use crate::signs::Severity;

/// Runs a command and returns its exit code.
pub fn dispatch(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Timeline(args) => timeline::run(&args),
        Command::Portfolio(args) => portfolio::run(&args),
        Command::Digest(args) => digest::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Init(args) => init::run(&args),
        Command::New(args) => new::run(&args),
        Command::Note(args) => note::run(&args),
        Command::Lsp(args) => lsp::run(&args),
        Command::Completions(args) => completions::run(&args),
        Command::Man => completions::man(),
    }
    .map_err(crate::history::explain_missing)
}

/// Says, when a working tree was checked outside any git repository, that only its files are
/// read: the signs found in a history cannot be.
pub(crate) fn note_without_history(
    ledger: &crate::analysis::LedgerRoot,
    working_tree: bool,
) -> Result<()> {
    if working_tree && crate::history::discover(&ledger.root)?.is_none() {
        use std::io::Write;
        writeln!(
            anstream::stderr().lock(),
            "note: {} is not inside a git repository: rapport checks its files only, without \
             history, so the signs a history shows (dates slipping, changes over time) are not looked for",
            crate::report::escape::terminal(&ledger.root.display().to_string())
        )?;
    }
    Ok(())
}

/// Refuses to write `target` inside the git folder of the repository holding `root`, whatever
/// that folder's name (`git init --separate-git-dir` and worktrees put it anywhere).
pub(crate) fn refuse_git_dirs(root: &std::path::Path, target: &std::path::Path) -> Result<()> {
    // A repository that cannot be opened still has its `.git` refused by name when written.
    if let Ok(Some(repo)) = crate::history::discover(root) {
        for git_dir in [repo.path(), repo.commondir()] {
            crate::ledger::write::outside_git_dir(target, git_dir)?;
        }
    }
    Ok(())
}

/// The severity at which a gate fails (`None`: it never does).
pub fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Info => Some(Severity::Info),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Error => Some(Severity::Error),
        FailOn::Never => None,
    }
}

/// Standard output for a command's report, written in blocks: Rust's standard output flushes at
/// every newline, and the colour stripping above it writes each run of text apart, one system
/// call each (189,097 for a warm check of the 3,000-partnership ledger). Colours are decided for
/// the real standard output (`--color`, `NO_COLOR`, a terminal or not). Callers flush it at the
/// end, so a write that fails (a full disk, a closed pipe) is an error, not lost when dropped.
pub(crate) fn stdout() -> anstream::AutoStream<Box<dyn std::io::Write>> {
    let choice = anstream::AutoStream::choice(&std::io::stdout());
    let blocks = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    anstream::AutoStream::new(Box::new(blocks), choice)
}
