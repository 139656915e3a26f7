//! `rapport check [PATH]`: validate every partnership file and report what is wrong.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{CheckArgs, Format};
use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::history::{self, History, LedgerRepo};
use crate::ledger::load::{self, LedgerState};
use crate::report;

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

/// Reads and parses the ledger as it is in commit `rev`: its configuration and partnership files
/// come from that commit's tree.
pub fn load_revision(ledger: &LedgerRoot, rev: &str) -> Result<(LedgerState, History)> {
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
    Ok((state, history))
}

/// The ledger to check and, inside a repository, the history the rules read: at `--rev`, or
/// the working tree with history up to `HEAD` (none before the first commit).
pub fn load_ledger(
    args: &CheckArgs,
    ledger: &LedgerRoot,
) -> Result<(LedgerState, Option<History>)> {
    if let Some(rev) = &args.rev {
        let (state, history) = load_revision(ledger, rev)?;
        return Ok((state, Some(history)));
    }
    let state = load_working_tree(ledger);
    if !history::is_inside_repository(&ledger.root) {
        return Ok((state, None));
    }
    let repo = LedgerRepo::open(&ledger.root, &ledger.config.paths)?;
    if repo.is_unborn() {
        return Ok((state, None));
    }
    let history = history::timelines(
        &repo,
        "HEAD",
        &ledger.config.ladder,
        &report::progress::Bar::new(),
    )?;
    Ok((state, Some(history)))
}

pub fn run(args: &CheckArgs) -> Result<u8> {
    let ledger = open(&args.path)?;
    // The history is what the rules read; validation needs only the files.
    let (state, history) = load_ledger(args, &ledger)?;
    // Freeing every version of every partnership one by one takes longer than the process has
    // left to live; the system reclaims it at exit.
    std::mem::forget(history);
    let mut out = anstream::stdout().lock();
    match args.format {
        Format::Text => report::text::write_check(&mut out, &state)?,
        Format::Json => {
            let json = report::json::check(&state);
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
    }
    Ok(if state.diagnostics.is_empty() {
        crate::exit::CLEAN
    } else {
        crate::exit::INVALID
    })
}
