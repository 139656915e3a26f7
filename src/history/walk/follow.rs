//! The one-file follow: a file's states resolved in each listed commit through folders
//! remembered by id, back through renames (like `git log --follow`), for one file or several at
//! once; and when a file's history needs the whole walk instead.

use std::collections::HashMap;
use std::sync::Arc;

use git2::{ObjectType, Oid};
use rayon::prelude::*;

use super::super::Progress;
use super::super::objects::Objects;
use super::super::repo::LedgerRepo;
use super::renames::moved_from;
use super::trees::{Trees, differences};
use super::*;
use crate::error::{Error, Result};
use crate::ledger::{Commit, Content};

/// The history of the one file at `path` at the listing's tip, followed back through renames,
/// deletions and re-adds (like `git log --follow`), without looking at the rest of the ledger.
/// The commits are taken in the listing's order, the whole walk's, so the two agree whatever
/// the commits' dates say.
pub(crate) fn follow_listed(
    ledger: &LedgerRepo,
    listed: &[Listed],
    path: &str,
    reader: &Reader<'_>,
    progress: &dyn Progress,
) -> Result<Walk> {
    let found = follow_found(ledger, listed, path, reader, progress)?;
    Ok(walk_from_found(found, reader.take()))
}

/// A file's states children first ([`FileState`]), before
/// they become a walk.
type Found = Vec<FileState>;

/// A followed file's state in a commit that changed it: the commit, the file's path there
/// (relative to the repository's top), its blob (`None`: absent), and its state at the commit's
/// first parent.
struct FileState {
    commit: Arc<Commit>,
    path: String,
    blob: Option<Oid>,
    was: Was,
}

/// The states of the file at `path` in the listed commits (children first), following renames.
fn follow_found(
    ledger: &LedgerRepo,
    listed: &[Listed],
    path: &str,
    reader: &Reader<'_>,
    progress: &dyn Progress,
) -> Result<Found> {
    progress.begin("reading history", listed.len() as u64);
    let git_dir = ledger.git_dir();
    let mut found: Found = Vec::new();
    let mut path = path.to_string();
    let mut rest: &[Listed] = listed;
    // Each pass reads the commits left for one path, on all cores; a rename starts a pass for
    // the old path over the older commits.
    'passes: while !rest.is_empty() {
        let tracked = path.clone();
        let parts: Vec<&str> = tracked.split('/').collect();
        let changes = in_runs(&git_dir, rest, progress, |objects, memo: &mut Memo, one| {
            file_change(objects, reader, memo, one, &tracked, &parts)
        })?;
        for (i, change) in changes.into_iter().enumerate() {
            let Some(changed) = change else {
                continue;
            };
            let Changed {
                info,
                state,
                from: renamed_from,
                was,
            } = *changed;
            found.push(FileState {
                commit: info,
                path: path.clone(),
                blob: state,
                was,
            });
            if let Some(old) = renamed_from {
                path = old;
                rest = rest.get(i + 1..).unwrap_or_default();
                continue 'passes;
            }
        }
        break;
    }
    progress.finish();
    Ok(found)
}

/// A walk from a file's states (children first): each state that differs from the one before
/// it.
fn walk_from_found(found: Found, parsed: HashMap<(Oid, String), Content>) -> Walk {
    let mut walk = Walk {
        parsed,
        ..Walk::default()
    };
    let mut last: Option<(String, Option<Oid>)> = None;
    for FileState {
        commit,
        path,
        blob: state,
        was,
    } in found.into_iter().rev()
    {
        let news = match (&last, state) {
            (None, None) | (Some((_, None)), None) => false,
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
            was,
        });
        last = Some((path, state));
    }
    walk
}

