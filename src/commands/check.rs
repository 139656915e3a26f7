//! `rapport check [PATH]`: validate every partnership file and report what is wrong.

use std::io::Write;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use crate::cli::{CheckArgs, FailOn, Format};
use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::history::{self, History, LedgerRepo};
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

/// Whether a finding makes `check` fail: open, and at or above the failing severity.
pub fn fails(finding: &Finding, fail_on: FailOn) -> bool {
    let threshold = match fail_on {
        FailOn::Info => Severity::Info,
        FailOn::Warning => Severity::Warning,
        FailOn::Error => Severity::Error,
        FailOn::Never => return false,
    };
    finding.acknowledgement == Acknowledgement::Open && finding.severity >= threshold
}

/// Reads and parses the ledger as it is in commit `rev`: its configuration and partnership files
/// come from that commit's tree.
pub fn load_revision(ledger: &LedgerRoot, rev: &str) -> Result<(LedgerState, History, Config)> {
    let mut config = ledger.config.clone();
    let mut repo = LedgerRepo::open(&ledger.root, &config.paths)?;
    let written = repo.file_at(&repo.resolve(rev)?, config::FILE_NAME)?;
    if let Some(bytes) = written {
        config = Config::parse(config::FILE_NAME, &bytes).map_err(Error::InvalidConfig)?;
        if config.paths != ledger.config.paths {
            repo = LedgerRepo::open(&ledger.root, &config.paths)?;
        }
    }
    let commit = repo.resolve(rev)?;
    let (mut files, problems) = repo.files_at(&commit)?;
    if let Some(only) = &ledger.only {
        files.retain(|(path, _)| path == only);
    }
    let mut state = load::load(&files, &config.ladder);
    state.files += problems.len();
    state.diagnostics.extend(problems);
    state
        .diagnostics
        .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    let history = history::timelines(&repo, rev, &config.ladder, &report::progress::Bar::new())?;
    Ok((state, history, config))
}

/// The ledger to check and, inside a repository, the history the rules read: at `--rev`, or
/// the working tree with history up to `HEAD` (none before the first commit).
pub fn load_ledger(
    args: &CheckArgs,
    ledger: &LedgerRoot,
) -> Result<(LedgerState, Option<History>, Config)> {
    if let Some(rev) = &args.rev {
        let (state, history, config) = load_revision(ledger, rev)?;
        return Ok((state, Some(history), config));
    }
    let state = load_working_tree(ledger);
    if !history::is_inside_repository(&ledger.root) {
        return Ok((state, None, ledger.config.clone()));
    }
    let repo = LedgerRepo::open(&ledger.root, &ledger.config.paths)?;
    if repo.is_unborn() {
        return Ok((state, None, ledger.config.clone()));
    }
    let history = history::timelines(
        &repo,
        "HEAD",
        &ledger.config.ladder,
        &report::progress::Bar::new(),
    )?;
    Ok((state, Some(history), ledger.config.clone()))
}

/// A ledger validated and analysed at one point in time.
pub struct Checked {
    pub state: LedgerState,
    pub findings: Vec<Finding>,
    /// "Now" of the analysis.
    pub now: Date,
}

/// Validates the ledger and runs the rules over its history: at `--rev` (now = that commit's
/// date), or the working tree on top of the history up to `HEAD` (now = today).
pub fn analyse(args: &CheckArgs, ledger: &LedgerRoot) -> Result<Checked> {
    let (state, history, config) = load_ledger(args, ledger)?;
    let today = || Date(chrono::Local::now().date_naive());
    let (timelines, now) = match (history, &args.rev) {
        (Some(history), Some(_)) => {
            let now = args.as_of.unwrap_or_else(|| history.now());
            (history.timelines, now)
        }
        (Some(history), None) => {
            let now = args.as_of.unwrap_or_else(today);
            (overlay(history.timelines, &state, now), now)
        }
        (None, _) => {
            let now = args.as_of.unwrap_or_else(today);
            (overlay(Vec::new(), &state, now), now)
        }
    };
    let timelines: Vec<Timeline> = match &ledger.only {
        Some(only) => timelines
            .into_iter()
            .filter(|t| t.last().is_some_and(|v| &v.path == only))
            .collect(),
        None => timelines,
    };
    let mut findings = analyse_timelines(&timelines, &state, &config, now);
    report::redact::redact(&mut findings, &timelines, &config.redact);
    Ok(Checked {
        state,
        findings,
        now,
    })
}

/// Runs the rules over timelines, resolving lines from the files' text at the analysed point.
pub fn analyse_timelines(
    timelines: &[Timeline],
    state: &LedgerState,
    config: &Config,
    now: Date,
) -> Vec<Finding> {
    let cx = Context {
        now,
        settings: &config.rules,
        ladder: &config.ladder,
        vocabulary: &config.vocabulary,
    };
    let source = |file: &str| state.texts.get(file).cloned();
    signs::analyse(timelines, &cx, &source)
}

/// The history up to `HEAD` with the working tree as one more version where it differs:
/// uncommitted edits, new files, deleted files and files that no longer parse.
pub fn overlay(mut timelines: Vec<Timeline>, state: &LedgerState, now: Date) -> Vec<Timeline> {
    let commit = Arc::new(Commit {
        id: String::new(),
        // Evidence from the working tree shows its date alone.
        short: String::new(),
        author: String::new(),
        time: now
            .0
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp()),
        date: now,
        summary: "uncommitted changes".into(),
    });
    let mut seen = std::collections::HashSet::new();
    for snapshot in &state.snapshots {
        seen.insert(snapshot.id.clone());
        let version = Version {
            commit: Arc::clone(&commit),
            path: snapshot.path.clone(),
            content: Content::Valid {
                snapshot: Arc::new(snapshot.clone()),
            },
        };
        match timelines.iter_mut().find(|t| t.id == snapshot.id) {
            Some(timeline) if timeline.current() == Some(snapshot) => {}
            Some(timeline) => timeline.versions.push(version),
            None => timelines.push(Timeline {
                id: snapshot.id.clone(),
                versions: vec![version],
            }),
        }
    }
    for timeline in timelines
        .iter_mut()
        .filter(|t| t.is_present() && !seen.contains(&t.id))
    {
        let Some(path) = timeline.last().map(|v| v.path.clone()) else {
            continue;
        };
        let problems: Vec<_> = state
            .diagnostics
            .iter()
            .filter(|d| d.file == path)
            .cloned()
            .collect();
        let content = if problems.is_empty() {
            Content::Removed
        } else {
            Content::Invalid {
                diagnostics: Arc::new(problems),
            }
        };
        timeline.versions.push(Version {
            commit: Arc::clone(&commit),
            path,
            content,
        });
    }
    timelines.sort_by(|a, b| a.id.cmp(&b.id));
    timelines
}

pub fn run(args: &CheckArgs) -> Result<u8> {
    let ledger = open(&args.path)?;
    let checked = analyse(args, &ledger)?;
    let (state, findings) = (&checked.state, &checked.findings);
    let mut out = anstream::stdout().lock();
    match args.format {
        Format::Text => report::text::write_check(&mut out, state, findings)?,
        Format::Json => {
            let json = report::json::check(state, findings, checked.now);
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
