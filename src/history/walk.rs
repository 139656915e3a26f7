//! The walk: which commits changed which partnership files, oldest first. Each commit is compared
//! with its first parent within the ledger folders (renames detected), and a merge also with its
//! other parents, so the state a merge leaves is seen; a file state already recorded on the way
//! (a change that arrives through a merge) is not recorded twice.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use git2::{Delta, DiffFindOptions, DiffOptions, ObjectType, Oid, Repository, Tree};
use rayon::prelude::*;

use super::Progress;
use super::repo::{LedgerRepo, author_date, blob_size, is_regular, shared_info};
use crate::error::{Error, Result};
use crate::ledger::load::is_partnership_path;
use crate::ledger::parse::{MAX_FILE_BYTES, too_large};
use crate::ledger::{Commit, Content, Date, ParseCache};

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
    /// The file at the commit's first parent: where it was (the path it was moved from, for a
    /// move) and its blob there (`None`: absent); `None` for a root commit. The version this
    /// one descends from is the one that recorded that state.
    pub was: Was,
}

/// A file's path (relative to the repository's top) and blob (`None`: absent) at a commit's
/// first parent; `None` when the commit has no parent.
pub(crate) type Was = Option<(String, Option<Oid>)>;

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
        // The size comes from the object's header: a blob over the limit is never loaded.
        let size = blob_size(repo, oid)?;
        let content = if size > MAX_FILE_BYTES {
            Content::Invalid {
                diagnostics: Arc::new(vec![too_large(&key.1, size as u64)]),
            }
        } else {
            let blob = repo.find_blob(oid)?;
            Content::from_parse(self.cache.parse(&key.1, blob.content()))
        };
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

pub(crate) fn copy_error(error: &git2::Error) -> Error {
    Error::Git(git2::Error::new(
        error.code(),
        error.class(),
        error.message(),
    ))
}

/// A partnership file that differs between two trees: `(path, old blob, new blob)`.
type Difference = (String, Option<Oid>, Option<Oid>);

/// A tree entry as the walk compares it: its id, its type, and whether it is a regular file.
/// Only regular files are partnership files: a link (a blob of mode 120000) or a submodule is
/// never read, as if nothing were there.
type Seen = (Oid, Option<ObjectType>, bool);

fn seen(entry: &git2::TreeEntry<'_>) -> Seen {
    (entry.id(), entry.kind(), is_regular(entry.filemode()))
}

/// Whether an entry is a link or a submodule: something rapport refuses to read.
fn is_refused((_, kind, regular): Seen) -> bool {
    (kind == Some(ObjectType::Blob) && !regular) || kind == Some(ObjectType::Commit)
}

