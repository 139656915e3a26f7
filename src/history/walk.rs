//! The walk: which commits changed which partnership files, oldest first. Each commit is compared
//! with its first parent within the ledger folders (renames detected), and a merge also with its
//! other parents, so the state a merge leaves is seen; a file state already recorded on the way
//! (a change that arrives through a merge) is not recorded twice.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use git2::{Delta, DiffFindOptions, DiffOptions, ObjectType, Oid, Repository, Sort, Tree};
use rayon::prelude::*;

use super::Progress;
use super::repo::{LedgerRepo, shared_info};
use crate::error::{Error, Result};
use crate::ledger::load::is_partnership_path;
use crate::ledger::{Commit, Content, ParseCache};

/// How many folders deep, from the repository's top, rapport reads a tree. git refuses trees
/// deeper than 4,096 levels (`core.maxTreeDepth`), but no ledger nests partnership files more
/// than a few folders down: a deeper tree is refused with an error rather than descended into
/// until the stack runs out.
pub(crate) const MAX_DEPTH: usize = 256;

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

/// The commits that changed partnership files, oldest first, what each changed, and the
/// parsed content of each file version (by blob and path relative to the ledger root).
#[derive(Debug, Default)]
pub(crate) struct Walk {
    pub commits: Vec<Arc<Commit>>,
    pub touches: Vec<Touch>,
    pub parsed: HashMap<(Oid, String), Content>,
}

/// Reads and parses file versions as the walk finds them, so parsing runs alongside the walk
/// on every core; each distinct version once.
pub(crate) struct Reader<'a> {
    pub folders: Vec<String>,
    /// The ledger root relative to the repository's top, `/`-terminated or empty.
    pub prefix: String,
    pub cache: &'a ParseCache,
    parsed: Mutex<HashMap<(Oid, String), Content>>,
}

