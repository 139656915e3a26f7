//! History: every version of every partnership file, read from git. This stage owns the
//! repository (opening, revisions, the walk) and hands `ledger` types to the stages after it:
//! a [`History`] is a set of [`Timeline`]s up to one commit.

mod repo;
mod timelines;
mod walk;

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::ledger::parse::default_id;
use crate::ledger::{Commit, Date, Ladder, ParseCache, Timeline};

pub use repo::{LedgerRepo, is_inside_repository};

/// Progress of a long step, reported by the stage and drawn (or not) by the command.
pub trait Progress: Sync {
    fn begin(&self, _step: &'static str, _total: u64) {}
    fn advance(&self, _done: u64) {}
    fn finish(&self) {}
}

/// No progress shown.
pub struct Quiet;

impl Progress for Quiet {}

/// Every partnership's timeline up to one commit.
#[derive(Clone, Debug)]
pub struct History {
    /// The commit analysed; its date is "now" for the analysis.
    pub head: Arc<Commit>,
    /// One timeline per partnership, ordered by id.
    pub timelines: Vec<Timeline>,
}

impl History {
    pub fn timeline(&self, id: &str) -> Option<&Timeline> {
        self.timelines
            .binary_search_by(|t| t.id.as_str().cmp(id))
            .ok()
            .and_then(|i| self.timelines.get(i))
    }

    /// "Now" for an analysis of this history: the date of the commit analysed.
    pub fn now(&self) -> Date {
        self.head.date
    }
}

/// Every version of every partnership, from the first commit up to `rev`.
pub fn timelines(
    ledger: &LedgerRepo,
    rev: &str,
    ladder: &Ladder,
    progress: &dyn Progress,
) -> Result<History> {
    let tip = ledger.resolve(rev)?;
    let head = repo::shared_info(&tip);
    let cache = ParseCache::new(ladder.clone());
    let walk = walk::walk_all(
        ledger,
        tip.id(),
        &walk::Reader::new(ledger, &cache),
        progress,
    )?;
    let timelines = timelines::assemble(ledger, walk, &cache)?;
    Ok(History { head, timelines })
}

/// One partnership's timeline up to `rev`, with the commit analysed. Reads only that file's
/// history when the partnership exists at `rev`; otherwise (deleted before `rev`) the whole
/// ledger's.
pub fn timeline(
    ledger: &LedgerRepo,
    rev: &str,
    id: &str,
    ladder: &Ladder,
    progress: &dyn Progress,
) -> Result<(Arc<Commit>, Timeline)> {
    let tip = ledger.resolve(rev)?;
    let head = repo::shared_info(&tip);
    let cache = ParseCache::new(ladder.clone());
    let entries = ledger.entries(&tip.tree()?)?;
    if let Some(path) = find_file(ledger, &entries, id, &cache)? {
        let reader = walk::Reader::new(ledger, &cache);
        let walk = walk::follow(ledger, tip.id(), &path, &reader, progress)?;
        if !walk::moves_unpaired(ledger, &walk)? {
            let found = timelines::assemble(ledger, walk, &cache)?;
            if let Some(timeline) = found.into_iter().find(|t| t.id == id) {
                return Ok((head, timeline));
            }
        }
    }
    let history = timelines(ledger, rev, ladder, progress)?;
    if history.timelines.is_empty() {
        return Err(Error::EmptyHistory(format!(
            "no commit up to {rev} changed a partnership file under {}",
            ledger.folders.join(", ")
        )));
    }
    let suggestion =
        crate::ledger::yaml::closest(id, history.timelines.iter().map(|t| t.id.as_str()))
            .map(str::to_string);
    match history.timelines.into_iter().find(|t| t.id == id) {
        Some(timeline) => Ok((head, timeline)),
        None => Err(Error::UnknownPartnership {
            id: id.to_string(),
            rev: rev.to_string(),
            suggestion,
        }),
    }
}

/// The file holding partnership `id` at the tip: a file named after the id, else one whose
/// front matter sets it.
fn find_file(
    ledger: &LedgerRepo,
    entries: &[(String, git2::Oid)],
    id: &str,
    cache: &ParseCache,
) -> Result<Option<String>> {
    let read_id = |path: &str, oid: git2::Oid| -> Result<Option<String>> {
        let blob = ledger.repo.find_blob(oid)?;
        Ok(cache
            .parse(ledger.ledger_path(path), blob.content())
            .ok()
            .map(|s| s.id))
    };
    for (path, oid) in entries {
        if default_id(path) == id {
            match read_id(path, *oid)? {
                Some(found) if found != id => continue,
                _ => return Ok(Some(path.clone())),
            }
        }
    }
    let needle = format!("id: {id}");
    for (path, oid) in entries {
        let blob = ledger.repo.find_blob(*oid)?;
        let mentions = std::str::from_utf8(blob.content()).is_ok_and(|t| t.contains(&needle));
        if mentions && read_id(path, *oid)?.as_deref() == Some(id) {
            return Ok(Some(path.clone()));
        }
    }
    Ok(None)
}