/// The partnership files that differ between two commits' trees, found by descending only
/// into the ledger folders and only into subtrees that differ (an unchanged folder is one
/// comparison, whatever it holds).
fn differences(
    repo: &Repository,
    folders: &[String],
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> Result<Vec<Difference>> {
    Ok(differences_and_refused(repo, folders, old, new)?.0)
}

/// [`differences`], and the paths where `new` holds a link or a submodule, not in `old`, in
/// place of a partnership file or a ledger folder.
fn differences_and_refused(
    repo: &Repository,
    folders: &[String],
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> Result<(Vec<Difference>, Vec<String>)> {
    let mut out = Vec::new();
    let mut refused = Vec::new();
    for folder in folders {
        if !folder.is_empty() {
            let entry = |tree: &Tree<'_>| {
                tree.get_path(Path::new(folder))
                    .ok()
                    .map(|e| seen(&e))
                    .filter(|e| is_refused(*e))
            };
            if let Some(link) = entry(new)
                && old.and_then(entry) != Some(link)
            {
                refused.push(folder.clone());
            }
        }
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
            (&mut out, &mut refused),
        )?;
    }
    out.sort();
    out.dedup();
    refused.sort();
    refused.dedup();
    Ok((out, refused))
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
    (out, refused): (&mut Vec<Difference>, &mut Vec<String>),
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let old = old.map(|oid| repo.find_tree(oid)).transpose()?;
    let new = new.map(|oid| repo.find_tree(oid)).transpose()?;
    // Each entry of either tree, looked up in the other by name (a binary search).
    let mut visit = |name: &[u8], was: Option<Seen>, is: Option<Seen>| -> Result<()> {
        if was == is {
            return Ok(());
        }
        let path = format!("{base}{}", String::from_utf8_lossy(name));
        let tree = |e: Option<Seen>| {
            e.filter(|(_, k, _)| *k == Some(ObjectType::Tree))
                .map(|(id, ..)| id)
        };
        let blob = |e: Option<Seen>| {
            e.filter(|(_, k, regular)| *k == Some(ObjectType::Blob) && *regular)
                .map(|(id, ..)| id)
        };
        if tree(was).is_some() || tree(is).is_some() {
            if depth >= MAX_DEPTH {
                return Err(Error::too_deep(&path, MAX_DEPTH));
            }
            descend(
                repo,
                tree(was),
                tree(is),
                &format!("{path}/"),
                depth + 1,
                folders,
                (&mut *out, &mut *refused),
            )?;
        }
        let (old_blob, new_blob) = (blob(was), blob(is));
        if !is_partnership_path(&path, folders) {
            return Ok(());
        }
        if old_blob != new_blob {
            out.push((path.clone(), old_blob, new_blob));
        }
        if is.is_some_and(is_refused) {
            refused.push(path);
        }
        Ok(())
    };
    let lookup = |tree: &Option<Tree<'_>>, name: &[u8]| {
        let name = std::str::from_utf8(name).ok()?;
        tree.as_ref()
            .and_then(|t| t.get_name(name).map(|e| seen(&e)))
    };
    if let Some(new_tree) = &new {
        for entry in new_tree.iter() {
            let was = lookup(&old, entry.name_bytes());
            visit(entry.name_bytes(), was, Some(seen(&entry)))?;
        }
    }
    if let Some(old_tree) = &old {
        for entry in old_tree.iter() {
            if lookup(&new, entry.name_bytes()).is_none() {
                visit(entry.name_bytes(), Some(seen(&entry)), None)?;
            }
        }
    }
    Ok(())
}