impl<'a> Reader<'a> {
    pub fn new(ledger: &LedgerRepo, cache: &'a ParseCache) -> Reader<'a> {
        Reader {
            folders: ledger.folders.clone(),
            prefix: ledger.prefix().to_string(),
            cache,
            parsed: Mutex::default(),
        }
    }

    /// Parses the version of `path` (relative to the repository's top) in blob `oid`, unless
    /// it was parsed already.
    fn read(&self, repo: &Repository, oid: Oid, path: &str) -> Result<()> {
        let path = path.strip_prefix(&self.prefix).unwrap_or(path).to_string();
        let key = (oid, path);
        if self.lock().contains_key(&key) {
            return Ok(());
        }
        let blob = repo.find_blob(oid)?;
        let content = Content::from_parse(self.cache.parse(&key.1, blob.content()));
        self.lock().insert(key, content);
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Oid, String), Content>> {
        self.parsed.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self) -> HashMap<(Oid, String), Content> {
        std::mem::take(&mut *self.lock())
    }
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

/// Every commit reachable from `tip`, parents before children (topological order, ties by
/// time).
fn oldest_first(ledger: &LedgerRepo, tip: Oid) -> Result<Vec<Oid>> {
    let mut walk = ledger.repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME | Sort::REVERSE)?;
    walk.push(tip)?;
    Ok(walk.collect::<Result<Vec<_>, _>>()?)
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

fn copy_error(error: &git2::Error) -> Error {
    Error::Git(git2::Error::new(
        error.code(),
        error.class(),
        error.message(),
    ))
}

/// A partnership file that differs between two trees: `(path, old blob, new blob)`.
type Difference = (String, Option<Oid>, Option<Oid>);

/// The partnership files that differ between two commits' trees, found by descending only
/// into the ledger folders and only into subtrees that differ (an unchanged folder is one
/// comparison, whatever it holds).
fn differences(
    repo: &Repository,
    folders: &[String],
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> Result<Vec<Difference>> {
    let mut out = Vec::new();
    for folder in folders {
        let at = |tree: &Tree<'_>| -> Option<Oid> {
            if folder.is_empty() {
                return Some(tree.id());
            }
            tree.get_path(Path::new(folder))
                .ok()
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .map(|e| e.id())
        };
        let base = if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        };
        let depth = base.matches('/').count();
        descend(
            repo,
            old.and_then(at),
            at(new),
            &base,
            depth,
            folders,
            &mut out,
        )?;
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The partnership files that differ between two trees at `base`, `depth` folders below the
/// repository's top.
fn descend(
    repo: &Repository,
    old: Option<Oid>,
    new: Option<Oid>,
    base: &str,
    depth: usize,
    folders: &[String],
    out: &mut Vec<Difference>,
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let old = old.map(|oid| repo.find_tree(oid)).transpose()?;
    let new = new.map(|oid| repo.find_tree(oid)).transpose()?;
    let kind_of = |entry: Option<git2::TreeEntry<'_>>| -> Option<(Oid, Option<ObjectType>)> {
        entry.map(|e| (e.id(), e.kind()))
    };
    // Each entry of either tree, looked up in the other by name (a binary search).
    let mut visit = |name: &[u8],
                     was: Option<(Oid, Option<ObjectType>)>,
                     is: Option<(Oid, Option<ObjectType>)>|
     -> Result<()> {
        if was.map(|e| e.0) == is.map(|e| e.0) {
            return Ok(());
        }
        let path = format!("{base}{}", String::from_utf8_lossy(name));
        let tree = |e: Option<(Oid, Option<ObjectType>)>| {
            e.filter(|(_, k)| *k == Some(ObjectType::Tree))
                .map(|(id, _)| id)
        };
        let blob = |e: Option<(Oid, Option<ObjectType>)>| {
            e.filter(|(_, k)| *k == Some(ObjectType::Blob))
                .map(|(id, _)| id)
        };
        if tree(was).is_some() || tree(is).is_some() {
            if depth >= MAX_DEPTH {
                return Err(Error::too_deep(&path, MAX_DEPTH));
            }
            let below = format!("{path}/");
            descend(repo, tree(was), tree(is), &below, depth + 1, folders, out)?;
        }
        let (old_blob, new_blob) = (blob(was), blob(is));
        if old_blob != new_blob && is_partnership_path(&path, folders) {
            out.push((path, old_blob, new_blob));
        }
        Ok(())
    };
    let lookup = |tree: &Option<Tree<'_>>, name: &[u8]| {
        let name = std::str::from_utf8(name).ok()?;
        tree.as_ref().and_then(|t| kind_of(t.get_name(name)))
    };
    if let Some(new_tree) = &new {
        for entry in new_tree.iter() {
            let was = lookup(&old, entry.name_bytes());
            visit(entry.name_bytes(), was, Some((entry.id(), entry.kind())))?;
        }
    }
    if let Some(old_tree) = &old {
        for entry in old_tree.iter() {
            if lookup(&new, entry.name_bytes()).is_none() {
                visit(entry.name_bytes(), Some((entry.id(), entry.kind())), None)?;
            }
        }
    }
    Ok(())
}

/// What a commit did to partnership files, relative to its first parent (with renames) and,
/// for a merge, to its other parents.
fn commit_events(
    repo: &Repository,
    reader: &Reader<'_>,
    commit: &git2::Commit<'_>,
) -> Result<Option<(Arc<Commit>, Vec<Event>)>> {
    let folders = &reader.folders;
    let tree = commit.tree()?;
    let parents: Vec<Tree<'_>> = commit
        .parents()
        .map(|p| p.tree())
        .collect::<Result<_, _>>()?;
    let first = differences(repo, folders, parents.first(), &tree)?;
    let mut events = Vec::new();
    let added = first.iter().any(|d| d.1.is_none());
    let deleted = first.iter().any(|d| d.2.is_none());
    let renames = if added && deleted {
        renames(repo, folders, parents.first(), &tree)?
    } else {
        Vec::new()
    };
    for (path, _, new) in first {
        match new {
            Some(blob) => {
                let from = renames
                    .iter()
                    .find(|(_, to)| *to == path)
                    .map(|(from, _)| from.clone());
                events.push(Event::Set { path, blob, from });
            }
            None if renames.iter().any(|(from, _)| *from == path) => {}
            None => events.push(Event::Delete { path }),
        }
    }
    for parent in parents.iter().skip(1) {
        for (path, _, new) in differences(repo, folders, Some(parent), &tree)? {
            events.push(match new {
                Some(blob) => Event::Set {
                    path,
                    blob,
                    from: None,
                },
                None => Event::Delete { path },
            });
        }
    }
    if events.is_empty() {
        return Ok(None);
    }
    for event in &events {
        if let Event::Set { path, blob, .. } = event {
            reader.read(repo, *blob, path)?;
        }
    }
    Ok(Some((shared_info(commit), events)))
}

/// Files moved between two trees (`(from, to)`), as git's rename detection sees them.
fn renames(
    repo: &Repository,
    folders: &[String],
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> Result<Vec<(String, String)>> {
    let mut options = diff_options(folders);
    let mut diff = repo.diff_tree_to_tree(old, Some(new), Some(&mut options))?;
    let mut find = DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find))?;
    let path = |file: git2::DiffFile<'_>| {
        file.path()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .filter(|p| is_partnership_path(p, folders))
    };
    Ok(diff
        .deltas()
        .filter(|d| d.status() == Delta::Renamed)
        .filter_map(|d| Some((path(d.old_file())?, path(d.new_file())?)))
        .collect())
}

