//! Command-line arguments: definitions only; `commands/` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "rapport",
    version,
    about = "Find the warning signs of a strategic partnership going wrong, from the git history of its ledger."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate every partnership file and report findings at one revision.
    Check(CheckArgs),
    /// Replay the bundled sample ledger's history into a git repository and report on it.
    Demo(DemoArgs),
    /// One partnership's history: every version, what changed in it, its numeric series.
    Timeline(TimelineArgs),
    /// Print the JSON Schema of the partnership front matter.
    Schema(SchemaArgs),
    /// List every rule: id, sign, default severity and what it finds.
    Rules(RulesArgs),
    /// Explain one rule: what it detects, why it matters, an example, the fix, its settings.
    Explain(ExplainArgs),
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, such as `payment-terms-slip`.
    pub rule: String,
}

/// The severity at which `check` exits with 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Error,
    Never,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The ledger folder (holding rapport.yaml or partners/), or one partnership file.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Validate the ledger as it is in this commit (branch, tag, commit id) instead of the
    /// working tree.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit with 1 when an open finding reaches this severity (`never`: report, exit 0).
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Analyse as of this date (YYYY-MM-DD) instead of the revision's commit date (or today,
    /// for the working tree).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<crate::ledger::Date>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Build the sample repository in this new folder and keep it (default: a temporary folder,
    /// removed afterwards), to try `rapport timeline` or `rapport check` on it.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// The partnership's id: its `id:` field, or its file name without `.md`.
    pub id: String,
    /// The ledger folder (holding rapport.yaml or partners/).
    #[arg(long, default_value = ".")]
    pub path: PathBuf,
    /// Read history up to this commit (branch, tag, commit id).
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub rev: String,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn parse_date(text: &str) -> Result<crate::ledger::Date, String> {
    crate::ledger::Date::parse(text)
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema: the partnership front matter or rapport.yaml.
    #[arg(long, value_enum, default_value_t = SchemaKind::Partnership)]
    pub of: SchemaKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// The front matter of a partnership file.
    Partnership,
    /// `rapport.yaml`.
    Config,
    /// The output of `rapport check --format json`.
    Check,
}
