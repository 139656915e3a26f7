//! One partnership file as an editor holds it: its history up to `HEAD`, read once and kept,
//! and the buffer's text analysed as the version that would follow were it committed now. It
//! says what `rapport check FILE` says of a file on disk, for text that is not saved yet, and
//! reruns that one partnership's rules only.

use std::collections::HashMap;

use super::{LedgerRoot, Overlay};
use crate::error::Result;
use crate::history::{self, LedgerRepo, Quiet};
use crate::ledger::load::{self, LedgerState};
use crate::ledger::{Date, Diagnostic, Snapshot, Timeline, body, parse};
use crate::signs::Finding;

/// A ledger opened for its buffers: its configuration, its repository, and the history of each
/// file analysed so far.
pub struct Buffers {
    ledger: LedgerRoot,
    repo: Option<LedgerRepo>,
    /// By file (relative to the ledger root): the partnership it was read for and its
    /// timeline up to `HEAD` (no versions for a file not committed yet).
    kept: HashMap<String, Timeline>,
    /// The commit the kept histories end at: when `HEAD` moves (a commit, a checkout), they
    /// are read again.
    head: Option<String>,
    reads: usize,
}

/// What a buffer holds, as `check` would say it, and the partnership's findings if the buffer
/// were committed now.
pub struct BufferAnalysis {
    /// Errors: the file is invalid while there is one.
    pub diagnostics: Vec<Diagnostic>,
    /// Parts written in a form rapport does not read (also those of an invalid file's body,
    /// which `check` shows once the front matter is fixed).
    pub warnings: Vec<Diagnostic>,
    /// The buffer parsed, when valid.
    pub snapshot: Option<Snapshot>,
    /// The partnership's findings, redacted, pointed at the buffer's lines.
    pub findings: Vec<Finding>,
    pub now: Date,
}

impl Buffers {
    /// Opens the ledger rooted at `ledger.root` (its repository, read-only), for any of its
    /// partnership files.
    pub fn open(mut ledger: LedgerRoot) -> Result<Buffers> {
        ledger.only = None;
        ledger.skipped.clear();
        let repo = super::root::open_working_tree(&ledger)?;
        Ok(Buffers {
            ledger,
            repo,
            kept: HashMap::new(),
            head: None,
            reads: 0,
        })
    }

    pub fn ledger(&self) -> &LedgerRoot {
        &self.ledger
    }

    /// How many times a history was read from git (once per file, unless its id changes).
    pub fn history_reads(&self) -> usize {
        self.reads
    }

    /// Analyses `text` as the content of `path` (relative to the ledger root) as of `now`.
    pub fn analyse(&mut self, path: &str, text: &str, now: Date) -> Result<BufferAnalysis> {
        let config = self.ledger.config.clone();
        let files = vec![(path.to_string(), text.as_bytes().to_vec())];
        let mut state = load::load(&files, &config.ladder);
        let unknown = super::unknown_acknowledged_rules(&state);
        super::add_validation_errors(&mut state, unknown);
        let mut warnings = state.warnings.clone();
        if state.snapshots.is_empty() {
            warnings.extend(body_warnings(path, text));
        }
        let timeline = self.timeline(path, &state)?;
        let overlay = Overlay::new(&state, now);
        let timeline = overlay.onto(timeline);
        let source = |file: &str| (file == path).then(|| text.to_string());
        let mut only = self.ledger.clone();
        only.only = Some(vec![path.to_string()]);
        let (findings, _) =
            super::findings_of(&only, timeline, &config, now, &source, false, false);
        Ok(BufferAnalysis {
            diagnostics: state.diagnostics,
            warnings,
            snapshot: state.snapshots.into_iter().next(),
            findings,
            now,
        })
    }

    /// The history of `path` up to `HEAD`: kept from an earlier call unless the buffer now
    /// names another partnership, else read (only that file's history, following a move when
    /// the file is not committed under this name).
    fn timeline(&mut self, path: &str, state: &LedgerState) -> Result<Timeline> {
        let id = state.snapshots.first().map(|s| s.id.clone());
        let head = match &self.repo {
            Some(repo) if !repo.is_unborn() => Some(repo.resolve("HEAD")?.id().to_string()),
            _ => None,
        };
        if head != self.head {
            self.kept.clear();
            self.head = head.clone();
        }
        if let Some(kept) = self.kept.get(path)
            && id.as_ref().is_none_or(|id| *id == kept.id)
        {
            return Ok(kept.clone());
        }
        let fallback = id.clone().unwrap_or_else(|| parse::default_id(path));
        let empty = Timeline {
            id: fallback,
            versions: Vec::new(),
            ..Default::default()
        };
        let Some(repo) = self.repo.as_ref().filter(|_| head.is_some()) else {
            return Ok(empty);
        };
        let ladder = &self.ledger.config.ladder;
        let paths = super::committed_paths(repo, "HEAD", &[path.to_string()], state, ladder)?;
        self.reads += 1;
        let timeline = if paths.is_empty() {
            empty
        } else {
            let history = history::timelines_of(repo, "HEAD", &paths, ladder, &Quiet)?;
            let found = history.timelines.into_iter().find(|t| match &id {
                Some(id) => t.id == *id,
                None => t.last().is_some_and(|v| v.path == path),
            });
            found.unwrap_or(empty)
        };
        self.kept.insert(path.to_string(), timeline.clone());
        Ok(timeline)
    }
}

/// The warnings of a body whose front matter is invalid: `check` names them once the front
/// matter is fixed; an editor shows them now.
fn body_warnings(path: &str, text: &str) -> Vec<Diagnostic> {
    let Some(parts) = parse::split(text) else {
        return Vec::new();
    };
    let (_, problems) = body::parse_body(parts.body, parts.body_line);
    problems
        .into_iter()
        .filter(|p| p.warning)
        .map(|p| {
            Diagnostic::at(
                path,
                text,
                (p.line, p.column),
                p.code,
                p.message,
                Some(p.help),
            )
        })
        .collect()
}