/// [`follow_listed`] for several files (sorted paths relative to the repository's top) in one
/// pass over the listing: each worker takes a run of commits with one handle on the repository,
/// and resolves every path in a commit's tree in one descent, so the folders the paths share are
/// read once, not once per path. A path moved in a commit continues, for the older commits, with
/// a pass of its own.
pub(crate) fn follow_listed_many(
    ledger: &LedgerRepo,
    listed: &[Listed],
    paths: &[String],
    reader: &Reader<'_>,
    progress: &dyn Progress,
) -> Result<Vec<Walk>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    progress.begin("reading history", listed.len() as u64);
    let git_dir = ledger.git_dir();
    let parts: Vec<Vec<&str>> = paths.iter().map(|p| p.split('/').collect()).collect();
    let all: Vec<usize> = (0..paths.len()).collect();
    let per_commit: Vec<Vec<Change>> = in_runs(
        &git_dir,
        listed,
        progress,
        |objects, memo: &mut GroupMemo, one| {
            files_change(objects, reader, memo, one, paths, &parts, &all)
        },
    )?;
    progress.finish();
    let mut founds = Vec::with_capacity(paths.len());
    for (k, start) in paths.iter().enumerate() {
        let mut found: Found = Vec::new();
        for (i, changes) in per_commit.iter().enumerate() {
            let Some(Changed {
                info,
                state,
                from,
                was,
            }) = changes.get(k).cloned().flatten().map(|c| *c)
            else {
                continue;
            };
            found.push(FileState {
                commit: info,
                path: start.clone(),
                blob: state,
                was,
            });
            if let Some(old) = from {
                let older = listed.get(i + 1..).unwrap_or_default();
                found.extend(follow_found(ledger, older, &old, reader, progress)?);
                break;
            }
        }
        founds.push(found);
    }
    let parsed = reader.take();
    Ok(founds
        .into_iter()
        .map(|found| walk_from_found(found, parsed.clone()))
        .collect())
}

/// How many commits a reader takes in a row. Its packs are unmapped after each run, so the pages
/// a run touched do not stay resident: the pull-request report peaked at 65 MB with runs of
/// 2,500 commits, 51 MB with 512 and 48 MB with 256 on the benchmark's ledger, 70 MB with 512 and
/// 64 MB with 256 on its 250-partnership ledger, in the same time (runs of 128 took a quarter
/// longer).
const RUN: usize = 256;

