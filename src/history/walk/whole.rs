//! The whole-ledger walk: every commit compared with its parents on every core, then the
//! changes replayed parents first into the touches of each chain of paths. Compares trees only:
//! no file version is read here.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use git2::{Oid, Repository, Tree};
use rayon::prelude::*;

use super::super::Progress;
use super::super::repo::{LedgerRepo, shared_info};
use super::renames::renames;
use super::trees::{Compared, Difference, compare, differences};
use super::*;
use crate::error::Result;
use crate::ledger::Commit;

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
        was: Was,
    },
    Delete {
        path: String,
        was: Was,
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
            Event::Set {
                path,
                blob,
                from,
                was,
            } => {
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
                    was,
                })
            }
            Event::Delete { path, was } => {
                let (_, lineage) = self.current.remove(&path)?;
                self.ended.insert(path.clone(), lineage);
                Some(Touch {
                    commit,
                    path,
                    blob: None,
                    lineage,
                    was,
                })
            }
        }
    }
}

/// Runs `step` on every commit, on all cores, each worker with its own handle on the
/// repository (a handle cannot be shared between threads); results in the order of `oids`.
fn per_commit<T: Send>(
    git_dir: &Path,
    oids: &[Oid],
    progress: &dyn Progress,
    step: impl Fn(&Repository, &git2::Commit<'_>) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    oids.par_iter()
        .with_min_len(64)
        .map_init(
            || Repository::open(git_dir),
            |repo, oid| {
                let repo = repo.as_ref().map_err(copy_error)?;
                let commit = repo.find_commit(*oid)?;
                let result = step(repo, &commit);
                progress.advance(1);
                result
            },
        )
        .collect()
}

/// What a commit did to partnership files, relative to its first parent (with renames) and,
/// for a merge, to its other parents.
fn commit_events(
    repo: &Repository,
    folders: &Selection,
    commit: &git2::Commit<'_>,
) -> Result<Option<(Arc<Commit>, Vec<Event>)>> {
    let tree = commit.tree()?;
    let parents: Vec<Tree<'_>> = commit
        .parents()
        .map(|p| p.tree())
        .collect::<Result<_, _>>()?;
    let Compared {
        differences: first,
        added_or_deleted,
        ..
    } = compare(repo, folders, parents.first(), &tree)?;
    let has_parent = !parents.is_empty();
    // `first` is sorted by path.
    let in_first = |path: &str| first.binary_search_by(|d| d.path.as_str().cmp(path)).ok();
    let at_first_parent = |path: &str| -> Was {
        let old = in_first(path).and_then(|i| first[i].old);
        has_parent.then(|| (path.to_string(), old))
    };
    let mut events = Vec::new();
    let added = first.iter().any(|d| d.old.is_none());
    let deleted = first.iter().any(|d| d.new.is_none());
    let renames = if added && deleted {
        renames(repo, folders, &added_or_deleted, parents.first(), &tree)?
    } else {
        Vec::new()
    };
    for Difference { path, old, new } in &first {
        let path = path.clone();
        match new {
            Some(blob) => {
                let from = renames
                    .iter()
                    .find(|(_, to)| *to == path)
                    .map(|(from, _)| from.clone());
                let was = match &from {
                    Some(from) => at_first_parent(from),
                    None => has_parent.then(|| (path.clone(), *old)),
                };
                events.push(Event::Set {
                    path,
                    blob: *blob,
                    from,
                    was,
                });
            }
            None if renames.iter().any(|(from, _)| *from == path) => {}
            None => {
                let was = has_parent.then(|| (path.clone(), *old));
                events.push(Event::Delete { path, was });
            }
        }
    }
    for parent in parents.iter().skip(1) {
        for Difference { path, new, .. } in differences(repo, folders, Some(parent), &tree)? {
            // The state the first parent has: the merge's own, unless the first parent's
            // differences (above) say otherwise.
            let was = if in_first(&path).is_some() {
                at_first_parent(&path)
            } else {
                Some((path.clone(), new))
            };
            events.push(match new {
                Some(blob) => Event::Set {
                    path,
                    blob,
                    from: None,
                    was,
                },
                None => Event::Delete { path, was },
            });
        }
    }
    if events.is_empty() {
        return Ok(None);
    }
    Ok(Some((shared_info(commit), events)))
}

/// Every change to every partnership file in the listed commits (children first, as
/// [`list_children_first`] lists them), taken parents first. Compares trees only: no file
/// version is read, so what it holds grows with the number of versions, not their size.
pub(crate) fn walk_all(
    ledger: &LedgerRepo,
    listed: &[Listed],
    progress: &dyn Progress,
) -> Result<Walk> {
    let oids: Vec<Oid> = listed.iter().rev().map(|l| l.commit).collect();
    progress.begin("reading history", oids.len() as u64);
    let folders = &ledger.folders;
    let found = per_commit(&ledger.git_dir(), &oids, progress, |repo, commit| {
        commit_events(repo, folders, commit)
    })?;
    progress.finish();
    let mut state = State::default();
    let mut walk = Walk::default();
    for (info, events) in found.into_iter().flatten() {
        let index = walk.commits.len();
        let before = walk.touches.len();
        for event in events {
            if let Some(touch) = state.apply(event, index) {
                walk.touches.push(touch);
            }
        }
        if walk.touches.len() > before {
            walk.commits.push(info);
        }
    }
    Ok(walk)
}
