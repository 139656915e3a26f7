//! The whole-ledger walk: every commit compared with its parents on every core, then the
//! changes replayed parents first into the touches of each chain of paths. Compares trees only:
//! no file version is read here.

use std::collections::HashMap;
use std::sync::Arc;

use git2::Oid;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::super::Progress;
use super::super::objects::Objects;
use super::super::repo::{LedgerRepo, shared_info};
use super::super::store::Store;
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

/// What a commit did to partnership files, relative to its first parent (with renames) and,
/// for a merge, to its other parents.
fn commit_events(
    objects: &mut Objects<'_>,
    folders: &Selection,
    commit: &Listed,
) -> Result<Vec<Event>> {
    let (tree, parents) = (commit.tree, &commit.parents);
    let Compared {
        differences: first,
        added_or_deleted,
        ..
    } = compare(objects, folders, parents.first().copied(), tree)?;
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
        let repo = objects.git2()?;
        let old = parents.first().map(|t| repo.find_tree(*t)).transpose()?;
        renames(
            repo,
            folders,
            &added_or_deleted,
            old.as_ref(),
            &repo.find_tree(tree)?,
        )?
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
        for Difference { path, new, .. } in differences(objects, folders, Some(*parent), tree)? {
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
    Ok(events)
}

/// What [`Store::keep_fact`] keeps a commit's events under, with the encoding's version and
/// the selection they were found with.
fn walked(folders: &Selection) -> String {
    format!("walked 1\0{}", folders.fingerprint())
}

/// An [`Event`] as kept between runs: the blob `None` for a deletion.
#[derive(Serialize, Deserialize)]
struct KeptEvent {
    path: String,
    blob: Option<String>,
    from: Option<String>,
    was: Option<(String, Option<String>)>,
}

fn keep(events: &[Event]) -> Option<Vec<u8>> {
    let was = |was: &Was| {
        was.as_ref()
            .map(|(path, blob)| (path.clone(), blob.map(|b| b.to_string())))
    };
    let kept: Vec<KeptEvent> = events
        .iter()
        .map(|event| match event {
            Event::Set {
                path,
                blob,
                from,
                was: w,
            } => KeptEvent {
                path: path.clone(),
                blob: Some(blob.to_string()),
                from: from.clone(),
                was: was(w),
            },
            Event::Delete { path, was: w } => KeptEvent {
                path: path.clone(),
                blob: None,
                from: None,
                was: was(w),
            },
        })
        .collect();
    serde_json::to_vec(&kept).ok()
}

fn kept(body: &[u8]) -> Option<Vec<Event>> {
    let kept: Vec<KeptEvent> = serde_json::from_slice(body).ok()?;
    let oid = |hex: &str| Oid::from_str(hex).ok();
    kept.into_iter()
        .map(|k| {
            let was = match k.was {
                Some((path, Some(blob))) => Some((path, Some(oid(&blob)?))),
                Some((path, None)) => Some((path, None)),
                None => None,
            };
            Some(match k.blob {
                Some(blob) => Event::Set {
                    path: k.path,
                    blob: oid(&blob)?,
                    from: k.from,
                    was,
                },
                None => Event::Delete { path: k.path, was },
            })
        })
        .collect()
}

/// Every change to every partnership file in the listed commits (children first, as
/// [`list_children_first`] lists them), taken parents first. Compares trees only: no file
/// version is read, so what it holds grows with the number of versions, not their size. What a
/// commit changed is kept in `store` for later runs, and taken from it when an earlier run
/// kept it: a commit id fixes its trees and its parents' for good.
pub(crate) fn walk_all(
    ledger: &LedgerRepo,
    listed: &[Listed],
    store: Option<&Store>,
    progress: &dyn Progress,
) -> Result<Walk> {
    progress.begin("reading history", listed.len() as u64);
    let folders = &ledger.folders;
    let what = walked(folders);
    let git_dir = ledger.git_dir();
    // Each commit's events, and its facts as a version shows them when it has events and the
    // listing does not hold them (read from the commit loaded for its trees).
    type Found = (Vec<Event>, Option<Arc<Commit>>);
    let found: Vec<Found> = listed
        .par_iter()
        .rev()
        .with_min_len(64)
        .map_init(
            || Objects::new(&git_dir),
            |objects, one| -> Result<Found> {
                let known = store.and_then(|s| s.fact(&what, one.commit));
                if let Some(events) = known.as_deref().and_then(kept) {
                    progress.advance(1);
                    return Ok((events, None));
                }
                let events = commit_events(objects, folders, one)?;
                if let Some(store) = store
                    && let Some(body) = keep(&events)
                {
                    store.keep_fact(&what, one.commit, &body);
                }
                let info = if !events.is_empty() && !one.holds_info() {
                    Some(shared_info(&objects.git2()?.find_commit(one.commit)?))
                } else {
                    None
                };
                progress.advance(1);
                Ok((events, info))
            },
        )
        .collect::<Result<_>>()?;
    progress.finish();
    let mut state = State::default();
    let mut walk = Walk::default();
    for (one, (events, info)) in listed.iter().rev().zip(found) {
        let index = walk.commits.len();
        let before = walk.touches.len();
        for event in events {
            if let Some(touch) = state.apply(event, index) {
                walk.touches.push(touch);
            }
        }
        if walk.touches.len() > before {
            walk.commits.push(match info {
                Some(info) => info,
                None => one.info(|| Ok(&ledger.repo))?,
            });
        }
    }
    Ok(walk)
}