/// `each` applied to every listed commit on all cores, the results in the listing's order.
/// Each run of [`RUN`] commits is read with a reader and a memo of its own, oldest commit first:
/// the pack cache then holds what the next tree read needs far more often (the pull-request
/// report on the benchmark's ledger: 0.69 s newest first, 0.33 s oldest first, through
/// [`Objects`]; through libgit2, either way, 0.47–0.63 s).
fn in_runs<T: Send, M: Default>(
    git_dir: &std::path::Path,
    listed: &[Listed],
    progress: &dyn Progress,
    each: impl Fn(&mut Objects<'_>, &mut M, &Listed) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let runs = listed
        .par_chunks(RUN)
        .map(|run| -> Result<Vec<T>> {
            let mut objects = Objects::new(git_dir);
            let mut memo = M::default();
            let mut out = Vec::with_capacity(run.len());
            for one in run.iter().rev() {
                out.push(each(&mut objects, &mut memo, one)?);
                progress.advance(1);
            }
            out.reverse();
            Ok(out)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(runs.into_iter().flatten().collect())
}

/// What one commit did to one followed file, if anything. Boxed: there is one per listed
/// commit, and most commits leave the file alone.
type Change = Option<Box<Changed>>;

/// A followed file's state at a commit that changed it, the path it moved from, and its state
/// at the first parent.
#[derive(Clone)]
struct Changed {
    info: Arc<Commit>,
    state: Option<Oid>,
    from: Option<String>,
    was: Was,
}

/// Whether the followed file appeared (first, or again after a deletion) in a commit that
/// deleted another partnership file, or disappeared in one that added another: a move git did
/// not pair as a rename (the text changed too much), which only the whole walk, grouping paths
/// by id, can follow.
pub(crate) fn moves_unpaired(ledger: &LedgerRepo, walk: &Walk) -> Result<bool> {
    let mut before: Option<Oid> = None;
    for touch in &walk.touches {
        let (appeared, vanished) = (
            before.is_none() && touch.blob.is_some(),
            before.is_some() && touch.blob.is_none(),
        );
        before = touch.blob;
        if !appeared && !vanished {
            continue;
        }
        let Some(info) = walk.commits.get(touch.commit) else {
            continue;
        };
        let commit = ledger.repo.find_commit(Oid::from_str(&info.id)?)?;
        let Ok(parent) = commit.parent(0) else {
            continue;
        };
        let other = differences(
            &mut &ledger.repo,
            &ledger.folders,
            Some(parent.tree_id()),
            commit.tree_id(),
        )?
        .into_iter()
        .filter(|d| d.path != touch.path)
        .any(|d| {
            if appeared {
                d.old.is_some() && d.new.is_none()
            } else {
                d.old.is_none() && d.new.is_some()
            }
        });
        if other {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether a commit changed the file at `path` relative to any parent: its state there, the
/// path it was moved from if the commit moved it, and its state at the first parent.
fn file_change(
    objects: &mut Objects<'_>,
    reader: &Reader<'_>,
    memo: &mut Memo,
    listed: &Listed,
    path: &str,
    parts: &[&str],
) -> Result<Change> {
    let state = resolve(objects, memo, listed.tree, parts)?;
    let mut parents = Vec::with_capacity(1);
    for tree in &listed.parents {
        parents.push(resolve(objects, memo, *tree, parts)?);
    }
    let changed = match parents.as_slice() {
        [] => state.is_some(),
        all => all.iter().any(|p| *p != state),
    };
    if !changed {
        return Ok(None);
    }
    let mut from = None;
    let mut was: Was = parents.first().map(|p| (path.to_string(), *p));
    if state.is_some() && parents.first() == Some(&None) {
        let repo = objects.git2()?;
        let commit = repo.find_commit(listed.commit)?;
        (from, was) = moved_from(repo, reader, &commit, path, was)?;
    }
    if let Some(blob) = state {
        reader.read(objects, blob, path)?;
    }
    Ok(Some(Box::new(Changed {
        info: listed.info(|| objects.git2())?,
        state,
        from,
        was,
    })))
}

/// What a tree (at a depth of the path) holds at the rest of the path, remembered: most
/// commits share most folders with their parent, so each folder is read once.
type Memo = foldhash::HashMap<(Oid, usize), Option<Oid>>;

fn resolve(
    objects: &mut Objects<'_>,
    memo: &mut Memo,
    tree: Oid,
    parts: &[&str],
) -> Result<Option<Oid>> {
    if parts.len() > MAX_DEPTH + 1 {
        return Err(Error::too_deep(&parts.join("/"), MAX_DEPTH));
    }
    resolve_at(objects, memo, tree, parts, 0)
}

fn resolve_at(
    objects: &mut Objects<'_>,
    memo: &mut Memo,
    tree: Oid,
    parts: &[&str],
    depth: usize,
) -> Result<Option<Oid>> {
    if let Some(found) = memo.get(&(tree, depth)) {
        return Ok(*found);
    }
    let Some(name) = parts.get(depth) else {
        return Ok(None);
    };
    let entry = objects.entries(tree)?.get(name.as_bytes());
    let found = match entry {
        Some((id, Some(ObjectType::Blob), true)) if depth + 1 == parts.len() => Some(id),
        Some((id, Some(ObjectType::Tree), _)) if depth + 1 < parts.len() => {
            resolve_at(objects, memo, id, parts, depth + 1)?
        }
        _ => None,
    };
    if memo.len() > 200_000 {
        memo.clear();
    }
    memo.insert((tree, depth), found);
    Ok(found)
}

/// What trees hold at several paths at once, remembered by (tree, depth, first path of the
/// group): the paths of a group share their first `depth` components.
type GroupMemo = foldhash::HashMap<(Oid, usize, usize), Arc<[Option<Oid>]>>;

/// What `tree` holds at each path of `group` (indices into `parts`, sorted, sharing the first
/// `depth` components), reading each tree once for all of them.
fn resolve_group(
    objects: &mut Objects<'_>,
    memo: &mut GroupMemo,
    tree: Oid,
    parts: &[Vec<&str>],
    depth: usize,
    group: &[usize],
) -> Result<Arc<[Option<Oid>]>> {
    let Some(&first) = group.first() else {
        return Ok(Arc::from(Vec::new()));
    };
    let key = (tree, depth, first);
    if let Some(found) = memo.get(&key) {
        return Ok(Arc::clone(found));
    }
    let mut found = vec![None; group.len()];
    let object = objects.entries(tree)?;
    let name_of = |k: usize| parts.get(k).and_then(|p| p.get(depth)).copied();
    let mut i = 0;
    while i < group.len() {
        let name = name_of(group[i]);
        let mut j = i + 1;
        while j < group.len() && name_of(group[j]) == name {
            j += 1;
        }
        let entry = name.and_then(|n| object.get(n.as_bytes()));
        if let Some((id, kind, regular)) = entry {
            let last = |k: &usize| parts.get(*k).is_some_and(|p| p.len() == depth + 1);
            let mut deeper = Vec::new();
            for (n, k) in group[i..j].iter().enumerate() {
                if last(k) {
                    if kind == Some(ObjectType::Blob) && regular {
                        found[i + n] = Some(id);
                    }
                } else {
                    deeper.push((i + n, *k));
                }
            }
            if !deeper.is_empty() && kind == Some(ObjectType::Tree) {
                let indices: Vec<usize> = deeper.iter().map(|(_, k)| *k).collect();
                let below = resolve_group(objects, memo, id, parts, depth + 1, &indices)?;
                for ((slot, _), value) in deeper.iter().zip(below.iter()) {
                    found[*slot] = *value;
                }
            }
        }
        i = j;
    }
    if memo.len() > 200_000 {
        memo.clear();
    }
    let found: Arc<[Option<Oid>]> = found.into();
    memo.insert(key, Arc::clone(&found));
    Ok(found)
}

/// [`file_change`] for several paths of one commit, resolved together.
fn files_change(
    objects: &mut Objects<'_>,
    reader: &Reader<'_>,
    memo: &mut GroupMemo,
    listed: &Listed,
    paths: &[String],
    parts: &[Vec<&str>],
    all: &[usize],
) -> Result<Vec<Change>> {
    if let Some(deep) = parts.iter().find(|p| p.len() > MAX_DEPTH + 1) {
        return Err(Error::too_deep(&deep.join("/"), MAX_DEPTH));
    }
    let state = resolve_group(objects, memo, listed.tree, parts, 0, all)?;
    let parents = listed
        .parents
        .iter()
        .map(|tree| resolve_group(objects, memo, *tree, parts, 0, all))
        .collect::<Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(all.len());
    for (n, path) in paths.iter().enumerate() {
        let now = state.get(n).copied().flatten();
        let changed = match parents.as_slice() {
            [] => now.is_some(),
            all => all.iter().any(|p| p.get(n).copied().flatten() != now),
        };
        if !changed {
            out.push(None);
            continue;
        }
        let mut from = None;
        let at_first = parents.first().map(|p| p.get(n).copied().flatten());
        let mut was: Was = at_first.map(|p| (path.clone(), p));
        if now.is_some() && at_first == Some(None) {
            let repo = objects.git2()?;
            let commit = repo.find_commit(listed.commit)?;
            (from, was) = moved_from(repo, reader, &commit, path, was)?;
        }
        if let Some(blob) = now {
            reader.read(objects, blob, path)?;
        }
        out.push(Some(Box::new(Changed {
            info: listed.info(|| objects.git2())?,
            state: now,
            from,
            was,
        })));
    }
    Ok(out)
}