/// What a commit did to partnership files, relative to its first parent (with renames) and,
/// for a merge, to its other parents.
fn commit_events(
    repo: &Repository,
    folders: &[String],
    commit: &git2::Commit<'_>,
) -> Result<Option<(Arc<Commit>, Vec<Event>)>> {
    let tree = commit.tree()?;
    let parents: Vec<Tree<'_>> = commit
        .parents()
        .map(|p| p.tree())
        .collect::<Result<_, _>>()?;
    let first = differences(repo, folders, parents.first(), &tree)?;
    let has_parent = !parents.is_empty();
    // `first` is sorted by path.
    let in_first = |path: &str| first.binary_search_by(|d| d.0.as_str().cmp(path)).ok();
    let at_first_parent = |path: &str| -> Was {
        let old = in_first(path).and_then(|i| first[i].1);
        has_parent.then(|| (path.to_string(), old))
    };
    let mut events = Vec::new();
    let added = first.iter().any(|d| d.1.is_none());
    let deleted = first.iter().any(|d| d.2.is_none());
    let renames = if added && deleted {
        renames(repo, folders, parents.first(), &tree)?
    } else {
        Vec::new()
    };
    for (path, old, new) in &first {
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
        for (path, _, new) in differences(repo, folders, Some(parent), &tree)? {
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

/// A file's states children first, `(commit, path, state, state at the first parent)`, before
/// they become a walk.
type Found = Vec<(Arc<Commit>, String, Option<Oid>, Was)>;

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
            let Some(changed) = change else {
                continue;
            };
            let Changed {
                info,
                state,
                from: renamed_from,
                was,
            } = *changed;
            found.push((info, path.clone(), state, was));
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
    for (commit, path, state, was) in found.into_iter().rev() {
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
            let Some(Changed {
                info,
                state,
                from,
                was,
            }) = changes.get(k).cloned().flatten().map(|c| *c)
            else {
                continue;
            };
            found.push((info, start.clone(), state, was));
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

/// Every commit reachable from `tip`, each read once, in graph order: every commit before its
/// parents, and among the commits whose children are all listed, the latest by committer time
/// first (then by id), as `git rev-list --date-order` lists them. Dates only break ties, so a
/// commit dated wrong never comes before one of its children or after one of its parents; the
/// whole walk takes this order backwards and the one-file paths take it as it is, so every path
/// sees the same history.
pub(crate) fn list_children_first(repo: &Repository, tip: Oid) -> Result<Listing> {
    // Read newest first by time, so a commit's parents, read to list it, are still in the
    // object cache when their turn comes. Where dates agree with the graph that is already the
    // graph order; where a parent comes out before one of its children, the listing is put in
    // graph order in memory.
    const QUEUED: usize = usize::MAX;
    let mut queue = std::collections::BinaryHeap::new();
    // Each commit's index in `listed` once listed.
    let mut at: HashMap<Oid, usize> = HashMap::new();
    let first = repo.find_commit(tip)?;
    queue.push((first.time().seconds(), first.id()));
    at.insert(first.id(), QUEUED);
    let mut listed = Vec::new();
    let mut in_order = true;
    while let Some((time, oid)) = queue.pop() {
        let commit = repo.find_commit(oid)?;
        if let Some(slot) = at.get_mut(&oid) {
            *slot = listed.len();
        }
        let mut parents = Vec::with_capacity(1);
        let mut parent_ids = Vec::with_capacity(1);
        for parent in commit.parents() {
            parents.push(parent.tree_id());
            parent_ids.push(parent.id());
            match at.entry(parent.id()) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(QUEUED);
                    queue.push((parent.time().seconds(), parent.id()));
                }
                std::collections::hash_map::Entry::Occupied(slot) => {
                    in_order &= *slot.get() == QUEUED;
                }
            }
        }
        let when = commit.author().when();
        listed.push(Listed {
            commit: oid,
            tree: commit.tree_id(),
            parents,
            parent_ids,
            time,
            authored: when.seconds(),
            date: author_date(when),
        });
    }
    let mut first_parent_line = Vec::new();
    let mut next = Some(0);
    while let Some(one) = next.and_then(|i| listed.get(i)) {
        first_parent_line.push((one.authored, one.date));
        next = one.parent_ids.first().and_then(|p| at.get(p)).copied();
    }
    if !in_order {
        children_first(&mut listed, &at);
    }
    Ok(Listing {
        commits: listed,
        first_parent_line,
    })
}

/// Commits reachable from a tip, in graph order, and the dates on the tip's first-parent line.
pub(crate) struct Listing {
    /// Every commit, children first (see [`list_children_first`]).
    pub commits: Vec<Listed>,
    /// The author time (seconds since the epoch) and date of each commit on the tip's
    /// first-parent line, the tip first.
    pub first_parent_line: Vec<(i64, Date)>,
}

/// Puts listed commits in graph order, in place (Kahn's algorithm: a commit is placed once all
/// its children are, the latest by committer time first among those ready); `at` gives each
/// commit's index in `listed`.
fn children_first(listed: &mut [Listed], at: &HashMap<Oid, usize>) {
    let mut children = vec![0usize; listed.len()];
    for one in listed.iter() {
        for parent in &one.parent_ids {
            if let Some(&i) = at.get(parent) {
                children[i] += 1;
            }
        }
    }
    let mut ready: std::collections::BinaryHeap<(i64, Oid, usize)> = children
        .iter()
        .enumerate()
        .filter(|(_, n)| **n == 0)
        .map(|(i, _)| (listed[i].time, listed[i].commit, i))
        .collect();
    // Where each listed commit goes.
    let mut place = vec![0usize; listed.len()];
    let mut placed = 0;
    while let Some((_, _, i)) = ready.pop() {
        place[i] = placed;
        placed += 1;
        for parent in &listed[i].parent_ids {
            if let Some(&j) = at.get(parent) {
                children[j] -= 1;
                if children[j] == 0 {
                    ready.push((listed[j].time, listed[j].commit, j));
                }
            }
        }
    }
    // Every commit is reachable from the tip, so every one was placed; move each to its place.
    for i in 0..listed.len() {
        while place[i] != i {
            let j = place[i];
            listed.swap(i, j);
            place.swap(i, j);
        }
    }
}

/// A commit as listed by the walk: its id, its tree, its parents' trees and their ids, its
/// committer time (for ordering) and its author time and date (for "now").
pub(crate) struct Listed {
    pub commit: Oid,
    tree: Oid,
    parents: Vec<Oid>,
    pub parent_ids: Vec<Oid>,
    time: i64,
    /// Author time, seconds since the Unix epoch.
    pub authored: i64,
    /// The author date in the author's time zone.
    pub date: Date,
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
    let (found, refused) = differences_and_refused(repo, &ledger.folders, Some(&old), &new)?;
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
    // A link or a submodule the change put where a partnership file (or a ledger folder) is
    // expected is there at the head, to be refused when read, not left out of the review.
    for path in refused {
        match out
            .iter_mut()
            .find(|m| m.after.is_none() && m.before.as_deref() == Some(path.as_str()))
        {
            Some(deleted) => deleted.after = Some(path),
            None => out.push(Moved {
                before: None,
                after: Some(path),
            }),
        }
    }
    Ok(out)
}

/// Whether a commit changed the file at `path` relative to any parent: its state there, the
/// path it was moved from if the commit moved it, and its state at the first parent.
fn file_change(
    repo: &Repository,
    reader: &Reader<'_>,
    memo: &mut Memo,
    listed: &Listed,
    path: &str,
    parts: &[&str],
) -> Result<Change> {
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
    let mut was: Was = parents.first().map(|p| (path.to_string(), *p));
    if state.is_some() && parents.first() == Some(&None) {
        (from, was) = moved_from(repo, reader, &commit, path, was)?;
    }
    if let Some(blob) = state {
        reader.read(repo, blob, path)?;
    }
    Ok(Some(Box::new(Changed {
        info: shared_info(&commit),
        state,
        from,
        was,
    })))
}

/// Where a file that a commit added at `path` was moved from, if git pairs it with a file the
/// commit deleted: that path, and the file there at the first parent (else `was` unchanged).
fn moved_from(
    repo: &Repository,
    reader: &Reader<'_>,
    commit: &git2::Commit<'_>,
    path: &str,
    was: Was,
) -> Result<(Option<String>, Was)> {
    let first = commit.parent(0)?.tree()?;
    let from = renames(repo, &reader.folders, Some(&first), &commit.tree()?)?
        .into_iter()
        .find(|(_, to)| to == path)
        .map(|(from, _)| from);
    Ok(match from {
        Some(from) => {
            let blob = first
                .get_path(Path::new(&from))
                .ok()
                .filter(|e| e.kind() == Some(ObjectType::Blob))
                .map(|e| e.id());
            (Some(from.clone()), Some((from, blob)))
        }
        None => (None, was),
    })
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
    let entry = repo.find_tree(tree)?.get_name(name).map(|e| seen(&e));
    let found = match entry {
        Some((id, Some(ObjectType::Blob), true)) if depth + 1 == parts.len() => Some(id),
        Some((id, Some(ObjectType::Tree), _)) if depth + 1 < parts.len() => {
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
        let entry = name.and_then(|n| object.get_name(n)).map(|e| seen(&e));
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
        let at_first = parents.first().map(|p| p.get(n).copied().flatten());
        let mut was: Was = at_first.map(|p| (path.clone(), p));
        if now.is_some() && at_first == Some(None) {
            (from, was) = moved_from(repo, reader, commit, path, was)?;
        }
        if let Some(blob) = now {
            reader.read(repo, blob, path)?;
        }
        out.push(Some(Box::new(Changed {
            info: shared_info(commit),
            state: now,
            from,
            was,
        })));
    }
    Ok(out)
}
