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
    /// Neither read nor write the cache of parsed file versions kept between runs (under
    /// RAPPORT_CACHE_DIR, else the user's cache folder).
    #[arg(long, global = true)]
    pub no_cache: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate every partnership file and report findings at one revision; with `--base`, the
    /// pre-merge gate: fail only on findings the change introduces or worsens.
    Check(CheckArgs),
    /// What a change did to each partnership it touched: the diff-aware pull-request report.
    Report(ReportArgs),
    /// Replay the bundled sample ledger's history into a git repository and report on it.
    Demo(DemoArgs),
    /// One partnership's history: every version, what changed in it, its numeric series.
    Timeline(TimelineArgs),
    /// Every partnership's health band, score and trend, worst first, with renewals and notice
    /// deadlines: a table, a weekly-review page, JSON, or one self-contained HTML page.
    Portfolio(PortfolioArgs),
    /// What changed in the whole ledger between two points in time, each at its own "now":
    /// signs that arose from time passing, deadlines inside 30/15/7 days, grouped by owner; for
    /// a scheduled issue or a chat webhook.
    Digest(DigestArgs),
    /// Print the JSON Schema of the partnership front matter.
    Schema(SchemaArgs),
    /// List every rule: id, sign, default severity and what it finds.
    Rules(RulesArgs),
    /// Explain one rule: what it detects, why it matters, an example, the fix, its settings.
    Explain(ExplainArgs),
    /// Start a ledger in a folder: a commented rapport.yaml, partners/ with an example, the CI
    /// workflow, the pre-commit configuration and the JSON Schemas. Never overwrites.
    Init(InitArgs),
    /// Add a partnership file from a template: id from the name, today's date, the optional
    /// blocks as comments to fill in.
    New(NewArgs),
    /// Add a dated meeting section to a partnership file: heading, attendees (the primary
    /// contacts), notes from standard input or an editor, an action-item stub.
    Note(NoteArgs),
    /// Run the language server on standard input and output: an editor shows what `check`
    /// says of the file being written, and its findings, as you type. Never writes.
    Lsp(LspArgs),
    /// Print the completion script of a shell.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), for `man`.
    Man,
}

#[derive(Debug, Args)]
pub struct LspArgs {
    /// Accepted for clients that pass it; standard input and output are the only transport.
    #[arg(long, hide = true)]
    pub stdio: bool,
    /// "Now" for the rules instead of today (YYYY-MM-DD), as `check --as-of` takes it.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<crate::ledger::Date>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to make a ledger: created when missing, and made a git repository (git init)
    /// when it is not inside one.
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
}

/// A partnership's lifecycle status, as `status:` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Prospect,
    Onboarding,
    Active,
    Paused,
    Ending,
    Ended,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The partner's display name, such as "Northwind Analytics".
    pub name: String,
    /// The partnership's id (and file name); by default made from the name
    /// transliterated to ASCII (`northwind-analytics`, `muller-systemhaus-gmbh`,
    /// `bei-feng-ke-ji`). Needed when nothing in the name transliterates to a letter or digit.
    #[arg(long)]
    pub id: Option<String>,
    /// Our accountable owner; by default git's user.name.
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long, value_enum, default_value_t = StatusArg::Prospect)]
    pub status: StatusArg,
    /// The folder, under the first partnership folder, to put the file in (`emea/resellers`).
    #[arg(long, value_name = "FOLDER")]
    pub folder: Option<String>,
    /// The start date (`since:`), YYYY-MM-DD; by default today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<crate::ledger::Date>,
    /// The ledger folder (holding rapport.yaml or partners/), or any folder inside it.
    #[arg(long, default_value = ".")]
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The partnership's id: its `id:` field, or its file name without `.md`.
    pub id: String,
    /// The meeting's title, after the date in its heading.
    #[arg(long, short, default_value = "Meeting")]
    pub title: String,
    /// The meeting's date, YYYY-MM-DD; by default today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<crate::ledger::Date>,
    /// Write the notes in $VISUAL (else $EDITOR): the new section opens there, and is added
    /// when the editor exits successfully. Without it, notes are read from standard input when
    /// it is not a terminal.
    #[arg(long, short)]
    pub edit: bool,
    /// The ledger folder (holding rapport.yaml or partners/), or any folder inside it.
    #[arg(long, default_value = ".")]
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, such as `payment-terms-slip`; or `gate`, how the pre-merge gate judges a
    /// change (merges, configuration, hidden meetings).
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
    /// The ledger: its folder (holding rapport.yaml or partners/) or any folder inside it, such
    /// as partners/; or partnership files, checked alone with their history (as a pre-commit
    /// hook passes staged files). Paths are found from the ledger root, the nearest folder at or
    /// above holding rapport.yaml (else partners/, else the repository's top).
    #[arg(default_value = ".", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
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
    #[arg(long, value_name = "DATE", value_parser = parse_date, conflicts_with = "base")]
    pub as_of: Option<crate::ledger::Date>,
    /// Compare with this revision and fail only on new or worsened findings (the pre-merge
    /// gate): the change is `merge-base(BASE, --rev)` to `--rev` (default `HEAD`). `--base`
    /// alone (last on the line) finds it as `report` does, then from the current branch's
    /// upstream, `origin/main` or `origin/master`: the pre-push hook's form.
    #[arg(long, value_name = "REV", num_args = 0..=1, default_missing_value = "")]
    pub base: Option<String>,
    /// With `--base`: also fail on findings the change silenced by changing rapport.yaml (a rule
    /// switched off, a threshold relaxed, a severity lowered), judged as the base's
    /// configuration judges them. Without it they are shown, not failed.
    #[arg(long, requires = "base")]
    pub fail_on_silenced: bool,
}

