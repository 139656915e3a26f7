//! `rapport check [PATH]`: validate every partnership file and report what is wrong.

use std::io::Write;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use crate::cli::{CheckArgs, FailOn, Format};
use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::ledger::load::{self, LedgerState};
use crate::ledger::{Commit, Content, Date, Timeline, Version};
use crate::report;
use crate::signs::{self, Acknowledgement, Context, Finding, Severity};

/// Where a ledger lives and how it is configured.
pub struct LedgerRoot {
    pub root: PathBuf,
    pub config: Config,
    /// When the user named one file, only that file is checked.
    pub only: Option<String>,
}

/// Finds the ledger for a path: a folder is the root; a file is checked alone, configured by the
/// nearest `rapport.yaml` above it.
pub fn open(path: &Path) -> Result<LedgerRoot> {
    if !path.exists() {
        return Err(Error::NoSuchPath {
            path: path.to_path_buf(),
        });
    }
    if path.is_dir() {
        let config = config::load(path)?;
        return Ok(LedgerRoot {
            root: path.to_path_buf(),
            config,
            only: None,
        });
    }
    let absolute = path.canonicalize().map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let root = absolute
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(config::FILE_NAME).is_file())
        .or_else(|| absolute.parent())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let config = config::load(&root)?;
    let only = absolute
        .strip_prefix(&root)
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "/"));
    Ok(LedgerRoot { root, config, only })
}

/// Reads and parses the working tree of a ledger.
pub fn load_working_tree(ledger: &LedgerRoot) -> LedgerState {
    let (files, unreadable) = match &ledger.only {
        Some(file) => match std::fs::read(ledger.root.join(file)) {
            Ok(bytes) if bytes.len() > crate::ledger::parse::MAX_FILE_BYTES => (
                Vec::new(),
                vec![crate::ledger::parse::too_large(file, bytes.len() as u64)],
            ),
            Ok(bytes) => (vec![(file.clone(), bytes)], Vec::new()),
            Err(error) => (
                Vec::new(),
                vec![crate::ledger::Diagnostic::file(
                    file,
                    "unreadable",
                    format!("cannot read file: {error}"),
                    "check the file's permissions",
                )],
            ),
        },
        None => load::read_folder(&ledger.root, &ledger.config.paths),
    };
    let mut state = load::load(&files, &ledger.config.ladder);
    state.files += unreadable.len();
    state.diagnostics.extend(unreadable);
    state
        .diagnostics
        .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    state
}

/// One-version timelines for the working tree, each dated `today` by a stand-in commit; the
/// history engine replaces these with real histories.
pub fn working_tree_timelines(state: &LedgerState, today: Date) -> Vec<Timeline> {
    let commit = Arc::new(Commit {
        id: String::new(),
        short: String::new(),
        author: String::new(),
        time: today
            .0
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp()),
        date: today,
        summary: "working tree".into(),
    });
    state
        .snapshots
        .iter()
        .map(|snapshot| Timeline {
            id: snapshot.id.clone(),
            versions: vec![Version {
                commit: Arc::clone(&commit),
                path: snapshot.path.clone(),
                content: Content::Valid {
                    snapshot: Arc::new(snapshot.clone()),
                },
            }],
        })
        .collect()
}

/// Whether a finding makes `check` fail: open, and at or above the failing severity.
pub fn fails(finding: &Finding, fail_on: FailOn) -> bool {
    let threshold = match fail_on {
        FailOn::Info => Severity::Info,
        FailOn::Warning => Severity::Warning,
        FailOn::Error => Severity::Error,
    };
    finding.acknowledgement == Acknowledgement::Open && finding.severity >= threshold
}

pub fn run(args: &CheckArgs) -> Result<u8> {
    let ledger = open(&args.path)?;
    let state = load_working_tree(&ledger);
    let today = args
        .as_of
        .unwrap_or_else(|| Date(chrono::Local::now().date_naive()));
    let timelines = working_tree_timelines(&state, today);
    let cx = Context {
        now: today,
        settings: &ledger.config.rules,
        ladder: &ledger.config.ladder,
        vocabulary: &ledger.config.vocabulary,
    };
    let root = ledger.root.clone();
    let source = move |file: &str| std::fs::read_to_string(root.join(file)).ok();
    let findings = signs::analyse(&timelines, &cx, &source);
    let mut out = anstream::stdout().lock();
    match args.format {
        Format::Text => report::text::write_check(&mut out, &state, &findings)?,
        Format::Json => {
            let json = report::json::check(&state, &findings);
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
    }
    Ok(if !state.diagnostics.is_empty() {
        crate::exit::INVALID
    } else if findings.iter().any(|f| fails(f, args.fail_on)) {
        crate::exit::FINDINGS
    } else {
        crate::exit::CLEAN
    })
}
