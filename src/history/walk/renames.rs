//! Rename detection: which partnership files a commit moved, paired as git pairs renames (by
//! content similarity), for the whole walk, the one-file follow and the comparison of two commits.

use std::path::Path;

use git2::{Delta, DiffFindOptions, DiffOptions, ObjectType, Repository, Tree};

use super::*;
use crate::error::Result;
use crate::ledger::selection::{Selection, is_partnership_path};

/// Files moved between two trees (`(from, to)`), as git's rename detection sees them: paired
/// among `added_or_deleted`, every file under the ledger folders one tree has and the other
/// does not (what [`compare`](super::trees::compare) finds), which are all git pairs moves
/// among. The diff is limited to those paths, so it reads no folder they are not in.
pub(super) fn renames(
    repo: &Repository,
    folders: &Selection,
    added_or_deleted: &[String],
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> Result<Vec<(String, String)>> {
    if added_or_deleted.len() < 2 {
        return Ok(Vec::new());
    }
    let mut options = DiffOptions::new();
    options.disable_pathspec_match(true);
    for path in added_or_deleted {
        options.pathspec(path);
    }
    options.skip_binary_check(true);
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

/// Where a file that a commit added at `path` was moved from, if git pairs it with a file the
/// commit deleted: that path, and the file there at the first parent (else `was` unchanged).
pub(super) fn moved_from(
    repo: &Repository,
    reader: &Reader<'_>,
    commit: &git2::Commit<'_>,
    path: &str,
    was: Was,
) -> Result<(Option<String>, Was)> {
    let first = commit.parent(0)?.tree()?;
    let tree = commit.tree()?;
    let found = super::trees::compare(&mut &*repo, &reader.folders, Some(first.id()), tree.id())?;
    let from = renames(
        repo,
        &reader.folders,
        &found.added_or_deleted,
        Some(&first),
        &tree,
    )?
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
