//! The walk: which commits changed which partnership files, oldest first. Each commit is diffed
//! against its first parent within the ledger folders (renames detected), and a merge also
//! against its other parents, so the state a merge leaves is seen; a file state already recorded
//! on the way (a change that arrives through a merge) is not recorded twice.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use git2::{Delta, DiffFindOptions, DiffOptions, ObjectType, Oid, Sort, Tree};

use super::Progress;
use super::repo::{LedgerRepo, shared_info};
use crate::error::Result;
use crate::ledger::Commit;

/// One recorded state of one file: its content (`None` when deleted) at a commit.
#[derive(Clone, Debug)]
pub(crate) struct Touch {
    /// Index into [`Walk::commits`].
    pub commit: usize,
    /// The path relative to the repository's top.
    pub path: String,
    pub blob: Option<Oid>,
    /// Which chain of paths (followed through renames, deletions and re-adds) it belongs to.
    pub lineage: usize,
}

/// The commits that changed partnership files, oldest first, and what each changed.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    pub commits: Vec<Arc<Commit>>,
    pub touches: Vec<Touch>,
}

/// Which file states have been recorded so far, in walk order.
#[derive(Default)]
struct State {
    current: HashMap<String, (Oid, usize)>,
    /// Paths deleted, with their lineage, so a re-add continues it.
    ended: HashMap<String, usize>,
    lineages: usize,
}

enum Event {
    Set {
        path: String,
        blob: Oid,
        from: Option<String>,
    },
    Delete {
        path: String,
    },
}

impl State {
    fn new_lineage(&mut self) -> usize {
        self.lineages += 1;
        self.lineages - 1
    }

    /// Applies what a commit did to one path; returns the touch to record, if it is news.
    fn apply(&mut self, event: Event, commit: usize) -> Option<Touch> {
        match event {
            Event::Set { path, blob, from } => {
                if self.current.get(&path).is_some_and(|(b, _)| *b == blob) {
                    return None;
                }
                let renamed = from.and_then(|old| self.current.remove(&old).map(|(_, l)| l));
                let lineage = match renamed.or_else(|| self.current.get(&path).map(|(_, l)| *l)) {
                    Some(lineage) => lineage,
                    None => match self.ended.remove(&path) {
                        Some(lineage) => lineage,
                        None => self.new_lineage(),
                    },
                };
                self.current.insert(path.clone(), (blob, lineage));
                Some(Touch {
                    commit,
                    path,
                    blob: Some(blob),
                    lineage,
                })
            }
            Event::Delete { path } => {
                let (_, lineage) = self.current.remove(&path)?;
                self.ended.insert(path.clone(), lineage);
                Some(Touch {
                    commit,
                    path,
                    blob: None,
                    lineage,
                })
            }
        }
    }
}

fn revwalk(ledger: &LedgerRepo, tip: Oid, oldest_first: bool) -> Result<Vec<Oid>> {
    let mut walk = ledger.repo.revwalk()?;
    let mut sort = Sort::TOPOLOGICAL | Sort::TIME;
    if oldest_first {
        sort |= Sort::REVERSE;
    }
    walk.set_sorting(sort)?;
    walk.push(tip)?;
    Ok(walk.collect::<Result<Vec<_>, _>>()?)
}

fn diff_options(ledger: &LedgerRepo) -> DiffOptions {
    let mut options = DiffOptions::new();
    if ledger.folders.iter().all(|f| !f.is_empty()) {
        for folder in &ledger.folders {
            options.pathspec(folder);
        }
    }
    options.skip_binary_check(true);
    options
}

/// Every change to every partnership file from the root commits to `tip`.
pub(crate) fn walk_all(ledger: &LedgerRepo, tip: Oid, progress: &dyn Progress) -> Result<Walk> {
    let repo = &ledger.repo;
    let oids = revwalk(ledger, tip, true)?;
    progress.begin("reading history", oids.len() as u64);
    let mut options = diff_options(ledger);
    let mut find = DiffFindOptions::new();
    find.renames(true);
    let mut state = State::default();
    let mut walk = Walk::default();
    for (n, oid) in oids.iter().enumerate() {
        if n % 256 == 0 {
            progress.advance(256.min(oids.len() - n) as u64);
        }
        let commit = repo.find_commit(*oid)?;
        let tree = commit.tree()?;
        let parents: Vec<Tree<'_>> = commit
            .parents()
            .map(|p| p.tree())
            .collect::<Result<_, _>>()?;
        let mut events = Vec::new();
        let mut diff = repo.diff_tree_to_tree(parents.first(), Some(&tree), Some(&mut options))?;
        let statuses: Vec<Delta> = diff.deltas().map(|d| d.status()).collect();
        if statuses.contains(&Delta::Added) && statuses.contains(&Delta::Deleted) {
            diff.find_similar(Some(&mut find))?;
        }
        for delta in diff.deltas() {
            events.extend(events_of(ledger, &delta, true));
        }
        for parent in parents.iter().skip(1) {
            let diff = repo.diff_tree_to_tree(Some(parent), Some(&tree), Some(&mut options))?;
            for delta in diff.deltas() {
                events.extend(events_of(ledger, &delta, false));
            }
        }
        if events.is_empty() {
            continue;
        }
        let index = walk.commits.len();
        let before = walk.touches.len();
        for event in events {
            if let Some(touch) = state.apply(event, index) {
                walk.touches.push(touch);
            }
        }
        if walk.touches.len() > before {
            walk.commits.push(shared_info(&commit));
        }
    }
    progress.finish();
    Ok(walk)
}