/// Formats of the pull-request report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For a terminal.
    Text,
    /// A pull-request comment or job summary (GitHub, GitLab).
    Markdown,
    /// Every finding with its status, fingerprint and evidence (schema/report.schema.json).
    Json,
    /// SARIF 2.1.0, for code-scanning upload.
    Sarif,
    /// GitHub Actions workflow commands (annotations); also appends the markdown report to
    /// `$GITHUB_STEP_SUMMARY` when it is set.
    Github,
    /// GitLab Code Quality report.
    Gitlab,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The ledger folder (holding rapport.yaml or partners/), or any folder inside it.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The revision the change is compared with: the report covers `merge-base(BASE, HEAD)` to
    /// `HEAD`. By default the pull or merge request's target branch from the CI's environment
    /// (GITHUB_BASE_REF, CI_MERGE_REQUEST_DIFF_BASE_SHA, CI_MERGE_REQUEST_TARGET_BRANCH_NAME),
    /// else `origin/HEAD`, else the current branch's upstream, else `origin/main` or
    /// `origin/master`.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// The revision the change ends at.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub head: String,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Also write the report in another format to a file, from the same analysis (repeatable):
    /// `--output markdown=rapport.md --output sarif=rapport.sarif`.
    #[arg(long, short, value_name = "FORMAT=FILE", value_parser = parse_output)]
    pub output: Vec<(ReportFormat, PathBuf)>,
    /// Exit with 1 when a new or worsened open finding reaches this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    pub fail_on: FailOn,
    /// Also exit with 1 when a finding the change silenced by changing rapport.yaml reaches
    /// `--fail-on` (judged as the base's configuration judges it).
    #[arg(long)]
    pub fail_on_silenced: bool,
}

fn parse_output(text: &str) -> Result<(ReportFormat, PathBuf), String> {
    let (format, file) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not FORMAT=FILE, such as sarif=rapport.sarif"))?;
    let format = ReportFormat::from_str(format, true).map_err(|_| {
        format!("unknown format `{format}`: one of text, markdown, json, sarif, github, gitlab")
    })?;
    if file.is_empty() {
        return Err(format!("`{text}` names no file"));
    }
    Ok((format, PathBuf::from(file)))
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
    /// The ledger folder (holding rapport.yaml or partners/), or any folder inside it.
    #[arg(long, default_value = ".")]
    pub path: PathBuf,
    /// Read history up to this commit (branch, tag, commit id).
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub rev: String,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Formats of the portfolio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PortfolioFormat {
    /// A table with a sparkline per partnership, for a terminal.
    Text,
    /// For a weekly review issue or a wiki page, with Mermaid charts.
    Markdown,
    /// For machines (schema/portfolio.schema.json).
    Json,
    /// One self-contained page with inline SVG charts.
    Html,
}

#[derive(Debug, Args)]
pub struct PortfolioArgs {
    /// The ledger folder (holding rapport.yaml or partners/), or any folder inside it.
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,
    /// The ledger as it is in this commit (branch, tag, commit id) instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// Score as of this date (YYYY-MM-DD) instead of the revision's commit date (or today, for
    /// the working tree).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<crate::ledger::Date>,
    #[arg(long, value_enum, default_value_t = PortfolioFormat::Text)]
    pub format: PortfolioFormat,
}

/// Formats of the digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DigestFormat {
    /// For a terminal.
    Text,
    /// An issue body: marker line, summary, a section per owner.
    Markdown,
    /// For machines (schema/digest.schema.json).
    Json,
    /// A Slack incoming-webhook payload (Block Kit), for `curl`.
    Slack,
    /// A Microsoft Teams incoming-webhook payload (an Adaptive Card), for `curl`.
    Teams,
}

#[derive(Debug, Args)]
pub struct DigestArgs {
    /// The ledger folder (holding rapport.yaml or partners/), or any folder inside it.
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,
    /// The start of the period: a date (2024-06-03), a span before --until (7d, 1w, 1m), or a
    /// revision.
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub since: crate::analysis::digest::When,
    /// The end of the period: a date (the ledger as it stood that day: a past date replays that
    /// week), a span before today, or a revision. By default today, on top of HEAD.
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub until: Option<crate::analysis::digest::When>,
    #[arg(long, value_enum, default_value_t = DigestFormat::Text)]
    pub format: DigestFormat,
    /// Print nothing when nothing is new, so a scheduled job posts nothing on a quiet week.
    #[arg(long)]
    pub skip_quiet: bool,
}

fn parse_when(text: &str) -> Result<crate::analysis::digest::When, String> {
    crate::analysis::digest::When::parse(text)
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
    /// The output of `rapport report --format json`.
    Report,
    /// The output of `rapport portfolio --format json`.
    Portfolio,
    /// The output of `rapport digest --format json`.
    Digest,
}
