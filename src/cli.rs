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
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit with 1 when an open finding reaches this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Analyse as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<crate::ledger::Date>,
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
    Partnership,
    Config,
}