/// What a diff delta says about partnership files in the commit (the delta's new side).
fn events_of(ledger: &LedgerRepo, delta: &git2::DiffDelta<'_>, renames: bool) -> Vec<Event> {
    let path = |file: git2::DiffFile<'_>| {
        file.path()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .filter(|p| ledger.is_partnership(p))
    };
    let (old, new) = (path(delta.old_file()), path(delta.new_file()));
    let blob = delta.new_file().id();
    match delta.status() {
        Delta::Deleted => old.map(|path| Event::Delete { path }).into_iter().collect(),
        Delta::Renamed if renames => match (old, new) {
            (Some(old), Some(new)) => vec![Event::Set {
                path: new,
                blob,
                from: Some(old),
            }],
            (Some(old), None) => vec![Event::Delete { path: old }],
            (None, Some(new)) => vec![Event::Set {
                path: new,
                blob,
                from: None,
            }],
            (None, None) => Vec::new(),
        },
        Delta::Added
        | Delta::Modified
        | Delta::Typechange
        | Delta::Copied
        | Delta::Renamed
        | Delta::Unmodified => new
            .map(|path| Event::Set {
                path,
                blob,
                from: None,
            })
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The history of the one file at `path` in `tip`, followed back through renames, deletions
/// and re-adds (like `git log --follow`), without diffing the rest of the ledger.
pub(crate) fn follow(
    ledger: &LedgerRepo,
    tip: Oid,
    path: &str,
    progress: &dyn Progress,
) -> Result<Walk> {
    let repo = &ledger.repo;
    let oids = revwalk(ledger, tip, false)?;
    progress.begin("reading history", oids.len() as u64);
    let mut options = diff_options(ledger);
    let mut find = DiffFindOptions::new();
    find.renames(true);
    let mut path = path.to_string();
    // Newest first: (commit, path, state).
    let mut found: Vec<(Arc<Commit>, String, Option<Oid>)> = Vec::new();
    for (n, oid) in oids.iter().enumerate() {
        if n % 256 == 0 {
            progress.advance(256.min(oids.len() - n) as u64);
        }
        let commit = repo.find_commit(*oid)?;
        let tree = commit.tree()?;
        let parents: Vec<Tree<'_>> = commit
            .parents()
            .map(|p| p.tree())
            .collect::<Result<_, _>>()?;
        let changed = if parents.is_empty() {
            blob_at(&tree, &path)?.is_some()
        } else {
            let mut any = false;
            for parent in &parents {
                if differs(repo, &tree, parent, &path)? {
                    any = true;
                    break;
                }
            }
            any
        };
        if !changed {
            continue;
        }
        let state = blob_at(&tree, &path)?;
        found.push((shared_info(&commit), path.clone(), state));
        let Some(first) = parents.first() else {
            continue;
        };
        if state.is_some() && blob_at(first, &path)?.is_none() {
            let mut diff = repo.diff_tree_to_tree(Some(first), Some(&tree), Some(&mut options))?;
            diff.find_similar(Some(&mut find))?;
            let source = diff.deltas().find_map(|d| {
                let new = d.new_file().path()?.to_string_lossy().replace('\\', "/");
                let old = d.old_file().path()?.to_string_lossy().replace('\\', "/");
                (d.status() == Delta::Renamed && new == path && ledger.is_partnership(&old))
                    .then_some(old)
            });
            if let Some(old) = source {
                path = old;
            }
        }
    }
    progress.finish();
    let mut walk = Walk::default();
    let mut last: Option<(String, Option<Oid>)> = None;
    for (commit, path, state) in found.into_iter().rev() {
        let news = match (&last, state) {
            (None, None) => false,
            (Some((_, None)), None) => false,
            (Some((p, s)), state) => *p != path || *s != state,
            (None, Some(_)) => true,
        };
        if !news {
            continue;
        }
        walk.commits.push(commit);
        walk.touches.push(Touch {
            commit: walk.commits.len() - 1,
            path: path.clone(),
            blob: state,
            lineage: 0,
        });
        last = Some((path, state));
    }
    Ok(walk)
}

/// The blob at `path` in `tree`, if there is one.
pub(crate) fn blob_at(tree: &Tree<'_>, path: &str) -> Result<Option<Oid>> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) if entry.kind() == Some(ObjectType::Blob) => Ok(Some(entry.id())),
        Ok(_) => Ok(None),
        Err(error) if error.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Whether `path` differs between two trees, descending both together and stopping at the
/// first folder they share unchanged.
fn differs(repo: &git2::Repository, a: &Tree<'_>, b: &Tree<'_>, path: &str) -> Result<bool> {
    let mut parts = path.split('/').peekable();
    let (mut a, mut b) = (a.clone(), b.clone());
    while let Some(part) = parts.next() {
        let entry = |t: &Tree<'_>| t.get_name(part).map(|e| (e.id(), e.kind()));
        match (entry(&a), entry(&b)) {
            (None, None) => return Ok(false),
            (Some((ia, ka)), Some((ib, kb))) => {
                if ia == ib {
                    return Ok(false);
                }
                if parts.peek().is_none() {
                    return Ok(true);
                }
                match (ka, kb) {
                    (Some(ObjectType::Tree), Some(ObjectType::Tree)) => {
                        a = repo.find_tree(ia)?;
                        b = repo.find_tree(ib)?;
                    }
                    _ => return Ok(true),
                }
            }
            _ => return Ok(true),
        }
    }
    Ok(false)
}