fn diff_options(folders: &[String]) -> DiffOptions {
    let mut options = DiffOptions::new();
    if folders.iter().all(|f| !f.is_empty()) {
        for folder in folders {
            options.pathspec(folder);
        }
    }
    options.skip_binary_check(true);
    options
}

/// Every change to every partnership file from the root commits to `tip`.
pub(crate) fn walk_all(
    ledger: &LedgerRepo,
    tip: Oid,
    reader: &Reader<'_>,
    progress: &dyn Progress,
) -> Result<Walk> {
    let oids = oldest_first(ledger, tip)?;
    progress.begin("reading history", oids.len() as u64);
    let found = per_commit(&ledger.git_dir(), &oids, progress, |repo, commit| {
        commit_events(repo, reader, commit)
    })?;
    progress.finish();
    let mut state = State::default();
    let mut walk = Walk {
        parsed: reader.take(),
        ..Walk::default()
    };
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

/// The history of the one file at `path` in `tip`, followed back through renames, deletions
/// and re-adds (like `git log --follow`), without looking at the rest of the ledger. Commits
/// are taken in time order (where the whole walk takes them in topological order; the two
/// agree unless commit dates contradict the graph).
pub(crate) fn follow(
    ledger: &LedgerRepo,
    tip: Oid,
    path: &str,
    reader: &Reader<'_>,
    progress: &dyn Progress,
) -> Result<Walk> {
    let listed = list_newest_first(&ledger.repo, tip)?;
    follow_listed(ledger, &listed, path, reader, progress)
}

/// [`follow`] over commits already listed (newest first).
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

/// A file's states newest first, `(commit, path, state)`, before they become a walk.
type Found = Vec<(Arc<Commit>, String, Option<Oid>)>;

/// The states of the file at `path` in the listed commits (newest first), following renames.
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
        let changes = rest
            .par_iter()
            .with_min_len(256)
            .map_init(
                || (Repository::open(&git_dir), Memo::new()),
                |(repo, memo), listed| {
                    let repo = repo.as_ref().map_err(copy_error)?;
                    progress.advance(1);
                    file_change(repo, reader, memo, listed, &tracked, &parts)
                },
            )
            .collect::<Result<Vec<_>>>()?;
        for (i, change) in changes.into_iter().enumerate() {
            let Some((info, state, renamed_from)) = change else {
                continue;
            };
            found.push((info, path.clone(), state));
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

/// A walk from a file's states (newest first): each state that differs from the one before it.
fn walk_from_found(found: Found, parsed: HashMap<(Oid, String), Content>) -> Walk {
    let mut walk = Walk {
        parsed,
        ..Walk::default()
    };
    let mut last: Option<(String, Option<Oid>)> = None;
    for (commit, path, state) in found.into_iter().rev() {
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
    let chunk = listed
        .len()
        .div_ceil(rayon::current_num_threads().max(1) * 4)
        .max(256);
    let per_commit: Vec<Vec<Change>> = listed
        .par_chunks(chunk)
        .map(|run| -> Result<Vec<Vec<Change>>> {
            let repo = Repository::open(&git_dir)?;
            let mut memo = GroupMemo::new();
            let mut out = Vec::with_capacity(run.len());
            for one in run {
                out.push(files_change(
                    &repo, reader, &mut memo, one, paths, &parts, &all,
                )?);
                progress.advance(1);
            }
            Ok(out)
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    progress.finish();
    let mut founds = Vec::with_capacity(paths.len());
    for (k, start) in paths.iter().enumerate() {
        let mut found: Found = Vec::new();
        for (i, changes) in per_commit.iter().enumerate() {
            let Some((info, state, from)) = changes.get(k).cloned().flatten() else {
                continue;
            };
            found.push((info, start.clone(), state));
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

/// What one commit did to one followed file: its state there and the path it moved from.
type Change = Option<(Arc<Commit>, Option<Oid>, Option<String>)>;

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
            &ledger.repo,
            &ledger.folders,
            Some(&parent.tree()?),
            &commit.tree()?,
        )?
        .into_iter()
        .filter(|(path, ..)| *path != touch.path)
        .any(|(_, was, is)| {
            if appeared {
                was.is_some() && is.is_none()
            } else {
                was.is_none() && is.is_some()
            }
        });
        if other {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Every commit reachable from `tip`, newest first by commit time, each read once (its parents
/// are read to order them, and stay in the object cache until their turn).
pub(crate) fn list_newest_first(repo: &Repository, tip: Oid) -> Result<Vec<Listed>> {
    let mut queue = std::collections::BinaryHeap::new();
    let mut seen = std::collections::HashSet::new();
    let first = repo.find_commit(tip)?;
    queue.push((first.time().seconds(), first.id()));
    seen.insert(first.id());
    let mut listed = Vec::new();
    while let Some((_, oid)) = queue.pop() {
        let commit = repo.find_commit(oid)?;
        let mut parents = Vec::with_capacity(1);
        let mut parent_ids = Vec::with_capacity(1);
        for parent in commit.parents() {
            parents.push(parent.tree_id());
            parent_ids.push(parent.id());
            if seen.insert(parent.id()) {
                queue.push((parent.time().seconds(), parent.id()));
            }
        }
        listed.push(Listed {
            commit: oid,
            tree: commit.tree_id(),
            parents,
            parent_ids,
        });
    }
    Ok(listed)
}

/// A commit as listed by the walk: its id, its tree, its parents' trees and their ids.
pub(crate) struct Listed {
    commit: Oid,
    tree: Oid,
    parents: Vec<Oid>,
    parent_ids: Vec<Oid>,
}

/// The commits of a listing reachable from `from` (itself included), as full hex ids: the
/// part of the history an ancestor of the listing's tip had.
pub(crate) fn reachable(listed: &[Listed], from: Oid) -> std::collections::HashSet<String> {
    let by_id: HashMap<Oid, &Listed> = listed.iter().map(|l| (l.commit, l)).collect();
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![from];
    while let Some(oid) = stack.pop() {
        if !seen.insert(oid) {
            continue;
        }
        if let Some(listed) = by_id.get(&oid) {
            stack.extend(listed.parent_ids.iter().copied());
        }
    }
    seen.into_iter().map(|oid| oid.to_string()).collect()
}

/// One partnership file as a change left it: its path before and after (both set and
/// different for a move; one absent for an addition or a deletion).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Moved {
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The partnership files that differ between two commits, moves paired as git pairs renames.
/// Paths are relative to the repository's top.
pub(crate) fn changed_between(ledger: &LedgerRepo, old: Oid, new: Oid) -> Result<Vec<Moved>> {
    let repo = &ledger.repo;
    let (old, new) = (
        repo.find_commit(old)?.tree()?,
        repo.find_commit(new)?.tree()?,
    );
    let found = differences(repo, &ledger.folders, Some(&old), &new)?;
    let added = found.iter().any(|d| d.1.is_none());
    let deleted = found.iter().any(|d| d.2.is_none());
    let renames = if added && deleted {
        renames(repo, &ledger.folders, Some(&old), &new)?
    } else {
        Vec::new()
    };
    let mut out: Vec<Moved> = renames
        .iter()
        .map(|(from, to)| Moved {
            before: Some(from.clone()),
            after: Some(to.clone()),
        })
        .collect();
    for (path, was, is) in found {
        if renames
            .iter()
            .any(|(from, to)| *from == path || *to == path)
        {
            continue;
        }
        out.push(Moved {
            before: was.map(|_| path.clone()),
            after: is.map(|_| path),
        });
    }
    Ok(out)
}

/// Whether a commit changed the file at `path` relative to any parent: its state there, and
/// the path it was moved from if the commit moved it.
#[allow(clippy::type_complexity)]
fn file_change(
    repo: &Repository,
    reader: &Reader<'_>,
    memo: &mut Memo,
    listed: &Listed,
    path: &str,
    parts: &[&str],
) -> Result<Option<(Arc<Commit>, Option<Oid>, Option<String>)>> {
    let state = resolve(repo, memo, listed.tree, parts)?;
    let mut parents = Vec::with_capacity(1);
    for tree in &listed.parents {
        parents.push(resolve(repo, memo, *tree, parts)?);
    }
    let changed = match parents.as_slice() {
        [] => state.is_some(),
        all => all.iter().any(|p| *p != state),
    };
    if !changed {
        return Ok(None);
    }
    let commit = repo.find_commit(listed.commit)?;
    let mut from = None;
    if state.is_some() && parents.first() == Some(&None) {
        let first = commit.parent(0)?.tree()?;
        from = renames(repo, &reader.folders, Some(&first), &commit.tree()?)?
            .into_iter()
            .find(|(_, to)| to == path)
            .map(|(from, _)| from);
    }
    if let Some(blob) = state {
        reader.read(repo, blob, path)?;
    }
    Ok(Some((shared_info(&commit), state, from)))
}

/// What a tree (at a depth of the path) holds at the rest of the path, remembered: most
/// commits share most folders with their parent, so each folder is read once.
type Memo = HashMap<(Oid, usize), Option<Oid>>;

fn resolve(repo: &Repository, memo: &mut Memo, tree: Oid, parts: &[&str]) -> Result<Option<Oid>> {
    if parts.len() > MAX_DEPTH + 1 {
        return Err(Error::too_deep(&parts.join("/"), MAX_DEPTH));
    }
    resolve_at(repo, memo, tree, parts, 0)
}

fn resolve_at(
    repo: &Repository,
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
    let entry = repo
        .find_tree(tree)?
        .get_name(name)
        .map(|e| (e.id(), e.kind()));
    let found = match entry {
        Some((id, Some(ObjectType::Blob))) if depth + 1 == parts.len() => Some(id),
        Some((id, Some(ObjectType::Tree))) if depth + 1 < parts.len() => {
            resolve_at(repo, memo, id, parts, depth + 1)?
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
type GroupMemo = HashMap<(Oid, usize, usize), Arc<[Option<Oid>]>>;

/// What `tree` holds at each path of `group` (indices into `parts`, sorted, sharing the first
/// `depth` components), reading each tree once for all of them.
fn resolve_group(
    repo: &Repository,
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
    let object = repo.find_tree(tree)?;
    let name_of = |k: usize| parts.get(k).and_then(|p| p.get(depth)).copied();
    let mut i = 0;
    while i < group.len() {
        let name = name_of(group[i]);
        let mut j = i + 1;
        while j < group.len() && name_of(group[j]) == name {
            j += 1;
        }
        let entry = name
            .and_then(|n| object.get_name(n))
            .map(|e| (e.id(), e.kind()));
        if let Some((id, kind)) = entry {
            let last = |k: &usize| parts.get(*k).is_some_and(|p| p.len() == depth + 1);
            let mut deeper = Vec::new();
            for (n, k) in group[i..j].iter().enumerate() {
                if last(k) {
                    if kind == Some(ObjectType::Blob) {
                        found[i + n] = Some(id);
                    }
                } else {
                    deeper.push((i + n, *k));
                }
            }
            if !deeper.is_empty() && kind == Some(ObjectType::Tree) {
                let indices: Vec<usize> = deeper.iter().map(|(_, k)| *k).collect();
                let below = resolve_group(repo, memo, id, parts, depth + 1, &indices)?;
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
    repo: &Repository,
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
    let state = resolve_group(repo, memo, listed.tree, parts, 0, all)?;
    let parents = listed
        .parents
        .iter()
        .map(|tree| resolve_group(repo, memo, *tree, parts, 0, all))
        .collect::<Result<Vec<_>>>()?;
    let mut commit: Option<git2::Commit<'_>> = None;
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
        let commit = match &commit {
            Some(commit) => commit,
            None => commit.insert(repo.find_commit(listed.commit)?),
        };
        let mut from = None;
        if now.is_some()
            && parents
                .first()
                .is_some_and(|p| p.get(n).copied().flatten().is_none())
        {
            let first = commit.parent(0)?.tree()?;
            from = renames(repo, &reader.folders, Some(&first), &commit.tree()?)?
                .into_iter()
                .find(|(_, to)| to == path)
                .map(|(from, _)| from);
        }
        if let Some(blob) = now {
            reader.read(repo, blob, path)?;
        }
        out.push(Some((shared_info(commit), now, from)));
    }
    Ok(out)
}
